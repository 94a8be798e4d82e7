"""How many programs per second the judging driver can take in, whatever the number of workers.

    python benchmarks/driver.py [--programs 40000] [--workers 2,16,64] [--tests 1]

One driver process feeds every worker and stores every outcome, so on a server with many cores
it may become the bottleneck before the cores do.  This measures its ceiling without needing the
cores: the real ``evaluate()`` (ingest, work units, the referee pool, the run store, progress)
runs with the real referee processes, whose sandboxes and judging are replaced by a stand-in
that takes ``--program-ms`` per program (asleep, so that 64 of them fit on 2 cores) and answers
with an outcome of ``--tests`` hidden tests shaped like the real ones: 64 workers at 4 ms offer
the driver what 64 cores judging failing samples (one test each) would.  Printed per worker count, for the judging phase
(after start-up and ingest): programs/s offered by the stand-ins and taken in by the driver,
and the driver's own CPU time per program (the figure that carries over to a larger machine).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from benchmarks.apps import PROBLEMS  # noqa: E402
from judge.execution import judging  # noqa: E402
from judge.execution.pool import RefereePool  # noqa: E402


class StandInZygotes:
    """In place of a worker's sandboxes: nothing to start."""

    def __init__(self, *_args) -> None:
        pass

    def info(self) -> dict:
        return {"spawn": "stand-in"}

    def close(self) -> None:
        pass


class StandInJudge:
    """Judges every program in ``seconds`` (asleep) with an outcome of ``tests`` passed hidden tests."""

    seconds, tests = 0.004, 1  # set before the referees fork

    def __init__(self, *_args) -> None:
        tests = [{"role": "hidden", "index": i, "verdict": "AC", "detail": "", "accepted_by": "exact", "cpu": 0.0012,
                  "wall": 0.0015, "memory_kb": 9000, "output": "", "strict": None} for i in range(self.tests)]
        self.outcome = {"verdict": "AC", "passed": True, "timeout_only": False, "public_passed": True,
                        "public_passed_with_timeouts": True, "tests": tests, "internal_errors": 0}

    def judge(self, _task, _source):
        time.sleep(self.seconds)
        return self

    def to_dict(self) -> dict:
        return self.outcome


def run(samples: str, workers: int, tests: int, program_seconds: float) -> tuple[float, float, int]:
    from rich.console import Console

    from judge.evaluation import EvaluateOptions, evaluate

    # The real referees (forked: they see these replacements), with stand-ins for what they drive.
    judging.Judge, judging.ZygotePair = StandInJudge, StandInZygotes
    StandInJudge.seconds, StandInJudge.tests = program_seconds, tests
    run_dir = os.path.join(tempfile.mkdtemp(prefix="bench-driver-run-"), "run")
    opts = EvaluateOptions(samples=[samples], dataset="apps", data=PROBLEMS, run_dir=run_dir, workers=workers,
                           public_tests="first:1", ks=[1])
    measured = {}
    judge_all = RefereePool.run

    def timed_run(pool, units, on_outcome) -> None:  # the judging phase only: not ingest, not start-up
        before, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        judge_all(pool, units, on_outcome)
        after = resource.getrusage(resource.RUSAGE_SELF)
        measured["wall"] = time.perf_counter() - start
        measured["cpu"] = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime

    RefereePool.run = timed_run
    try:
        report = evaluate(opts, Console(stderr=True, quiet=True))
    finally:
        RefereePool.run = judge_all
    return measured["wall"], measured["cpu"], report["counts"]["unique_programs"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programs", type=int, default=40000)
    parser.add_argument("--workers", default="2,16,64")
    parser.add_argument("--tests", type=int, default=1, help="hidden tests per outcome (1: a typical failing sample)")
    parser.add_argument("--program-ms", type=float, default=4.0,
                        help="how long a stand-in takes per program (sleeping, so that many fit on few cores)")
    args = parser.parse_args()
    with gzip.open(PROBLEMS, "rt") as fh:
        task_ids = [str(json.loads(line)["problem_id"]) for line in fh]
    samples = os.path.join(tempfile.mkdtemp(prefix="bench-driver-"), "samples.jsonl")
    with open(samples, "w") as fh:
        for i in range(args.programs):
            fh.write(json.dumps({"task_id": task_ids[i % len(task_ids)], "completion": f"print({i})\n"}) + "\n")
    print(f"{args.programs} distinct programs on {len(task_ids)} problems, {args.tests} test(s) per outcome; "
          f"{os.cpu_count()} CPUs")
    print(f"{'workers':>8s}{'offered/s':>11s}{'wall s':>9s}{'programs/s':>12s}{'of offered':>12s}"
          f"{'driver CPU ms/program':>23s}")
    for workers in (int(w) for w in args.workers.split(",")):
        offered = workers * 1000 / args.program_ms
        wall, cpu, programs = run(samples, workers, args.tests, args.program_ms / 1000)
        print(f"{workers:8d}{offered:11.0f}{wall:9.1f}{programs / wall:12.0f}{programs / wall / offered:12.0%}"
              f"{1000 * cpu / programs:23.3f}", flush=True)


if __name__ == "__main__":
    main()
