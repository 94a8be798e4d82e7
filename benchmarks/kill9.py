"""kill -9 of the judge at random moments, then the same command again: is the report identical?

    python benchmarks/kill9.py [--trials 10] [--tasks 164] [--per-task 10] [--workers 2] [--seed 1]

Work: the bundled CodeGen-16B HumanEval samples (real programs, some looping until the time limit).
One uninterrupted run gives the reference report and its duration D; each trial starts the same
command in a fresh run directory, sends SIGKILL at a moment drawn uniformly from [0.05 D, 0.95 D]
(start-up, ingestion and judging all get hit), reruns the command to the end and compares the
report (everything but provenance) with the reference.  It also checks that no sandbox process
of the killed judge is left 15 s later.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

import psutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from judge.store import progress  # noqa: E402


def command(samples: str, run: str, workers: int, out: str | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "judge", "evaluate", samples, "--dataset", "humaneval", "--run", run,
           "--workers", str(workers), "--k", "1,5,10"]
    return cmd + (["--json", out] if out else [])


def zygotes() -> set[int]:
    found = set()
    for p in psutil.process_iter(["cmdline"]):
        if p.info["cmdline"] and any(f"judge.sandbox.{role}" in p.info["cmdline"] for role in ("zygote", "compiler")):
            found.add(p.pid)
    return found


def stable(path: str) -> dict:
    with open(path) as fh:
        report = json.load(fh)
    report.pop("provenance", None)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--tasks", type=int, default=164)
    parser.add_argument("--per-task", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-kill9-")
    samples = os.path.join(work, "samples.jsonl")
    with gzip.open(os.path.join(ROOT, "judge", "data", "demo_samples_humaneval.jsonl.gz"), "rt") as src, \
            open(samples, "w") as dst:
        for line in src:
            row = json.loads(line)
            if int(row["task_id"].split("/")[1]) < args.tasks:
                dst.write(line)
    env = dict(os.environ, PYTHONPATH=ROOT)
    start = time.monotonic()
    subprocess.run(command(samples, os.path.join(work, "reference"), args.workers, os.path.join(work, "reference.json")),
                   check=True, capture_output=True, cwd=ROOT, env=env)
    duration = time.monotonic() - start
    reference = stable(os.path.join(work, "reference.json"))
    print(f"reference run: {reference['counts']['samples']} samples in {duration:.1f} s")
    rng = random.Random(args.seed)
    identical = orphans = 0
    for trial in range(1, args.trials + 1):
        run = os.path.join(work, f"trial{trial}")
        before = zygotes()
        moment = rng.uniform(0.05, 0.95) * duration
        proc = subprocess.Popen(command(samples, run, args.workers), cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(moment)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        total, judged = progress(run)
        done = (judged, total)
        deadline = time.time() + 15
        while time.time() < deadline and zygotes() - before:
            time.sleep(0.5)
        left = zygotes() - before
        orphans += bool(left)
        out = os.path.join(work, f"trial{trial}.json")
        subprocess.run(command(samples, run, args.workers, out), check=True, capture_output=True, cwd=ROOT, env=env)
        same = stable(out) == reference
        identical += same
        print(f"trial {trial:2d}: killed at {moment:5.1f} s with {done[0]:4d}/{done[1]:4d} programs judged; "
              f"rerun report {'identical' if same else 'DIFFERENT'}; sandbox processes left: {len(left)}")
    print(f"\nkill -9 trials: {identical}/{args.trials} identical reports; trials leaving sandbox processes: {orphans}")
    print(f"(runs kept in {work})")


if __name__ == "__main__":
    main()
