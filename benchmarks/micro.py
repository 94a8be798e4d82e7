"""Per-test overhead of the judge on a trivial program (a+b), against this machine's floors.

    python benchmarks/micro.py [--tests 2000] [--repeat 5]

Floors, measured here in the same run, pinned to one CPU like a judge worker:
- bare fork+exit: a Python process with nothing imported forks a child that exits at once;
- a+b's own run: the same, but the child reads two numbers from a memfd, adds and prints them
  (the work of the program, with no sandbox and no harness).
Judge: the referee pool (no CLI start-up, no dataset loading), one task whose a+b tests all
pass, with 1 and then 2 workers.  Medians of --repeat runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PROGRAM = "a, b = map(int, input().split())\nprint(a + b)\n"

FLOOR = r"""
import os, sys, time, statistics
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # pinned, like a judge worker
mode, n = sys.argv[1], int(sys.argv[2])
code = compile(sys.argv[3], "solution.py", "exec")
fd = os.memfd_create("in")
os.write(fd, b"3 4\n")
out = os.memfd_create("out")
times = []
for _ in range(n):
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        if mode == "run":
            os.lseek(fd, 0, 0)
            os.dup2(fd, 0)
            os.dup2(out, 1)
            exec(code, {"__name__": "__main__"})
            sys.stdout.flush()
        os._exit(0)
    os.waitpid(pid, 0)
    times.append(time.perf_counter() - start)
print(statistics.median(times))
"""


def floor(mode: str, n: int) -> float:
    out = subprocess.run([sys.executable, "-S", "-c", FLOOR, mode, str(n), PROGRAM], check=True,
                         capture_output=True, text=True, env={"PATH": os.environ.get("PATH", "")})
    return float(out.stdout)


def judge_per_test(workers: int, tests: int) -> float:
    from judge.datasets import Task, Test
    from judge.execution.pool import RefereePool, Unit
    from judge.sandbox.client import Limits
    per_program = 100
    programs = tests // per_program
    task = Task(task_id="ab", kind="stdio", tests=[Test(f"{i} {i}\n", f"{2 * i}\n") for i in range(per_program)])
    scratch = tempfile.mkdtemp(prefix="micro-")
    os.chmod(scratch, 0o711)
    config = {"limits": Limits().__dict__, "rule": "strict", "after_timeout": "continue",
              "sandbox": {"scratch_root": scratch, "uid": 2_500_000 if os.geteuid() == 0 else None, "hidden": []}}
    pool = RefereePool(workers, config)
    pool.wait_ready()
    # distinct texts, so that deduplication does not apply
    units = [Unit(i, task, [(i, PROGRAM + f"# {i}\n")]) for i in range(programs)]
    done = []
    start = time.perf_counter()
    pool.run(iter(units), lambda pid, outcome: done.append(outcome["passed"]))
    elapsed = time.perf_counter() - start
    pool.close()
    assert all(done) and len(done) == programs
    return elapsed / (programs * per_program)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = {"bare fork+exit": [], "a+b own run": [], "judge, 1 worker": [], "judge, 2 workers": []}
    for _ in range(args.repeat):
        rows["bare fork+exit"].append(floor("bare", 1000))
        rows["a+b own run"].append(floor("run", 1000))
        rows["judge, 1 worker"].append(judge_per_test(1, args.tests))
        rows["judge, 2 workers"].append(judge_per_test(2, args.tests))
    med = {k: statistics.median(v) * 1000 for k, v in rows.items()}
    print(f"{'':20s}{'ms per test':>12s}{'tests/s':>10s}")
    for name, value in med.items():
        print(f"{name:20s}{value:12.3f}{1000 / value:10.0f}")
    print(f"\njudge overhead above a+b's own run, 1 worker: {med['judge, 1 worker'] - med['a+b own run']:.3f} ms per test")
    print(f"speed-up from 1 to 2 workers: {med['judge, 1 worker'] / med['judge, 2 workers']:.2f}x")


if __name__ == "__main__":
    main()
