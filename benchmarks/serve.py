"""`judge serve` under load, against `judge evaluate` on the same programs, in one run.

    python benchmarks/serve.py [--clients 64] [--workers 2]

1. Latency: one small request (a+b, 3 tests, a new program each time) on an idle server, p50/p99.
2. Throughput: the bundled real APPS generations (`judge/data/demo_samples_apps.jsonl.gz`, the
   demo's 523), each sent alone by one of ``--clients`` threads as RL reward workers do, against
   `judge evaluate` of the same samples with the same workers; results compared program by
   program (none lost, none duplicated, same verdicts).
3. Overload: the clients hammer a server whose queue holds 32 programs: 429s counted, and the
   server's memory (its whole process tree) before and after.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time

import psutil
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOKEN = "benchmark-token"


def start(work: str, *options: str) -> tuple[subprocess.Popen, str]:
    token = os.path.join(work, "token")
    with open(token, "w") as fh:
        fh.write(TOKEN)
    proc = subprocess.Popen([sys.executable, "-m", "judge", "serve", "--port", "0", "--token-file", token, *options],
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    line = proc.stderr.readline()
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    return proc, line.split()[2]


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)


def tree_rss(pid: int) -> int:
    root = psutil.Process(pid)
    total = 0
    for p in [root, *root.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:  # a program's process that ended meanwhile
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency-requests", type=int, default=300)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-serve-")
    headers = {"Authorization": f"Bearer {TOKEN}"}
    samples = [json.loads(line) for line in gzip.open(os.path.join(ROOT, "judge", "data", "demo_samples_apps.jsonl.gz"), "rt")]

    # 1. latency
    proc, url = start(work, "--workers", str(args.workers))
    session = requests.Session()
    task = {"kind": "stdio", "tests": [{"input": f"{a} {b}\n", "output": f"{a + b}\n"} for a, b in ((1, 2), (3, 4), (5, 6))]}
    latencies = []
    for i in range(args.latency_requests):
        body = {"items": [{"program": f"a, b = map(int, input().split())\nprint(a + b)  # {i}\n", "task": task}]}
        t = time.perf_counter()
        reply = session.post(url + "/v1/judge", json=body, headers=headers, timeout=60)
        latencies.append(time.perf_counter() - t)
        assert reply.json()["results"][0]["verdict"] == "AC"
    stop(proc)
    latencies.sort()
    print(flush=True)
    print(f"latency, one a+b request (3 tests, a new program each), idle server, {args.workers} workers: "
          f"p50 {1000 * latencies[len(latencies) // 2]:.1f} ms, p99 {1000 * latencies[int(0.99 * len(latencies))]:.1f} ms")

    # 2. throughput against judge evaluate
    path = os.path.join(work, "samples.jsonl")
    with open(path, "w") as fh:
        for i, s in enumerate(samples):
            fh.write(json.dumps({"task_id": s["task_id"], "sample_id": i, "completion": s["completion"]}) + "\n")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "judge", "evaluate", path, "--dataset", "apps", "--data", "bundled",
                    "--run", os.path.join(work, "run"), "--k", "1", "--workers", str(args.workers)],
                   check=True, capture_output=True, cwd=ROOT)
    evaluate_wall = time.perf_counter() - t
    exported = subprocess.run([sys.executable, "-m", "judge", "export", os.path.join(work, "run")], check=True,
                              capture_output=True, text=True, cwd=ROOT).stdout.splitlines()
    expected = {r["sample_index"]: r["verdict"] for r in map(json.loads, exported)}
    ids = sorted({str(s["task_id"]) for s in samples})
    proc, url = start(work, "--workers", str(args.workers), "--dataset", "apps", "--data", "bundled", "--ids", ",".join(ids))
    todo: queue.Queue[int] = queue.Queue()
    for i in range(len(samples)):
        todo.put(i)
    got: dict[int, list[str]] = {}
    lock = threading.Lock()

    def client() -> None:
        s = requests.Session()
        while True:
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            body = {"request_id": f"s{i}", "items": [{"program": samples[i]["completion"], "task_id": samples[i]["task_id"]}]}
            while True:
                reply = s.post(url + "/v1/judge", json=body, headers=headers, timeout=600)
                if reply.status_code != 429:
                    break
                time.sleep(float(reply.headers.get("Retry-After", "1")))
            result = reply.json()["results"][0]
            with lock:
                got.setdefault(i, []).append(result.get("verdict", result["status"]))
    t = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    serve_wall = time.perf_counter() - t
    stop(proc)
    lost = len(samples) - len(got)
    duplicated = sum(len(v) > 1 for v in got.values())
    same = sum(got[i][0] == expected.get(i) for i in got)
    print(f"throughput, {len(samples)} real APPS programs, {args.workers} workers: judge evaluate {evaluate_wall:.1f} s; "
          f"judge serve with {args.clients} clients, one program per request: {serve_wall:.1f} s "
          f"({evaluate_wall / serve_wall:.2f}x evaluate's throughput); lost {lost}, duplicated {duplicated}, "
          f"same verdict as evaluate {same}/{len(got)}")

    # 3. overload
    proc, url = start(work, "--workers", str(args.workers), "--max-queue", "32")
    time.sleep(1)
    before = tree_rss(proc.pid)
    counts = {"200": 0, "429": 0, "other": 0}
    deadline = time.perf_counter() + 20

    def hammer(n: int) -> None:
        s = requests.Session()
        k = 0
        while time.perf_counter() < deadline:
            k += 1
            body = {"items": [{"program": f"print(sum(range(10 ** 6)))  # {n} {k} {j}",
                               "task": {"kind": "stdio", "tests": [{"input": "", "output": "499999500000\n"}]}}
                              for j in range(4)]}
            try:
                status = s.post(url + "/v1/judge", json=body, headers=headers, timeout=120).status_code
            except requests.RequestException:
                status = 0
            with lock:
                key = str(status) if status in (200, 429) else "other"
                counts[key] += 1
            if status == 429:
                time.sleep(0.05)
    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(args.clients)]
    for th in threads:
        th.start()
    peak = before
    while any(th.is_alive() for th in threads):
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.5)
    after = tree_rss(proc.pid)
    stop(proc)
    print(f"overload, {args.clients} clients for 20 s, queue of 32 programs: {counts['200']} answered, {counts['429']} "
          f"refused with 429, {counts['other']} other; server memory (process tree) {before >> 20} MiB before, "
          f"peak {peak >> 20} MiB, {after >> 20} MiB after")


if __name__ == "__main__":
    main()
