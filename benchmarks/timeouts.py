"""Programs that never finish: 100 infinite loops, 1 s CPU limit, 2 workers.

    python benchmarks/timeouts.py [--programs 100] [--timeout 1] [--workers 2]

The floor is the CPU of every execution (each loop burns its whole budget on each distinct
input it runs: here one, the problem's hidden test is also its example) / workers.
Printed: wall time of `judge evaluate`, the floor, their ratio, and that every verdict is TLE.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.floor import execution_cpu  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programs", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-timeouts-")
    samples = os.path.join(work, "loops.jsonl")
    with open(samples, "w") as fh:  # distinct texts, so that deduplication does not apply
        for i in range(args.programs):
            fh.write(json.dumps({"task_id": 0, "completion": f"x = {i}\nwhile True:\n    x += 1\n"}) + "\n")
    report = os.path.join(work, "report.json")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "judge", "evaluate", samples, "--dataset", "apps", "--data", "bundled",
                    "--ids", "0", "--run", os.path.join(work, "run"), "--timeout", str(args.timeout),
                    "--workers", str(args.workers), "--k", "1", "--json", report], check=True, capture_output=True)
    wall = time.perf_counter() - start
    verdicts = json.load(open(report))["counts"]["verdicts"]
    floor = sum(execution_cpu(os.path.join(work, "run"))[:2]) / args.workers
    print(f"{args.programs} infinite loops, {args.timeout:g} s CPU limit, {args.workers} workers")
    print(f"wall {wall:.1f} s · floor {floor:.1f} s · ratio {wall / floor:.2f} · verdicts {verdicts}")


if __name__ == "__main__":
    main()
