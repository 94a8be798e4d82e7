"""Are verdicts repeatable?  The APPS benchmark programs judged several times, compared test by test.

    python benchmarks/flakiness.py [--runs 3] [--workers 2] [--load]

Programs: the references of the 153 APPS problems in ../shared/data plus their mutants (wrong
output, crash, off-by-one, a few infinite loops), as in benchmarks/apps.py.  ``--load`` runs
the last repetition with two CPU-bound processes competing for the machine, the situation in
which time limits flip.  Printed: per-test and per-program verdicts that differ between runs,
and the tests whose CPU time came within 20% of the limit (the candidates for flipping).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from benchmarks.apps import PROBLEMS, build_programs  # noqa: E402
from judge.store import RunStore  # noqa: E402


def burn() -> None:
    while True:
        pass


def verdicts(run_dir: str) -> tuple[dict, dict, list]:
    store = RunStore(run_dir, readonly=True)
    tests, programs, near = {}, {}, []
    for sample, records in store.judged_sample_tests():
        programs[sample.sample_index] = sample.outcome.verdict
        for t in records:
            tests[(sample.sample_index, t.role, t.index)] = t.verdict
            if t.verdict in ("AC", "WA", "TLE") and t.cpu > 0.8 * 3.0:
                near.append((sample.sample_index, t.index, round(t.cpu, 2), t.verdict))
    store.close()
    return tests, programs, near


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--load", action="store_true")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-flaky-")
    programs = build_programs(True)
    samples = os.path.join(work, "programs.jsonl")
    with open(samples, "w") as fh:
        for index, row in enumerate(programs):
            fh.write(json.dumps({"task_id": row["task_id"], "sample_id": index, "completion": row["completion"]}) + "\n")
    runs = []
    for i in range(args.runs):
        hogs = []
        if args.load and i == args.runs - 1:
            hogs = [mp.Process(target=burn, daemon=True) for _ in range(2)]
            for hog in hogs:
                hog.start()
        run_dir = os.path.join(work, f"run-{i}")
        subprocess.run([sys.executable, "-m", "judge", "evaluate", samples, "--dataset", "apps", "--data", PROBLEMS,
                        "--run", run_dir, "--k", "1", "--workers", str(args.workers)], check=True, capture_output=True)
        for hog in hogs:
            hog.terminate()
        runs.append(verdicts(run_dir))
        print(f"run {i + 1}{' (under load)' if hogs else ''}: done", flush=True)
    first_tests, first_programs, near = runs[0]
    flaky_tests = sorted({key for tests, _, _ in runs[1:] for key in set(tests) | set(first_tests)
                          if tests.get(key) != first_tests.get(key)})
    flaky_programs = sorted({i for _, progs, _ in runs[1:] for i in progs if progs[i] != first_programs.get(i)})
    print(f"\n{len(programs)} programs, {len(first_tests)} test verdicts per run, {args.runs} runs"
          f"{' (the last under load)' if args.load else ''}")
    print(f"flaky test verdicts: {len(flaky_tests)}; flaky program verdicts: {len(flaky_programs)}")
    for key in flaky_tests[:20]:
        print("  ", key, [tests.get(key) for tests, _, _ in runs])
    print(f"tests within 20% of the 3 s limit in run 1: {len(near)} {near[:10]}")
    print(f"(runs kept in {work})")


if __name__ == "__main__":
    main()
