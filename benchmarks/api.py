"""The Python API's latency: a warm judge.Judge judging one a+b program with 3 tests.

    python benchmarks/api.py [--calls 300] [--workers 1]

Printed: median and p90 wall time per call for the same program again (loaded in the zygote
already) and for a new program each call (compiled and loaded first), and the time to start
the Judge (its workers).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import judge  # noqa: E402

PROGRAM = "a, b = map(int, input().split())\nprint(a + b)\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    task = judge.stdio_task([("1 2\n", "3\n"), ("10 20\n", "30\n"), ("-5 5\n", "0\n")])
    start = time.perf_counter()
    with judge.Judge(workers=args.workers) as j:
        started = time.perf_counter() - start
        times: dict[str, list[float]] = {"same program": [], "new program each call": []}
        for i in range(args.calls):
            for name, source in (("same program", PROGRAM), ("new program each call", PROGRAM + f"# {i}\n")):
                t = time.perf_counter()
                result = j.judge(task, source)
                times[name].append(time.perf_counter() - t)
                assert result.passed, result
    print(f"Judge(workers={args.workers}) started in {started:.2f} s; {args.calls} calls each, a+b with 3 tests")
    for name, values in times.items():
        values.sort()
        print(f"{name:24s} median {1000 * statistics.median(values):6.2f} ms   p90 {1000 * values[int(0.9 * len(values))]:6.2f} ms")


if __name__ == "__main__":
    main()
