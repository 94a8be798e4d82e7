"""Real model generations: where the time goes, judge wall time against the workload's floor,
and ``--after-timeout stop`` against ``continue``, in one run.

    python benchmarks/realistic.py [--repeat 3] [--workers 2] [--humaneval] [--timeout 3]

Workloads (real programs, nothing synthetic):
- apps: every real APPS generation here: CodeRL's samples for 5 problems and the final program of
  each GPT-4-Turbo / ChatGPT prompting method published with MapCoder, on its 52 stdin
  problems, including the problems the bundled demo leaves out because their samples loop
  (573 samples);
- humaneval (``--humaneval``): the 16,400 CodeGen-Mono-16B samples, truncated at the Codex
  stop sequences.

Each workload is judged with ``--after-timeout continue`` and ``stop``, alternated ``--repeat``
times.  Printed per mode (medians): wall time; the floor, i.e. the sum of every execution's
CPU in its sandboxed child, time limits included, / workers (what the workload costs
if workers never wait); judge wall / floor; the share of that CPU spent in tests that hit
the time limit; and whether raw and filtered pass@k are identical between the modes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from benchmarks.floor import execution_cpu  # noqa: E402
from benchmarks.shared_data import apps_generations, apps_problems, codegen16b_humaneval  # noqa: E402
from judge.samples import CODEX_STOPS, truncate  # noqa: E402


def write_jsonl(path: str, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")


def workloads(work: str, humaneval: bool) -> dict[str, list[str]]:
    """name -> the `judge evaluate` arguments of that workload."""
    problems = apps_problems()
    data, samples = os.path.join(work, "apps.jsonl"), os.path.join(work, "apps-samples.jsonl")
    write_jsonl(data, [problems[k] for k in sorted(problems)])
    generations = apps_generations(problems)
    write_jsonl(samples, [{"task_id": s["task_id"], "completion": s["completion"]} for s in generations])
    out = {f"apps ({len(generations)} generations)": [samples, "--dataset", "apps", "--data", data]}
    if humaneval:
        he = os.path.join(work, "humaneval-samples.jsonl")
        rows = [{"task_id": t, "completion": truncate(c, CODEX_STOPS)} for t, cs in codegen16b_humaneval() for c in cs]
        write_jsonl(he, rows)
        out[f"humaneval ({len(rows)} CodeGen-16B samples)"] = [he, "--dataset", "humaneval"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--humaneval", action="store_true", help="also the 16,400 CodeGen HumanEval samples")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-realistic-")
    print(f"{args.workers} workers, {args.timeout:g} s per test; work dir {work}", flush=True)
    for name, arguments in workloads(work, args.humaneval).items():
        runs: dict[str, list[dict]] = {"continue": [], "stop": []}
        for i in range(args.repeat):
            for mode in runs:
                run_dir = os.path.join(work, f"{name.split()[0]}-{mode}-{i}")
                report_path = run_dir + ".json"
                cmd = [sys.executable, "-m", "judge", "evaluate", *arguments, "--run", run_dir, "--k", "1,10,100",
                       "--workers", str(args.workers), "--timeout", str(args.timeout), "--after-timeout", mode,
                       "--json", report_path]
                start = time.perf_counter()
                subprocess.run(cmd, check=True, capture_output=True)
                wall = time.perf_counter() - start
                tle, rest, tests = execution_cpu(run_dir)
                with open(report_path) as fh:
                    report = json.load(fh)
                runs[mode].append({"wall": wall, "tle": tle, "rest": rest, "tests": tests, "report": report})
                print(f"  {name} run {i + 1} {mode}: {wall:.1f} s", flush=True)
        print(f"\n{name}")
        print(f"{'':12s}{'wall s':>9s}{'floor s':>9s}{'wall/floor':>12s}{'TLE CPU s':>11s}{'other CPU s':>13s}"
              f"{'TLE share':>11s}{'executions':>12s}")
        walls = {}
        for mode, items in runs.items():
            wall = statistics.median(r["wall"] for r in items)
            floor = statistics.median((r["tle"] + r["rest"]) / args.workers for r in items)
            ratio = statistics.median(r["wall"] / ((r["tle"] + r["rest"]) / args.workers) for r in items)
            tle = statistics.median(r["tle"] for r in items)
            rest = statistics.median(r["rest"] for r in items)
            walls[mode] = wall
            print(f"{mode:12s}{wall:9.1f}{floor:9.1f}{ratio:12.2f}{tle:11.1f}{rest:13.1f}"
                  f"{100 * tle / max(tle + rest, 1e-9):10.0f}%{statistics.median(r['tests'] for r in items):12.0f}")
        first = runs["continue"][0]["report"]
        same = all(r["report"][view] == first[view] for r in runs["continue"] + runs["stop"] for view in ("raw", "filtered"))
        print(f"stop / continue wall: {walls['stop'] / walls['continue']:.2f}; raw and filtered pass@k identical in "
              f"every run of both modes: {same}")
        print("pass@k: " + ", ".join(f"{view} {key} {100 * value:.2f}" for view in ("raw", "filtered", "raw_with_timeouts")
                                     for key, value in first[view].items()))
        counts = first["counts"]
        print(f"timeout-only samples {counts['timeout_only_samples']}, timing out on every test "
              f"{counts['all_timeout_samples']}; sample verdicts {counts['verdicts']}")


if __name__ == "__main__":
    main()
