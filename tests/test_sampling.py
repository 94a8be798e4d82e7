"""Sampling against a real HTTP server process on loopback that speaks the OpenAI protocol.

vLLM cannot serve a model on these CPU-only machines within CI time, so the server is
tests/openai_server.py: stdlib HTTP, the completions and chat endpoints with n, stop, max_tokens,
seed and log-probs, JSON errors, and faults on demand (429 with Retry-After, 500, dropped
connections, delays).
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from judge.cli import app
from judge.store import RunStore, StoreError
from conftest import ROOT, bank_file, dataset_args
from openai_server import ServerProcess

runner = CliRunner()


def stored(run_dir):
    try:
        store = RunStore(run_dir, readonly=True)
    except StoreError:
        return []  # a run just being created
    try:
        return store.stored_samples()
    finally:
        store.close()


def per_task(rows):
    out = {}
    for task_id, index, *_ in rows:
        out.setdefault(task_id, []).append(index)
    return out


def test_exactly_n_samples_through_429_500_and_dropped_connections(tmp_path, apps_tasks):
    run = str(tmp_path / "run")
    with ServerProcess(bank_file(tmp_path, apps_tasks, "codex-1shot"),
                       "--rate-limit-every", "3", "--fail-every", "5", "--drop-every", "7") as server:
        result = runner.invoke(app, ["sample", *dataset_args(apps_tasks), "--run", run, "--model", "test-model",
                                     "--base-url", server.url, "-n", "40", "--max-per-request", "8",
                                     "--concurrency", "4", "--temperature", "0.6"])
        stats = server.stats()
    assert result.exit_code == 0, result.output
    assert stats["rate_limited"] and stats["server_errors"] and stats["dropped"]
    rows = stored(run)
    assert per_task(rows) == {t.task_id: list(range(40)) for t in apps_tasks}
    by_id = {t.task_id: t for t in apps_tasks}
    for task_id, _, source, tokens, finish, mean_logprob in rows:
        # cut at the template's stop: nothing of the "next problem" survives
        assert '"""' not in source and "QUESTION" not in source
        assert finish == "stop" and tokens > 0 and -1.6 < mean_logprob < -0.1
        assert source in (by_id[task_id].solutions[0], "print(0)\n", "import sys\nprint(sys.stdin.read()[::-1])\n")

    # judge what was sampled; ranked pass@1 picks the likeliest sample = the reference
    result = runner.invoke(app, ["evaluate", *dataset_args(apps_tasks), "--run", run, "--k", "1,10", "--workers", "1"])
    assert result.exit_code == 0, result.output
    report = json.loads(runner.invoke(app, ["report", run, "--json", "-"]).output)
    assert report["counts"]["samples"] == 160 and report["counts"]["pending_samples"] == 0
    store = RunStore(run)
    references_pass = [store.passed(t.task_id, t.solutions[0]) for t in apps_tasks]
    store.close()
    ranked = report["ranked_pass@1"]
    assert ranked["problems"] == 4 and sum(references_pass) >= 2
    assert ranked["mean_logprob"] == sum(references_pass) / 4
    assert ranked["random"] == pytest.approx(report["raw"]["pass@1"])
    assert ranked["random"] < 0.7


def test_rerun_tops_up_to_a_larger_n_and_refuses_another_model(tmp_path, apps_tasks):
    run = str(tmp_path / "run")
    with ServerProcess(bank_file(tmp_path, apps_tasks, "codex-1shot")) as server:
        base = ["sample", *dataset_args(apps_tasks), "--run", run, "--base-url", server.url, "--max-per-request", "16"]
        assert runner.invoke(app, base + ["--model", "test-model", "-n", "10"]).exit_code == 0
        first = stored(run)
        assert runner.invoke(app, base + ["--model", "test-model", "-n", "25"]).exit_code == 0
        second = stored(run)
        refused = runner.invoke(app, base + ["--model", "other-model", "-n", "30"])
    assert per_task(second) == {t.task_id: list(range(25)) for t in apps_tasks}
    assert set(first) <= set(second)  # nothing re-sampled, nothing changed
    assert refused.exit_code == 2 and "other sampling settings (model: stored" in refused.output


def test_unknown_model_is_one_clear_error(tmp_path, apps_tasks):
    with ServerProcess(None) as server:
        result = runner.invoke(app, ["sample", *dataset_args(apps_tasks), "--run", str(tmp_path / "r"),
                                     "--model", "nope", "--base-url", server.url, "-n", "2"])
    assert result.exit_code == 2
    error = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(error) == 1 and "does not exist" in error[0] and "--model" in error[0]


def test_chat_answers_give_their_code_block_and_servers_without_logprobs_work(tmp_path, apps_tasks):
    run = str(tmp_path / "run")
    with ServerProcess(bank_file(tmp_path, apps_tasks, "chat"), "--no-logprobs") as server:
        result = runner.invoke(app, ["sample", *dataset_args(apps_tasks), "--run", run, "--model", "test-model",
                                     "--base-url", server.url, "-n", "6", "--template", "chat"])
    assert result.exit_code == 0, result.output
    rows = stored(run)
    assert len(rows) == 24
    for _, _, source, _, _, mean_logprob in rows:
        assert "```" not in source and "Here is" not in source and mean_logprob is None


def test_killed_1000_sample_run_resumes_to_exactly_1000_per_task(tmp_path, apps_tasks):
    tasks = apps_tasks[:3]
    run = str(tmp_path / "run")
    with ServerProcess(bank_file(tmp_path, tasks, "codex-1shot"), "--delay", "0.05") as server:
        command = [sys.executable, "-m", "judge", "sample", *dataset_args(tasks), "--run", run, "--model", "test-model",
                   "--base-url", server.url, "-n", "1000", "--max-per-request", "20", "--concurrency", "4"]
        env = dict(os.environ, PYTHONPATH=ROOT)
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # kill it mid-run, once some samples are stored
            time.sleep(0.2)
            if os.path.exists(os.path.join(run, "run.sqlite")) and 200 < len(stored(run)) < 2500:
                break
        child.send_signal(signal.SIGKILL)
        child.wait()
        partial = len(stored(run))
        assert 200 < partial < 3000
        finished = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert f"sampled {3000 - partial} of {3000 - partial} missing samples" in " ".join(finished.stderr.split())
    assert per_task(stored(run)) == {t.task_id: list(range(1000)) for t in tasks}


def test_an_unreachable_server_is_said_within_seconds(tmp_path):
    import socket
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "judge", "sample", "--dataset", "humaneval", "--ids", "0",
                             "--model", "m", "--base-url", f"http://127.0.0.1:{port}/v1", "--run", str(tmp_path / "r")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and time.monotonic() - start < 30
    lines = result.stderr.strip().splitlines()
    assert "cannot connect" in lines[-1] and f":{port}" in lines[-1], result.stderr
