"""Memory and throughput as the samples file grows: 10k, 100k and 1M samples.

    python benchmarks/scale.py [--sizes 10000,100000,1000000] [--tasks 20]

Samples are the CodeGen-Mono-16B HumanEval samples of the first --tasks tasks (Codex stops),
repeated up to each size, so the set of distinct programs (and the judging work) stays the same
while the input grows: what grows is what the judge must stream, store and count.  The peak
RSS of the judge's whole process tree (driver, referees, zygotes, test children) is sampled
every 0.1 s.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time

import psutil

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.shared_data import codegen16b_humaneval  # noqa: E402
from judge.samples import CODEX_STOPS, truncate  # noqa: E402


def tree_rss(root: psutil.Process) -> tuple[int, int]:
    total = own = 0
    try:
        procs = [root] + root.children(recursive=True)
    except psutil.Error:
        return 0, 0
    for proc in procs:
        try:
            rss = proc.memory_info().rss
        except psutil.Error:
            continue
        total += rss
        if proc.pid == root.pid:
            own = rss
    return total, own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--tasks", type=int, default=20)
    args = parser.parse_args()
    base = [(task_id, truncate(c, CODEX_STOPS)) for task_id, completions in codegen16b_humaneval()[:args.tasks]
            for c in completions]
    work = tempfile.mkdtemp(prefix="bench-scale-")
    print(f"{len(base)} distinct samples of {args.tasks} tasks, repeated; work dir {work}")
    print(f"{'samples':>10s}{'wall s':>9s}{'samples/s':>11s}{'peak tree RSS MB':>18s}{'peak driver RSS MB':>20s}")
    for size in (int(s) for s in args.sizes.split(",")):
        path = os.path.join(work, f"samples-{size}.jsonl")
        with open(path, "w") as fh:
            for task_id, code in itertools.islice(itertools.cycle(base), size):
                fh.write(json.dumps({"task_id": task_id, "completion": code}) + "\n")
        cmd = [sys.executable, "-m", "judge", "evaluate", path, "--dataset", "humaneval", "--limit", str(args.tasks),
               "--run", os.path.join(work, f"run-{size}"), "--k", "1"]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        root = psutil.Process(proc.pid)
        peak_tree = peak_own = 0
        while proc.poll() is None:
            total, own = tree_rss(root)
            peak_tree, peak_own = max(peak_tree, total), max(peak_own, own)
            time.sleep(0.1)
        wall = time.perf_counter() - start
        if proc.returncode:
            raise SystemExit(f"judge failed on {size} samples")
        print(f"{size:10d}{wall:9.1f}{size / wall:11.0f}{peak_tree / 2**20:18.0f}{peak_own / 2**20:20.0f}", flush=True)


if __name__ == "__main__":
    main()
