"""The ``judge`` command line: each command parses its options and calls the library; what it
prints comes from ``judge.render``; every user error is a ``JudgeError``, said in one line by
the one handler in :func:`command`."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import signal
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from enum import Enum
from importlib import resources
from typing import Annotated, Any, NoReturn, Optional

import typer
from rich.console import Console

from judge.checkers import RULES
from judge.datasets import MODULES as DATASETS
from judge.datasets import Selection, get_dataset, parse_ids
from judge.errors import JudgeError
from judge.evaluation import EvaluateOptions, default_workers, evaluate, parse_ks
from judge.render import FORMATS
from judge.samples import CODEX_STOPS
from judge.sampling import BACKENDS
from judge.sandbox.client import Limits
from judge.sandbox.runtime import DEFAULT_PACKAGES, Runtime, parse_packages
from judge.store import RunStore


# Report building and rendering (~50 ms of imports) are imported when used, so that
# `judge evaluate` starts its workers sooner.
def build_report(*args: Any, **kwargs: Any) -> dict:
    from judge.report import build_report as build
    return build(*args, **kwargs)


def render(*args: Any, **kwargs: Any) -> None:
    from judge.render.table import render as table
    table(*args, **kwargs)


app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Judge code-generation samples on APPS, TACO and HumanEval in a sandbox; report pass@k.")
console = Console()
err_console = Console(stderr=True)


def _print_version(value: bool) -> None:
    if value:
        from judge import __version__
        typer.echo(f"judge {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
    """Judge code-generation samples on APPS, TACO and HumanEval in a sandbox; report pass@k."""


def command(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A subcommand whose user errors (any JudgeError, or a damaged run database) end as one
    line on stderr with exit status 2, never a traceback."""
    def register(fn: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> None:
            terminated = []

            def on_term(signum: int, frame: Any) -> None:  # a scheduler's stop: as Ctrl-C, then exit 143
                terminated.append(signum)
                raise KeyboardInterrupt

            previous = signal.signal(signal.SIGTERM, on_term)
            try:
                fn(*args, **kwargs)
            except typer.Exit as done:
                raise typer.Exit(143 if terminated else done.exit_code) from None
            except KeyboardInterrupt:
                raise typer.Exit(143 if terminated else 130) from None
            except JudgeError as err:
                _fail(str(err))
            except sqlite3.DatabaseError as err:
                _fail(f"the run database is damaged or not a run database ({err}); use another --run directory")
            except OSError as err:  # a path the user gave: not there, not writable, a full disk
                _fail(f"{err.filename}: {err.strerror}" if err.filename else f"{type(err).__name__}: {err}")
            finally:
                signal.signal(signal.SIGTERM, previous)
        return app.command(name)(run)
    return register


# Choices come from the registries: a dataset module or a run-wide rule added there shows up here.
DatasetName = Enum("DatasetName", {name: name for name in DATASETS}, type=str)  # type: ignore[misc]
Compare = Enum("Compare", {name.replace("-", "_"): name for name in RULES}, type=str)  # type: ignore[misc]


class Stops(str, Enum):
    none = "none"
    codex = "codex"


class AfterTimeout(str, Enum):
    continue_ = "continue"
    stop = "stop"


class TimeoutOnly(str, Enum):
    some = "some"
    any = "any"


CheckersOpt = Annotated[Optional[str], typer.Option(help="Folder of per-problem checkers: <task_id>.toml (a built-in with parameters: checker = \"float\", [params] abs = 1e-4) or <task_id>.py (check(input, expected, output), run in the sandbox). The bundled APPS problems bring their own.")]
AfterTimeoutOpt = Annotated[AfterTimeout, typer.Option("--after-timeout", help="After a TLE: 'continue' judges the remaining tests (exact timeout-only numbers, the ones in brackets); 'stop' ends the program there (pass@k and filtered pass@k unchanged, no bracket numbers, much less time on loops).")]
TimeoutOnlyOpt = Annotated[TimeoutOnly, typer.Option("--timeout-only", help="Which samples the numbers in brackets count as passing: 'some' (fail no test, time out on some, pass the others) or 'any' (fail no test, time out on at least one: also loops that time out on every test).")]


class Engine(str, Enum):
    local = "local"
    ray = "ray"


Backend = Enum("Backend", {name: name for name in BACKENDS}, type=str)  # type: ignore[misc]


DatasetOpt = Annotated[DatasetName, typer.Option(help=f"Benchmark: {', '.join(DATASETS)}.")]
RunOpt = Annotated[str, typer.Option(help="Run directory (created, or resumed if it exists).")]
DataOpt = Annotated[Optional[str], typer.Option(help="Local dataset: a file, an APPS folder, or 'bundled' (the demo problems). Default: the hub (APPS, TACO), the bundled copy (HumanEval).")]
SplitOpt = Annotated[str, typer.Option(help="Split on the hub (APPS, TACO): test or train.")]
DifficultyOpt = Annotated[Optional[list[str]], typer.Option(help="Keep only this difficulty (repeatable).")]
IdsOpt = Annotated[Optional[str], typer.Option(help="Task ids or ranges, e.g. '0-99,4000'.")]
LimitOpt = Annotated[Optional[int], typer.Option(help="Keep at most this many tasks.")]
PublicTestsOpt = Annotated[str, typer.Option(help="Tests for filtered pass@k: 'statement' (examples in the text) or 'first:N'.")]


Format = Enum("Format", {name: name for name in FORMATS}, type=str)  # type: ignore[misc]


def parse_exclude(spec: Optional[str]) -> frozenset[str]:
    """--exclude: comma-separated ids/ranges, or a file of ids (one per line or comma-separated; # comments)."""
    if not spec:
        return frozenset()
    if os.path.isfile(spec):
        with open(spec, encoding="utf-8") as fh:
            spec = ",".join(line.split("#", 1)[0].strip() for line in fh)
    return frozenset(parse_ids(spec))


ExcludeOpt = Annotated[Optional[str], typer.Option(help="Problems to leave out: ids/ranges, or a file of ids (e.g. from `judge audit --out`).")]


def _parse_shard(spec: Optional[str]) -> Optional[tuple[int, int]]:
    if not spec:
        return None
    part, _, count = spec.partition("/")
    if not (part.isdigit() and count.isdigit() and 1 <= int(part) <= int(count)):
        _fail(f"--shard must be I/N with 1 <= I <= N (e.g. 2/8), not {spec!r}")
    return int(part), int(count)


def _selection(split: str, difficulty: Optional[list[str]], ids: Optional[str], limit: Optional[int]) -> Selection:
    return Selection(split=split, difficulties=tuple(difficulty or ()), ids=parse_ids(ids) if ids else (), limit=limit)


def _rule(compare: Optional[Compare], dataset: DatasetName) -> str:
    return compare.value if compare is not None else get_dataset(dataset.value).default_checker


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)  # one line, never wrapped: scripts grep it
    raise typer.Exit(2)


def _write_json(path: str, data: object) -> None:
    if path == "-":  # stdout, as the help says
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
        fh.write("\n")


def _show(report: dict, title: str, json_out: Optional[str]) -> None:
    """The report as a table on stdout, and as JSON where --json says ('-': stdout instead of the table)."""
    if json_out != "-":
        render(report, console, title=title)
    if json_out:
        _write_json(json_out, report)


def _write_figures(writer: Callable[[dict, str], list[str]], data: dict, where: str) -> None:
    for path in writer(data, where):
        err_console.print(f"wrote {path}")


def _write_text(out: Optional[str], text: str) -> None:
    """``text`` into the file ``out``, or on stdout."""
    if not out:
        sys.stdout.write(text)
        return
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(text)
    err_console.print(f"wrote {out}")


@command("evaluate")
def evaluate_cmd(
    dataset: DatasetOpt,
    run: RunOpt,
    samples: Annotated[Optional[list[str]], typer.Argument(help="Samples: JSONL {task_id, completion} or bigcode generations.json. None: judge what `judge sample` put in RUN.")] = None,
    data: DataOpt = None,
    split: SplitOpt = "test",
    difficulty: DifficultyOpt = None,
    ids: IdsOpt = None,
    limit: LimitOpt = None,
    timeout: Annotated[float, typer.Option(help="CPU seconds per test.")] = 3.0,
    memory: Annotated[int, typer.Option(help="Memory limit per test, MiB.")] = 1024,
    output_limit: Annotated[int, typer.Option("--output-limit", help="Output limit per test, MiB.")] = 16,
    wall: Annotated[Optional[float], typer.Option(help="Wall-clock watchdog per test, seconds (default 2 x timeout + 1).")] = None,
    workers: Annotated[int, typer.Option(help="Parallel sandboxes (default: physical cores).")] = 0,
    k: Annotated[str, typer.Option(help="Comma-separated k for pass@k (only k <= n are reported).")] = "1,5,10,100,1000",
    compare: Annotated[Optional[Compare], typer.Option(help="Output comparison rule for tasks without their own checker. Default: the dataset's (strict).")] = None,
    public_tests: PublicTestsOpt = "statement",
    stop: Annotated[Stops, typer.Option(help="Truncate completions at stop sequences first ('codex': HumanEval's).")] = Stops.none,
    json_out: Annotated[Optional[str], typer.Option("--json", help="Also write the report as JSON here ('-': on stdout, instead of the table).")] = None,
    exclude: ExcludeOpt = None,
    engine: Annotated[Engine, typer.Option(help="Where the sandboxes run: local (this machine) or ray (a Ray cluster).")] = Engine.local,
    address: Annotated[Optional[str], typer.Option(help="Ray cluster address for --engine ray (auto, HOST:6379, ray://HOST:10001).")] = None,
    shard: Annotated[Optional[str], typer.Option(help="Judge only part I of N of the tasks (I/N, 1-based; stable across machines); combine with `judge merge`.")] = None,
    python: Annotated[Optional[str], typer.Option(help="Interpreter the programs run in (default: the judge's own), e.g. a virtual environment's bin/python.")] = None,
    packages: Annotated[str, typer.Option(help="Third-party packages programs may import, comma-separated (with what they require); 'none', or 'all' of that interpreter's environment.")] = ",".join(DEFAULT_PACKAGES),
    after_timeout: AfterTimeoutOpt = AfterTimeout.continue_,
    timeout_only: TimeoutOnlyOpt = TimeoutOnly.some,
    checkers: CheckersOpt = None,
) -> None:
    """Judge SAMPLES against a dataset, store every verdict in RUN and print pass@k."""
    ks = parse_ks(k)
    options = EvaluateOptions(
        samples=samples or [], dataset=dataset.value, run_dir=run, data=data,
        selection=_selection(split, difficulty, ids, limit),
        limits=Limits(cpu=timeout, memory=memory << 20, output=output_limit << 20, wall=wall),
        workers=workers, ks=ks, compare=_rule(compare, dataset), public_tests=public_tests,
        stop=CODEX_STOPS if stop is Stops.codex else (), exclude=parse_exclude(exclude),
        engine=engine.value, address=address, shard=_parse_shard(shard),
        runtime=Runtime(python or "", parse_packages(packages)), after_timeout=after_timeout.value,
        timeout_only=timeout_only.value, checkers=checkers)
    _show(evaluate(options, err_console), f"{dataset.value} · {run}", json_out)


@command("prompts")
def prompts_cmd(
    dataset: Annotated[Optional[DatasetName], typer.Option(help=f"Benchmark: {', '.join(DATASETS)} (not needed with --list).")] = None,
    template: Annotated[Optional[str], typer.Option(help="Template name (see --list) or .toml path. Default: the dataset's (codex-1shot for APPS and TACO, humaneval).")] = None,
    out: Annotated[Optional[str], typer.Option(help="Output JSONL (default: stdout): {task_id, prompt | messages, stop}.")] = None,
    data: DataOpt = None,
    split: SplitOpt = "test",
    difficulty: DifficultyOpt = None,
    ids: IdsOpt = None,
    limit: LimitOpt = None,
    list_templates: Annotated[bool, typer.Option("--list", help="List the bundled templates and exit.")] = False,
) -> None:
    """Write the prompts of a dataset with a template, for sampling elsewhere."""
    from judge import prompting
    from judge.datasets import load_tasks
    if list_templates:
        for name, description in prompting.available().items():
            console.print(f"[bold]{name}[/]  {description}")
        return
    if dataset is None:
        _fail(f"--dataset is required ({', '.join(DATASETS)}), except with --list")
    chosen = prompting.load(template or get_dataset(dataset.value).default_template)
    tasks = load_tasks(dataset.value, data, _selection(split, difficulty, ids, limit))
    fh = open(out, "w", encoding="utf-8") if out else sys.stdout
    try:
        for task in tasks:
            if not task.defect:
                fh.write(json.dumps(dict(chosen.render(task).as_json(), stop=list(chosen.stop))) + "\n")
    finally:
        if out:
            fh.close()


@command("sample")
def sample_cmd(
    dataset: DatasetOpt,
    run: RunOpt,
    backend: Annotated[Backend, typer.Option(help="openai: any OpenAI-compatible server; hf: local transformers; file: import generations.")] = Backend["openai"],
    model: Annotated[Optional[str], typer.Option(help="Model name on the server (openai) or a local folder / hub name (hf).")] = None,
    n: Annotated[Optional[int], typer.Option("-n", "--n", help="Samples per task (up to 1000); a rerun tops up to n. Default 1, or with --backend file every sample the file has.")] = None,
    template: Annotated[Optional[str], typer.Option(help="Prompt template name or .toml path. Default: codex-1shot (APPS), humaneval.")] = None,
    temperature: Annotated[float, typer.Option(help="Sampling temperature.")] = 0.8,
    top_p: Annotated[float, typer.Option(help="Nucleus sampling p.")] = 0.95,
    max_tokens: Annotated[int, typer.Option(help="Most tokens per sample.")] = 1024,
    seed: Annotated[int, typer.Option(help="Run seed; each request's seed derives from it and the sample numbers.")] = 0,
    stop: Annotated[Optional[list[str]], typer.Option(help="Extra stop sequence (repeatable), after the template's own.")] = None,
    logprobs: Annotated[bool, typer.Option(help="Ask for token log-probs (ranked pass@1).")] = True,
    base_url: Annotated[Optional[str], typer.Option(help="openai: server URL, e.g. http://localhost:8000/v1 (default $OPENAI_BASE_URL).")] = None,
    api_key_env: Annotated[str, typer.Option(help="openai: environment variable holding the API key.")] = "OPENAI_API_KEY",
    concurrency: Annotated[int, typer.Option(help="openai: requests in flight.")] = 32,
    max_per_request: Annotated[int, typer.Option(help="openai: most samples per request (n is split).")] = 128,
    batch_size: Annotated[int, typer.Option(help="hf: sequences generated at once.")] = 16,
    device: Annotated[Optional[str], typer.Option(help="hf: torch device (default cuda if available, else cpu).")] = None,
    from_file: Annotated[Optional[str], typer.Option("--from", help="file: JSONL or bigcode JSON generations to import.")] = None,
    data: DataOpt = None,
    split: SplitOpt = "test",
    difficulty: DifficultyOpt = None,
    ids: IdsOpt = None,
    limit: LimitOpt = None,
    public_tests: PublicTestsOpt = "statement",
) -> None:
    """Sample programs from a model into RUN (then `judge evaluate --run RUN` judges them; `judge run` does both)."""
    from judge.evaluation import load_run
    from judge.render import terminal
    from judge.sampling import backend_options
    from judge.sampling.base import SamplingParams
    from judge.sampling.sampler import SampleOptions, most_per_task, sample
    given = {"path": from_file, "model": model, "base_url": base_url, "api_key_env": api_key_env,
             "concurrency": concurrency, "max_per_request": max_per_request, "batch_size": batch_size, "device": device}
    options = SampleOptions(n=1 if n is None else n, template=template or get_dataset(dataset.value).default_template,
                            backend=backend.value, backend_options=backend_options(backend.value, given),
                            params=SamplingParams(temperature=temperature, top_p=top_p, max_tokens=max_tokens,
                                                  stop=tuple(stop or ()), seed=seed, logprobs=logprobs))
    tasks, store = load_run(EvaluateOptions(samples=[], dataset=dataset.value, run_dir=run, data=data,
                                            selection=_selection(split, difficulty, ids, limit), public_tests=public_tests))
    try:
        if n is None and backend.value == "file":  # a file's samples: import them all, not the first of each task
            options = dataclasses.replace(options, n=max(1, most_per_task(from_file or "", tasks)))
        stats = sample(store, tasks, options, err_console)
    except KeyboardInterrupt:
        err_console.print(f"[yellow]interrupted; the samples received are kept in {run}: rerun to continue[/]")
        raise
    finally:
        store.close()
    err_console.print(terminal.sampling(stats))
    if stats.missing:
        _fail(f"{stats.missing} samples are still missing (the backend returned fewer); rerun to ask again")


@command("run")
def run_cmd(
    config: Annotated[str, typer.Argument(help="Run preset: a TOML file or a bundled preset name (codex-apps-1shot, humaneval-codex-pass1, humaneval-codex-pass100, demo).")],
    run: Annotated[Optional[str], typer.Option(help="Run directory (default: [run] dir of the preset).")] = None,
    n: Annotated[Optional[int], typer.Option("-n", "--n", help="Override [sampling] n.")] = None,
    model: Annotated[Optional[str], typer.Option(help="Override [sampling] model.")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="Override [sampling] base_url (openai).")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Override [dataset] limit.")] = None,
    workers: Annotated[Optional[int], typer.Option(help="Override [judge] workers.")] = None,
    after_timeout: Annotated[Optional[AfterTimeout], typer.Option("--after-timeout", help="Override [judge] after_timeout (continue or stop).")] = None,
    json_out: Annotated[Optional[str], typer.Option("--json", help="Also write the report as JSON here ('-': on stdout, instead of the table).")] = None,
) -> None:
    """Sample, judge and report in one pipelined run: the sandboxes judge while the model samples."""
    from judge import pipeline, runconfig
    from judge.render import terminal
    overrides: dict = {"sampling": {k: v for k, v in (("n", n), ("model", model), ("base_url", base_url)) if v is not None},
                       "dataset": {"limit": limit} if limit is not None else {},
                       "judge": {k: v for k, v in (("workers", workers),
                                                   ("after_timeout", after_timeout.value if after_timeout else None))
                                 if v is not None}}
    cfg = runconfig.load(config, run, overrides)
    try:
        result = pipeline.run(cfg, err_console)
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted; samples and verdicts so far are kept: rerun the same command to continue[/]")
        raise
    _show(result.report, f"{cfg.name} · {cfg.evaluate.run_dir}", json_out)
    err_console.print(terminal.sampling(result.sampling))
    err_console.print(f"judged {result.judging.programs} programs, {100 * result.overlap:.0f}% of them while sampling; "
                      f"total {result.seconds:.1f} s")
    if result.errors:
        _fail(f"sampling stopped early: {result.errors[0]}")


@command("report")
def report_cmd(
    run: Annotated[str, typer.Argument(help="Run directory.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="table (terminal), json, md (Markdown) or html (self-contained, with plots).")] = Format["table"],
    out: Annotated[Optional[str], typer.Option(help="Write here instead of the terminal (any format; a table as plain text).")] = None,
    json_out: Annotated[Optional[str], typer.Option("--json", help="Also write the report as JSON here ('-' for stdout).")] = None,
    plots: Annotated[Optional[str], typer.Option(help="Also write PNG and SVG figures (matplotlib) into this folder.")] = None,
    exclude: ExcludeOpt = None,
    timeout_only: TimeoutOnlyOpt = TimeoutOnly.some,
) -> None:
    """Print or write the pass@k report of a run."""
    from judge.render import get_format
    from judge.report import load_report
    fmt = get_format(format.value)
    report, context = load_report(run, parse_exclude(exclude), timeout_only.value, examples=fmt.EXAMPLES)
    if json_out == "-":
        _write_json("-", report)
        return
    if json_out:
        _write_json(json_out, report)
    if plots:
        from judge.render.plots import write_plots
        _write_figures(write_plots, report, plots)
    if format.value == "table" and not out:
        render(report, console, title=run)
        return
    _write_text(out, fmt.text(report, context))


@command("compare")
def compare_cmd(
    runs: Annotated[list[str], typer.Argument(help="Two or more run directories; the first is the baseline.")],
    k: Annotated[str, typer.Option(help="Comma-separated k (only k <= the smallest n are used).")] = "1,10,100",
    json_out: Annotated[Optional[str], typer.Option("--json", help="Write the comparison as JSON here ('-' for stdout).")] = None,
    exclude: ExcludeOpt = None,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples of the problems.")] = 10_000,
    timeout_only: TimeoutOnlyOpt = TimeoutOnly.some,
) -> None:
    """Runs side by side: pass@k, differences with paired bootstrap 95% intervals, problems solved by one only."""
    from judge.compare import compare_runs
    from judge.render import terminal
    result = compare_runs(runs, parse_ks(k), parse_exclude(exclude), bootstrap, timeout_only.value)
    if json_out == "-":
        _write_json("-", result)
        return
    if json_out:
        _write_json(json_out, result)
    terminal.comparison(result, console, err_console)


@command("audit")
def audit_cmd(
    dataset: DatasetOpt,
    run: RunOpt,
    data: DataOpt = None,
    split: SplitOpt = "test",
    difficulty: DifficultyOpt = None,
    ids: IdsOpt = None,
    limit: LimitOpt = None,
    references: Annotated[int, typer.Option(help="Reference solutions judged per problem (at most).")] = 5,
    compare: Annotated[Optional[Compare], typer.Option(help="Output comparison rule for tasks without their own checker. Default: the dataset's (strict).")] = None,
    timeout: Annotated[float, typer.Option(help="CPU seconds per test.")] = 3.0,
    workers: Annotated[int, typer.Option(help="Parallel sandboxes (default: physical cores).")] = 0,
    out: Annotated[Optional[str], typer.Option(help="Write the ids of problems whose references all fail here (for --exclude).")] = None,
    json_out: Annotated[Optional[str], typer.Option("--json", help="Write the audit as JSON here.")] = None,
    checkers: CheckersOpt = None,
) -> None:
    """Judge a dataset's own reference solutions and list the problems they fail (broken tests, "print any")."""
    from judge.audit import audit, write_exclude
    from judge.render import terminal
    options = EvaluateOptions(samples=[], dataset=dataset.value, run_dir=run, data=data,
                              selection=_selection(split, difficulty, ids, limit), limits=Limits(cpu=timeout),
                              workers=workers, ks=[1], compare=_rule(compare, dataset), checkers=checkers)
    result = audit(options, references, err_console)
    terminal.audit(result, console)
    if out:
        write_exclude(out, result, references, dataset.value)
        err_console.print(f"wrote {out}: use it with --exclude")
    if json_out:
        _write_json(json_out, result)


@command("sweep")
def sweep_cmd(
    config: Annotated[str, typer.Argument(help="Run preset (TOML file or bundled name).")],
    temperatures: Annotated[str, typer.Option(help="Comma-separated temperatures.")] = "0.2,0.4,0.6,0.8,1.0",
    run: Annotated[Optional[str], typer.Option(help="Base run directory; each temperature gets BASE-T<t>.")] = None,
    n: Annotated[Optional[int], typer.Option("-n", "--n", help="Override [sampling] n.")] = None,
    model: Annotated[Optional[str], typer.Option(help="Override [sampling] model.")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="Override [sampling] base_url (openai).")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Override [dataset] limit.")] = None,
    json_out: Annotated[Optional[str], typer.Option("--json", help="Write the sweep as JSON here.")] = None,
    plot: Annotated[Optional[str], typer.Option(help="Write a figure of pass@k against temperature (PNG and SVG) with this path stem.")] = None,
) -> None:
    """Run a preset at several temperatures and report the best temperature per k (Codex Fig. 5/6)."""
    from judge.render import terminal
    from judge.sweep import parse_temperatures, sweep
    temps = parse_temperatures(temperatures)
    if plot:  # before the work, not after it
        from judge.render.plots import pyplot
        pyplot()
    overrides: dict = {"sampling": {key: v for key, v in (("n", n), ("model", model), ("base_url", base_url)) if v is not None},
                       "dataset": {"limit": limit} if limit is not None else {}}
    result = sweep(config, temps, run, overrides, err_console)
    terminal.sweep(result, console)
    if json_out:
        _write_json(json_out, result)
    if plot:
        from judge.render.plots import write_sweep_plot
        _write_figures(write_sweep_plot, result, plot)


@command("merge")
def merge_cmd(
    out: Annotated[str, typer.Argument(help="The merged run directory (new).")],
    runs: Annotated[list[str], typer.Argument(help="Run directories of disjoint shards (--shard I/N) of one evaluation.")],
    json_out: Annotated[Optional[str], typer.Option("--json", help="Also write the merged report as JSON here ('-': on stdout, instead of the table).")] = None,
) -> None:
    """Merge the runs of shards into one run, then print its report."""
    from judge.merge import merge
    counts = merge(out, runs)
    err_console.print(f"merged {counts['runs']} runs: {counts['tasks']} tasks, {counts['samples']} samples into {out}")
    store = RunStore.existing(out)
    try:
        report = build_report(store)
    finally:
        store.close()
    _show(report, out, json_out)


@command("serve")
def serve_cmd(
    host: Annotated[str, typer.Option(help="Address to listen on (default: loopback only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free one, printed).")] = 8080,
    token_file: Annotated[Optional[str], typer.Option(help="File holding the bearer token clients must send (default: $JUDGE_TOKEN).")] = None,
    workers: Annotated[int, typer.Option(help="Parallel sandboxes (default: physical cores).")] = 0,
    timeout: Annotated[float, typer.Option(help="CPU seconds per test: the most a request may ask for.")] = 3.0,
    memory: Annotated[int, typer.Option(help="Memory per test, MiB: the most a request may ask for.")] = 1024,
    max_queue: Annotated[int, typer.Option(help="Programs waiting at most; more are refused with 429 and Retry-After.")] = 10_000,
    max_body: Annotated[int, typer.Option(help="Largest request body, MiB (413 above).")] = 64,
    dataset: Annotated[Optional[DatasetName], typer.Option(help="Load this dataset, so that requests can name tasks by task_id.")] = None,
    data: DataOpt = None,
    split: SplitOpt = "test",
    ids: IdsOpt = None,
    compare: Annotated[Compare, typer.Option(help="Output comparison rule for tasks without their own checker.")] = Compare["strict"],
    python: Annotated[Optional[str], typer.Option(help="Interpreter the programs run in (default: the judge's own).")] = None,
    packages: Annotated[str, typer.Option(help="Third-party packages programs may import ('none', 'all').")] = ",".join(DEFAULT_PACKAGES),
) -> None:
    """Serve the judge over HTTP (JSON): POST /v1/judge, /v1/judge/stream, GET /v1/health; bearer token required."""
    from judge.serve import Service, serve
    token = os.environ.get("JUDGE_TOKEN", "")
    if token_file:
        try:
            with open(token_file, encoding="utf-8") as fh:
                token = fh.read().strip()
        except OSError as err:
            _fail(f"--token-file {token_file}: cannot read it ({err.strerror})")
    if not 0 <= port <= 65535:
        _fail(f"--port {port}: not a port number")
    tasks = {}
    if dataset is not None:
        from judge.datasets import load_tasks
        from judge.evaluation import attach_checkers
        loaded = load_tasks(dataset.value, data, _selection(split, None, ids, None))
        attach_checkers(loaded, EvaluateOptions(samples=[], dataset=dataset.value, run_dir="", data=data))
        tasks = {t.task_id: t for t in loaded if not t.defect}
    service = Service(token, tasks, workers=workers, timeout=timeout, memory=memory, max_queue=max_queue,
                      max_body=max_body << 20, compare=compare.value, runtime=Runtime(python or "", parse_packages(packages)))
    serve(service, host, port, ready=lambda bound: err_console.print(
        f"serving on http://{host}:{bound} with {service.health()['workers']} workers"
        + (f", {len(tasks)} {dataset.value} tasks" if dataset else "") + "; Ctrl-C or SIGTERM to stop", soft_wrap=True))


@command("export")
def export_cmd(
    run: Annotated[str, typer.Argument(help="Run directory.")],
    out: Annotated[Optional[str], typer.Option(help="Output JSONL file (default: stdout).")] = None,
) -> None:
    """Write one JSON line per sample: verdicts, flags and per-test records (time, memory, rule)."""
    from judge.export import export_samples
    store = RunStore.existing(run)
    fh = open(out, "w", encoding="utf-8") if out else sys.stdout
    try:
        for row in export_samples(store):
            fh.write(json.dumps(row) + "\n")
    finally:
        store.close()
        if out:
            fh.close()


@command("demo")
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
            report = evaluate(options, err_console)
        render(report, console, title=title)
    apps_run = os.path.join(base, "apps")
    console.print(f"runs kept in {base}: try `judge report {apps_run} --format html --out report.html`, "
                  f"`judge report {apps_run} --json -` or `judge export {apps_run}`")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
