"""Scaling with workers: the same APPS programs judged with 1, 2, 4, ... workers on one machine.

    python benchmarks/scaling.py [--copies 4] [--workers 1,2,4,8,16] [--repeat 1]

Programs: the first 5 reference solutions of each of the 153 APPS problems in ../shared/data,
``--copies`` times over (each copy made a distinct program by a trailing comment, so that
deduplication does not fold them).  Printed per worker count: wall time (median of
``--repeat``), tests/s, speed-up over the smallest count and efficiency (speed-up / worker
ratio); then, at the largest count, the bare fork-server on the same tests (benchmarks/floor.py:
the programs in forked children of a minimal server, no sandbox) and the floor (its children's
CPU / workers).  Use it to check how a server's cores are used before projecting a long run.
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
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from benchmarks import floor as bare  # noqa: E402
from benchmarks.apps import PROBLEMS, build_programs, executed_tests  # noqa: E402
from judge.datasets import Selection, load_tasks  # noqa: E402
from judge.store import RunStore  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    counts = sorted({int(w) for w in args.workers.split(",")})

    work = tempfile.mkdtemp(prefix="bench-scaling-")
    programs = [dict(row, completion=row["completion"] + f"\n# copy {copy}\n")
                for copy in range(args.copies) for row in build_programs(False)]
    samples = os.path.join(work, "programs.jsonl")
    with open(samples, "w") as fh:
        for index, row in enumerate(programs):
            fh.write(json.dumps({"task_id": row["task_id"], "sample_id": index, "completion": row["completion"]}) + "\n")
    print(f"{len(programs)} programs ({args.copies} copies of the references); {os.cpu_count()} CPUs; "
          f"work dir {work}", flush=True)

    walls: dict[int, list[float]] = {}
    for workers in counts:
        for i in range(args.repeat):
            run_dir = os.path.join(work, f"judge-{workers}-{i}")
            cmd = [sys.executable, "-m", "judge", "evaluate", samples, "--dataset", "apps", "--data", PROBLEMS,
                   "--run", run_dir, "--k", "1", "--workers", str(workers), "--public-tests", "first:1"]
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            walls.setdefault(workers, []).append(time.perf_counter() - start)
        print(f"{workers} workers: {statistics.median(walls[workers]):.1f} s", flush=True)

    largest = counts[-1]
    last_run = os.path.join(work, f"judge-{largest}-0")
    store = RunStore(last_run, readonly=True)
    hidden = [t.verdict for _, records in store.judged_programs() for t in records if t.role == "hidden"]
    store.close()
    tests, verdicts = len(hidden), dict(Counter(hidden))
    tasks = {t.task_id: t for t in load_tasks("apps", PROBLEMS, Selection(), "first:1")}
    bare_wall, child_cpu, _ = bare.measure(executed_tests(last_run, programs, tasks), largest)

    base = counts[0]
    base_wall = statistics.median(walls[base])
    print(f"\n{tests} tests executed per run; verdicts at {largest} workers: {verdicts}")
    print(f"{'workers':>8s}{'wall s':>10s}{'tests/s':>10s}{'speed-up':>10s}{'efficiency':>12s}")
    for workers in counts:
        wall = statistics.median(walls[workers])
        speedup = base_wall / wall
        print(f"{workers:8d}{wall:10.1f}{tests / wall:10.0f}{speedup:9.2f}x{speedup / (workers / base):11.0%}")
    judge_wall = statistics.median(walls[largest])
    print(f"\nat {largest} workers: bare fork-server {bare_wall:.1f} s (judge / bare = {judge_wall / bare_wall:.2f}); "
          f"floor (bare child CPU / workers) {child_cpu / largest:.1f} s (judge / floor = "
          f"{judge_wall / (child_cpu / largest):.2f}); child CPU per test {1000 * child_cpu / tests:.2f} ms")


if __name__ == "__main__":
    main()
