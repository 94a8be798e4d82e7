"""The Ray engine against the local one on the same work: 1 and 2 Ray nodes, and its overhead per unit.

    python benchmarks/ray_scaling.py [--repeat 3]

Work: the first 5 reference solutions of the 153 APPS problems in ../shared/data (697 programs),
as in benchmarks/apps.py.  Runs, medians of --repeat: local engine with 1 and 2 workers; a Ray
cluster of one node (1 CPU), then of two nodes (a second raylet on loopback, 1 CPU each).  The
Ray overhead per work unit is (Ray 1 node - local 1 worker) / units, start-up included; the
projection for the APPS test split on 8 x 64 cores uses the measured per-test cost.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
from benchmarks.apps import PROBLEMS, build_programs  # noqa: E402
from judge.store import RunStore  # noqa: E402

RAY = os.path.join(os.path.dirname(sys.executable), "ray")
ENV = dict(os.environ, PYTHONPATH=ROOT, RAY_USAGE_STATS_ENABLED="0")


def evaluate(samples: str, run: str, *extra: str) -> float:
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "judge", "evaluate", samples, "--dataset", "apps", "--data", PROBLEMS,
                    "--run", run, "--k", "1", "--public-tests", "first:1", *extra], check=True, capture_output=True,
                   cwd=ROOT, env=ENV)
    return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-ray-")
    samples = os.path.join(work, "programs.jsonl")
    with open(samples, "w") as fh:
        for index, row in enumerate(build_programs(False)):
            fh.write(json.dumps({"task_id": row["task_id"], "sample_id": index, "completion": row["completion"]}) + "\n")
    times: dict[str, list[float]] = {}
    for workers in (1, 2):
        times[f"local, {workers} worker(s)"] = [evaluate(samples, os.path.join(work, f"local{workers}-{i}"),
                                                         "--workers", str(workers)) for i in range(args.repeat)]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"127.0.0.1:{port}"
    subprocess.run([RAY, "start", "--head", "--port", str(port), "--num-cpus", "1", "--include-dashboard=false",
                    "--disable-usage-stats"], check=True, capture_output=True, env=ENV)
    try:
        times["Ray, 1 node (1 CPU)"] = [evaluate(samples, os.path.join(work, f"ray1-{i}"), "--engine", "ray",
                                                 "--address", address) for i in range(args.repeat)]
        subprocess.run([RAY, "start", "--address", address, "--num-cpus", "1", "--disable-usage-stats"], check=True,
                       capture_output=True, env=ENV)
        time.sleep(2)
        times["Ray, 2 nodes (1 CPU each)"] = [evaluate(samples, os.path.join(work, f"ray2-{i}"), "--engine", "ray",
                                                       "--address", address) for i in range(args.repeat)]
    finally:
        subprocess.run([RAY, "stop", "--force"], capture_output=True, env=ENV)
    store = RunStore(os.path.join(work, "local1-0"), readonly=True)
    judged = list(store.judged_programs())
    store.close()
    tests, programs = sum(len(records) for _, records in judged), len(judged)
    units = sum((n + 15) // 16 for n in Counter(sample.task_id for sample, _ in judged).values())
    print(f"{programs} programs, {tests} tests run, {units} work units of <= 16 programs\n")
    print(f"{'':28s}{'wall s':>9s}{'programs/s':>12s}{'tests/s':>9s}")
    medians = {}
    for name, values in times.items():
        medians[name] = statistics.median(values)
        print(f"{name:28s}{medians[name]:9.1f}{programs / medians[name]:12.1f}{tests / medians[name]:9.0f}")
    overhead = (medians["Ray, 1 node (1 CPU)"] - medians["local, 1 worker(s)"]) / units
    scale = medians["Ray, 1 node (1 CPU)"] / medians["Ray, 2 nodes (1 CPU each)"]
    print(f"\nRay overhead per work unit (1 node vs local 1 worker, start-up included): {1000 * overhead:.0f} ms")
    print(f"speed-up from 1 to 2 Ray nodes: {scale:.2f}x")
    per_test = medians["Ray, 2 nodes (1 CPU each)"] * 2 / tests
    print(f"per-test cost on the 2-node cluster: {1000 * per_test:.1f} ms of one CPU (programs' own work included)")
    full = 5000 * 1000 * 20 * per_test / (8 * 64) / 3600
    print(f"projection, APPS test split (5000 problems x 1000 samples, <= 20 tests each, no early exit), 8 x 64 "
          f"cores: {full:.1f} h, timeouts aside")


if __name__ == "__main__":
    main()
