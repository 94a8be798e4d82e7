"""The ``judge`` command line."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from enum import Enum
from importlib import resources
from typing import Annotated, Optional

import typer
from rich.console import Console

from judge.datasets import DatasetError, Selection, parse_ids
from judge.evaluate import EvaluateOptions, default_workers, evaluate
from judge.report import build_report, render
from judge.samples import CODEX_STOPS, SampleError
from judge.sandbox.client import Limits
from judge.store import RunStore, StoreError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Judge code-generation samples on APPS and HumanEval in a sandbox; report pass@k.")
console = Console()
err_console = Console(stderr=True)


class DatasetName(str, Enum):
    apps = "apps"
    humaneval = "humaneval"


class Compare(str, Enum):
    strict = "strict"
    apps_compat = "apps-compat"


class Stops(str, Enum):
    none = "none"
    codex = "codex"


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)  # one line, never wrapped: scripts grep it
    raise typer.Exit(2)


def _write_json(path: str, data: object) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
        fh.write("\n")


def _open_run(run: str) -> RunStore:
    if not os.path.exists(os.path.join(run, "run.sqlite")):
        _fail(f"{run}: not a run directory (no run.sqlite); create one with `judge evaluate ... --run {run}`")
    return RunStore(run)


@app.command("evaluate")
def evaluate_cmd(
    samples: Annotated[list[str], typer.Argument(help="Samples: JSONL {task_id, completion} or bigcode generations.json.")],
    dataset: Annotated[DatasetName, typer.Option(help="Benchmark the samples are for.")],
    run: Annotated[str, typer.Option(help="Run directory (created, or resumed if it exists).")],
    data: Annotated[Optional[str], typer.Option(help="Local dataset: file, APPS folder, or 'bundled'. Default: the hub (APPS), the bundled copy (HumanEval).")] = None,
    split: Annotated[str, typer.Option(help="APPS split on the hub: test or train.")] = "test",
    difficulty: Annotated[Optional[list[str]], typer.Option(help="Keep only this difficulty (repeatable).")] = None,
    ids: Annotated[Optional[str], typer.Option(help="Task ids or ranges, e.g. '0-99,4000'.")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Keep at most this many tasks.")] = None,
    timeout: Annotated[float, typer.Option(help="CPU seconds per test.")] = 3.0,
    memory: Annotated[int, typer.Option(help="Memory limit per test, MiB.")] = 1024,
    output_limit: Annotated[int, typer.Option("--output-limit", help="Output limit per test, MiB.")] = 16,
    wall: Annotated[Optional[float], typer.Option(help="Wall-clock watchdog per test, seconds (default 2 x timeout + 1).")] = None,
    workers: Annotated[int, typer.Option(help="Parallel sandboxes (default: physical cores).")] = 0,
    k: Annotated[str, typer.Option(help="Comma-separated k for pass@k (only k <= n are reported).")] = "1,5,10,100,1000",
    compare: Annotated[Compare, typer.Option(help="Output comparison rule.")] = Compare.strict,
    public_tests: Annotated[str, typer.Option(help="Tests for filtered pass@k: 'statement' (examples in the text) or 'first:N'.")] = "statement",
    stop: Annotated[Stops, typer.Option(help="Truncate completions at stop sequences first ('codex': HumanEval's).")] = Stops.none,
    json_out: Annotated[Optional[str], typer.Option("--json", help="Also write the report as JSON here.")] = None,
) -> None:
    """Judge SAMPLES against a dataset, store every verdict in RUN and print pass@k."""
    try:
        ks = sorted({int(x) for x in k.split(",") if x.strip()})
    except ValueError:
        _fail(f"--k must be comma-separated integers, not {k!r}")
    options = EvaluateOptions(
        samples=samples, dataset=dataset.value, run_dir=run, data=data,
        selection=Selection(split=split, difficulties=tuple(difficulty or ()), ids=parse_ids(ids) if ids else (), limit=limit),
        limits=Limits(cpu=timeout, memory=memory << 20, output=output_limit << 20, wall=wall),
        workers=workers, ks=ks, compare=compare.value, public_tests=public_tests,
        stop=CODEX_STOPS if stop is Stops.codex else ())
    try:
        report = evaluate(options, err_console)
    except (DatasetError, SampleError, StoreError) as err:
        _fail(str(err))
    except KeyboardInterrupt:
        raise typer.Exit(130)
    render(report, console, title=f"{dataset.value} · {run}")
    if json_out:
        _write_json(json_out, report)


@app.command("report")
def report_cmd(
    run: Annotated[str, typer.Argument(help="Run directory.")],
    json_out: Annotated[Optional[str], typer.Option("--json", help="Write the report as JSON here ('-' for stdout).")] = None,
) -> None:
    """Print the pass@k report of a run."""
    store = _open_run(run)
    try:
        report = build_report(store)
    finally:
        store.close()
    if json_out == "-":
        print(json.dumps(report, indent=2))
        return
    render(report, console, title=run)
    if json_out:
        _write_json(json_out, report)


@app.command("export")
def export_cmd(
    run: Annotated[str, typer.Argument(help="Run directory.")],
    out: Annotated[Optional[str], typer.Option(help="Output JSONL file (default: stdout).")] = None,
) -> None:
    """Write one JSON line per sample: verdicts, flags and per-test records (time, memory, rule)."""
    from judge.export import export_samples
    store = _open_run(run)
    fh = open(out, "w", encoding="utf-8") if out else sys.stdout
    try:
        for row in export_samples(store):
            fh.write(json.dumps(row) + "\n")
    finally:
        store.close()
        if out:
            fh.close()


@app.command("demo")
def demo_cmd(
    run: Annotated[Optional[str], typer.Option(help="Where to keep the demo runs (default: a temporary folder).")] = None,
    workers: Annotated[int, typer.Option(help="Parallel sandboxes (default: physical cores).")] = 0,
) -> None:
    """Judge real model samples on the bundled APPS and HumanEval problems (offline) and print the reports."""
    base = run or tempfile.mkdtemp(prefix="judge-demo-")
    data = resources.files("judge.data")
    jobs = [
        ("APPS (train problems; CodeRL, GPT-4 and ChatGPT programs)", "apps", "demo_samples_apps.jsonl.gz", [1, 5, 10]),
        ("HumanEval (CodeGen-Mono-16B, 10 samples per task, Codex stops)", "humaneval", "demo_samples_humaneval.jsonl.gz", [1, 5, 10]),
    ]
    err_console.print(f"demo runs in {base} · {workers or default_workers()} workers")
    for title, dataset, samples_name, ks in jobs:
        with resources.as_file(data.joinpath(samples_name)) as samples_path:
            options = EvaluateOptions(samples=[str(samples_path)], dataset=dataset, run_dir=os.path.join(base, dataset),
                                      data="bundled", workers=workers, ks=ks)
            try:
                report = evaluate(options, err_console)
            except KeyboardInterrupt:
                raise typer.Exit(130)
        render(report, console, title=title)
    console.print(f"runs kept in {base}: try `judge report {os.path.join(base, 'apps')} --json -` or `judge export ...`")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
