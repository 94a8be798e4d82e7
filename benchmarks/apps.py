"""APPS: judge vs a naive subprocess-per-test runner vs the original APPS harness, same programs.

    python benchmarks/apps.py [--apps-checkout PATH] [--repeat 3] [--naive-runs 1] [--mutants]

Programs: the first 5 reference solutions of each of the 153 APPS problems in ../shared/data
(697 programs); ``--mutants`` adds programs derived from them (wrong output, crash after
output, off-by-one, infinite loop).  Every harness stops a program's hidden tests at its first
failure other than TLE; the judge's public tests are set to the first hidden test so it runs
no extra input.  Printed: wall and CPU time (medians), tests/s, programs/s, ratios, the
floor (the programs' own CPU time: the tests the judge ran, each in a bare forked child of a
minimal server without any sandbox, summed / workers; see benchmarks/floor.py), that bare
server's wall time (what a fork-per-test judge takes with no sandbox, no referee and no
comparison), and per-test verdict agreement between the judge and the naive runner.  The naive runner passes a
call-based program's return value through stdout, so a program that also prints (one of these
references prints a debug line) is RE there and AC for the judge and the APPS harness.
The judge runs as ``python -m judge evaluate`` from this checkout, its bytecode compiled first
(as an installed wheel has it), and each run of it is paired with a run of the bare server:
judge/bare is quoted per pair and as the median of the pairs.
"""

from __future__ import annotations

import argparse
import compileall
import gzip
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from benchmarks import floor as bare  # noqa: E402
from benchmarks import naive_runner  # noqa: E402
from benchmarks.shared_data import path as shared_path  # noqa: E402
from judge.datasets import Selection, load_tasks  # noqa: E402
from judge.store import RunStore  # noqa: E402

PROBLEMS = shared_path("apps/apps_train_153.jsonl.gz")


def mutants(source: str) -> list[tuple[str, str]]:
    """Realistic wrong programs derived from a correct one."""
    out = [("wrong-output", source + "\nprint('0')\n"),
           ("crash-after-output", source + "\nimport sys\nsys.exit(1)\n")]
    off_by_one = re.sub(r"range\((\w+)\)", r"range(\1 - 1)", source, count=1)
    if off_by_one != source:
        out.append(("off-by-one", off_by_one))
    return out


def build_programs(with_mutants: bool) -> list[dict]:
    rows = []
    with gzip.open(PROBLEMS, "rt") as fh:
        problems = [json.loads(line) for line in fh]
    for number, problem in enumerate(problems):
        refs = json.loads(problem["solutions"])[:5]
        rows += [{"task_id": problem["problem_id"], "completion": code, "kind": "reference"} for code in refs]
        if with_mutants and refs:
            rows += [{"task_id": problem["problem_id"], "completion": code, "kind": kind} for kind, code in mutants(refs[0])]
            if number % 50 == 0:  # a few programs that never finish
                rows.append({"task_id": problem["problem_id"], "completion": "while True:\n    pass\n" + refs[0],
                             "kind": "infinite-loop"})
    return rows


def executed_tests(run_dir: str, programs: list[dict], tasks: dict) -> list[tuple]:
    """The bare server's work: each program the judge executed, with the hidden tests it ran."""
    store = RunStore(run_dir, readonly=True)
    work = []
    for sample, tests in store.judged_programs():
        indices = sorted(t.index for t in tests if t.role == "hidden")
        row = programs[sample.sample_index]
        task = tasks[str(row["task_id"])]
        work.append((task.kind, row["completion"], task.fn_name, task.solution_class,
                     [task.tests[i].input for i in indices]))
    store.close()
    return work


def timed(fn):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = fn()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--apps-checkout", help="a local checkout of hendrycks/apps, to run its eval/testing_util.py")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mutants", action="store_true")
    parser.add_argument("--naive-runs", type=int, default=1,
                        help="runs of the (slow) naive runner; its verdicts come from the first")
    args = parser.parse_args()

    # The judge runs from its compiled bytecode, as an installed wheel does (pip compiles it): a
    # checkout under PYTHONDONTWRITEBYTECODE would compile its modules again in every process
    # it starts (measured: +0.09 s for the command, +30 ms for each zygote and its compiler).
    compileall.compile_dir(os.path.join(os.path.dirname(HERE), "judge"), quiet=1)
    work = tempfile.mkdtemp(prefix="bench-apps-")
    programs = build_programs(args.mutants)
    samples = os.path.join(work, "programs.jsonl")
    with open(samples, "w") as fh:
        for index, row in enumerate(programs):
            fh.write(json.dumps({"task_id": row["task_id"], "sample_id": index, "completion": row["completion"]}) + "\n")
    tasks = {t.task_id: t for t in load_tasks("apps", PROBLEMS, Selection(), "first:1")}
    work_items = [(tasks[str(r["task_id"])], r["completion"]) for r in programs]
    print(f"{len(programs)} programs on {len(tasks)} problems; {args.workers} workers; work dir {work}", flush=True)

    results: dict[str, list[tuple[float, float]]] = {"judge": [], "bare": [], "naive": [], "apps": []}
    naive_verdicts = None
    bare_work: list[tuple] = []
    for i in range(args.repeat):
        run_dir = os.path.join(work, f"judge-{i}")
        cmd = [sys.executable, "-m", "judge", "evaluate", samples, "--dataset", "apps", "--data", PROBLEMS,
               "--run", run_dir, "--k", "1", "--workers", str(args.workers), "--public-tests", "first:1"]
        wall, cpu, _ = timed(lambda: subprocess.run(cmd, check=True, capture_output=True))
        results["judge"].append((wall, cpu))
        if i == 0:
            bare_work = executed_tests(run_dir, programs, tasks)
        wall, child_cpu, _ = bare.measure(bare_work, args.workers)
        results["bare"].append((wall, child_cpu))
        if i < args.naive_runs:
            wall, cpu, naive_verdicts = timed(lambda: naive_runner.judge_all(work_items, args.workers))
            results["naive"].append((wall, cpu))
        if args.apps_checkout:
            out = os.path.join(work, f"apps-{i}.jsonl")
            driver = [sys.executable, os.path.join(HERE, "apps_harness_driver.py"), args.apps_checkout, PROBLEMS, samples, out]
            wall, cpu, _ = timed(lambda: subprocess.run(driver, check=True, stdout=subprocess.DEVNULL))
            results["apps"].append((wall, cpu))
        print(f"run {i + 1}: " + ", ".join(f"{k} {v[-1][0]:.1f} s" for k, v in results.items() if v), flush=True)

    store = RunStore(os.path.join(work, "judge-0"), readonly=True)
    judge_tests = {(sample.sample_index, t.index): (t.verdict, t.cpu)
                   for sample, tests in store.judged_sample_tests() for t in tests if t.role == "hidden"}
    store.close()
    # The floor: the programs' own CPU in bare forked children (what the judge executed:
    # identical programs run once), per run, since this machine's speed drifts between runs.
    floors = [child_cpu / args.workers for _, child_cpu in results["bare"]]
    ratios = [wall / floor for (wall, _), floor in zip(results["judge"], floors)]
    judge_child = []
    for i in range(args.repeat):
        store = RunStore(os.path.join(work, f"judge-{i}"), readonly=True)
        hidden = [t.cpu for _, tests in store.judged_programs() for t in tests if t.role == "hidden"]
        store.close()
        judge_child.append(sum(hidden))
        executed = len(hidden)
    tests_run = len(judge_tests)  # per program, as every harness here runs them
    same = total = 0
    differences = []
    for index, verdicts in enumerate(naive_verdicts or []):
        for test_index, verdict in verdicts:
            mine = judge_tests.get((index, test_index))
            if mine is None:
                continue
            total += 1
            if mine[0] == verdict:
                same += 1
            else:
                differences.append((programs[index]["task_id"], index, test_index, mine[0], verdict))

    floor = statistics.median(floors)
    print(f"\n{'':26s}{'wall s':>10s}{'CPU s':>10s}{'tests/s':>10s}{'programs/s':>12s}{'vs judge':>10s}")
    judge_wall = statistics.median(w for w, _ in results["judge"])
    labels = (("judge", "judge"), ("bare", "bare fork-server"), ("naive", "naive subprocess/test"),
              ("apps", "APPS harness"))
    for name, label in labels:
        if not results[name]:
            continue
        wall = statistics.median(w for w, _ in results[name])
        cpu = "" if name == "bare" else f"{statistics.median(c for _, c in results[name]):10.1f}"
        print(f"{label:26s}{wall:10.1f}{cpu:>10s}{tests_run / wall:10.0f}{len(programs) / wall:12.1f}{wall / judge_wall:9.2f}x")
    print(f"{'floor (child CPU/workers)':26s}{floor:10.1f}{'':10s}{tests_run / floor:10.0f}{'':12s}{floor / judge_wall:9.2f}x")
    bare_ratios = [j / b for (j, _), (b, _) in zip(results["judge"], results["bare"])]
    print(f"\ntests: {tests_run} (the judge executed {executed}: identical programs run once); child CPU per test: "
          f"{1000 * floor * args.workers / executed:.2f} ms bare, {1000 * statistics.median(judge_child) / executed:.2f} ms "
          f"in the judge's sandboxed children (medians)")
    print(f"judge wall / floor = {statistics.median(ratios):.2f} (runs: {', '.join(f'{r:.2f}' for r in ratios)}); "
          f"bare fork-server wall / floor = {statistics.median(b / f for (b, _), f in zip(results['bare'], floors)):.2f}; "
          f"judge wall / bare fork-server wall = {statistics.median(bare_ratios):.2f} "
          f"(runs: {', '.join(f'{r:.2f}' for r in bare_ratios)})")
    if naive_verdicts is not None:
        print(f"per-test verdicts identical to the naive runner's: {same}/{total} ({100 * same / max(total, 1):.2f}%)")
    for item in differences[:40]:
        print("  differs: task {} program {} test {}: judge {} / naive {}".format(*item))


if __name__ == "__main__":
    main()
