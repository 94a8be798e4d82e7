"""What hostile programs cost the trusted side: referee CPU and stored bytes per program.

    python benchmarks/hostile.py [--timeout 1]

Judges every program of the adversarial corpus's stdin and call-based tasks in this process,
which plays the referee (the zygote and the test children are other processes), and prints,
per program, the referee's CPU time (its own work: sending, decoding, comparing) beside the
program's own CPU limit, and the size of the outcome as the run store keeps it (JSON).
Summary: the largest referee CPU as a multiple of the limit, and the largest outcome.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests", "adversarial")]

from corpus import CORPUS  # noqa: E402

from judge.checkers import get_rule  # noqa: E402
from judge.datasets import Task, Test  # noqa: E402
from judge.execution.judging import Judge, ZygotePair  # noqa: E402
from judge.sandbox.client import Limits, SandboxOptions  # noqa: E402

TASKS = {
    "sum": Task("sum", kind="stdio", tests=[Test("1 2\n", "3\n"), Test("10 20\n", "30\n")]),
    "secret": Task("secret", kind="stdio", tests=[Test("x\n", "0123456789abcdef\n")]),
    "float": Task("float", kind="stdio", tests=[Test("1 3\n", "0.333333333\n")]),
    "add": Task("add", kind="call", fn_name="add", tests=[Test([1, 2], [3]), Test([20, 22], [42])]),
    "big": Task("big", kind="call", fn_name="big", tests=[Test([], [10 ** 400])]),
}
VALUES = {"MARK": "bench-mark", "PORT": "9", "RUN": "/nonexistent", "DATA": "/nonexistent", "SECRET": "x",
          "ROOT": ROOT, "RUNS": "/nonexistent", "MARKHEX": "0" * 32}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=1.0)
    args = parser.parse_args()
    sys.set_int_max_str_digits(100_000)  # as a referee does
    limits = Limits(cpu=args.timeout, memory=256 << 20)
    uid = 2_400_000 if os.geteuid() == 0 else None
    pair = ZygotePair(0, SandboxOptions(tempfile.mkdtemp(prefix="bench-hostile-"), uid=uid), limits)
    judge = Judge(pair, get_rule("strict"))
    rows = []
    try:
        for name, task_id, source, _ in CORPUS:
            if task_id not in TASKS:
                continue
            cpu = time.process_time()
            outcome = judge.judge(TASKS[task_id], source.format(**VALUES)).to_dict()
            cpu = time.process_time() - cpu
            stored = len(json.dumps(outcome).encode())
            program_cpu = sum(t["cpu"] for t in outcome["tests"])
            rows.append((name, outcome["verdict"], cpu, program_cpu, stored))
    finally:
        pair.close()
    print(f"{'program':48} {'verdict':>7} {'referee CPU s':>13} {'program CPU s':>13} {'stored B':>9}")
    for name, verdict, cpu, program_cpu, stored in rows:
        print(f"{name[:48]:48} {verdict:>7} {cpu:13.3f} {program_cpu:13.3f} {stored:9d}")
    worst = max(rows, key=lambda r: r[2])
    largest = max(rows, key=lambda r: r[4])
    print(f"\n{len(rows)} hostile programs; CPU limit per test {limits.cpu:g} s")
    print(f"referee CPU: median {statistics.median(r[2] for r in rows):.3f} s, max {worst[2]:.3f} s ({worst[0]}) "
          f"= {worst[2] / limits.cpu:.2f}x the limit")
    print(f"stored outcome: median {statistics.median(r[4] for r in rows):.0f} B, max {largest[4]} B ({largest[0]})")


if __name__ == "__main__":
    main()
