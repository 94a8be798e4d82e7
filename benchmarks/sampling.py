"""Sampling and pipelining: 1000 samples x 20 APPS problems through an OpenAI-compatible server.

    python benchmarks/sampling.py [--tasks 20] [--n 1000] [--delay 0.25] [--workers 2]

The server is tests/openai_server.py on loopback, answering with the problem's reference program,
two wrong programs and a crashing one, every answer a distinct program (as at T > 0), with a
fixed delay per request to stand in for a model's generation time.  Printed side by side:
1. sampling alone (`judge sample`): samples/s, with that delay and with none (the client's own cost);
2. sample-then-judge (`judge sample`, then `judge evaluate`) against the pipelined `judge run`:
   wall times, and the share of the programs that `judge run` judged while sampling was going on.
Both paths see the same samples (same seed and request sizes), so their reports must be equal.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from openai_server import ServerProcess, build_bank  # noqa: E402

from judge import prompting  # noqa: E402
from judge.datasets import Selection, load_tasks  # noqa: E402


def pick_tasks(count: int):
    tasks = load_tasks("apps", "bundled", Selection(split="train"))
    return [t for t in tasks if t.kind == "stdio" and t.solutions and "open(" not in t.solutions[0]
            and not any(s in t.solutions[0] for s in ('"""', "'''", "\n\n\n\n"))][:count]


def bank(tasks) -> dict:
    by_id = {t.task_id: t for t in tasks}

    def answers(task_id):
        ref = by_id[task_id].solutions[0]
        return ([{"text": ref, "logprob": -0.3}] * 3 +
                [{"text": "print(0)\n", "logprob": -1.2},
                 {"text": "import sys\nprint(sys.stdin.read().split()[0])\n", "logprob": -0.9},
                 {"text": "raise ValueError('not done')\n", "logprob": -1.5}])
    template = prompting.load("codex-1shot")
    return build_bank([template.render(t) for t in tasks], answers)


def judge(*args: str) -> tuple[float, str]:
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "judge", *args], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=ROOT, COLUMNS="200"))
    if done.returncode != 0:
        raise SystemExit(f"judge {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return time.monotonic() - start, " ".join((done.stdout + done.stderr).split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.25, help="seconds per request (the 'model')")
    parser.add_argument("--per-request", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    tasks = pick_tasks(args.tasks)
    work = tempfile.mkdtemp(prefix="bench-sampling-")
    bank_path = os.path.join(work, "bank.json")
    with open(bank_path, "w") as fh:
        json.dump(bank(tasks), fh)
    dataset = ["--dataset", "apps", "--data", "bundled", "--split", "train", "--ids", ",".join(t.task_id for t in tasks)]
    sampling = ["--model", "test-model", "-n", str(args.n), "--temperature", "0.6", "--seed", "1",
                "--max-per-request", str(args.per_request), "--concurrency", str(args.concurrency)]
    total = args.n * len(tasks)
    print(f"{len(tasks)} problems x {args.n} samples = {total} samples; {args.per_request} per request, "
          f"{args.concurrency} in flight, {args.delay} s per request; {args.workers} judging workers")

    with ServerProcess(bank_path, "--unique") as server:
        fast, _ = judge("sample", *dataset, "--run", os.path.join(work, "fast"), "--base-url", server.url, *sampling)
    with ServerProcess(bank_path, "--unique", "--delay", str(args.delay)) as server:
        sample_s, _ = judge("sample", *dataset, "--run", os.path.join(work, "seq"), "--base-url", server.url, *sampling)
        judge_s, _ = judge("evaluate", *dataset, "--run", os.path.join(work, "seq"), "--workers", str(args.workers),
                           "--k", "1,10,100", "--json", os.path.join(work, "seq.json"))
        preset = os.path.join(work, "run.toml")
        with open(preset, "w") as fh:
            fh.write(f'[run]\ndir = "{work}/piped"\n[dataset]\nname = "apps"\ndata = "bundled"\nsplit = "train"\n'
                     f'ids = "{",".join(t.task_id for t in tasks)}"\n[sampling]\nbackend = "openai"\n'
                     f'base_url = "{server.url}"\nmodel = "test-model"\nn = {args.n}\ntemperature = 0.6\nseed = 1\n'
                     f'max_per_request = {args.per_request}\nconcurrency = {args.concurrency}\n'
                     f'[judge]\nworkers = {args.workers}\n[report]\nk = [1, 10, 100]\n')
        piped_s, piped_out = judge("run", preset, "--json", os.path.join(work, "piped.json"))
    overlap = re.search(r"judged (\d+) programs, (\d+)% of them while sampling", piped_out)
    with open(os.path.join(work, "seq.json")) as fh:
        seq = json.load(fh)
    with open(os.path.join(work, "piped.json")) as fh:
        piped = json.load(fh)
    same = all(seq[k] == piped[k] for k in ("raw", "filtered", "per_problem", "ranked_pass@1"))

    print(f"\n{'':38}{'wall s':>9}{'samples/s':>11}")
    print(f"{'sampling, no model delay':38}{fast:9.1f}{total / fast:11.0f}")
    print(f"{'sampling, model delay':38}{sample_s:9.1f}{total / sample_s:11.0f}")
    print(f"{'judging alone (after sampling)':38}{judge_s:9.1f}")
    print(f"{'sample, then judge':38}{sample_s + judge_s:9.1f}{total / (sample_s + judge_s):11.0f}")
    print(f"{'judge run (pipelined)':38}{piped_s:9.1f}{total / piped_s:11.0f}")
    print(f"\npipelined / sequential: {piped_s / (sample_s + judge_s):.2f}; programs judged while sampling: "
          f"{overlap.group(2) if overlap else '?'}% of {overlap.group(1) if overlap else '?'}; "
          f"reports identical: {same}; raw pass@1 {100 * piped['raw']['pass@1']:.2f}, "
          f"ranked pass@1 (mean log-prob) {100 * piped['ranked_pass@1']['mean_logprob']:.2f}")
    print(f"(runs kept in {work})")


if __name__ == "__main__":
    main()
