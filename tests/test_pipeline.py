"""``judge run``: sampling and judging pipelined, against the loopback OpenAI-protocol server."""

import json
import re

from typer.testing import CliRunner

from judge.cli import app
from openai_server import ServerProcess
from conftest import bank_file, dataset_args

runner = CliRunner()


def preset(path, server_url, run_dir, ids, n=60):
    path.write_text(f"""
[run]
dir = "{run_dir}"
[dataset]
name = "apps"
data = "bundled"
split = "train"
ids = "{ids}"
[prompt]
template = "codex-1shot"
[sampling]
backend = "openai"
base_url = "{server_url}"
model = "test-model"
n = {n}
temperature = 0.6
max_per_request = 4
concurrency = 2
seed = 5
[judge]
workers = 1
[report]
k = [1, 10]
""")
    return str(path)


def test_pipelined_run_judges_while_sampling_and_equals_sample_then_evaluate(tmp_path, apps_tasks):  # noqa: F811
    ids = ",".join(t.task_id for t in apps_tasks)
    with ServerProcess(bank_file(tmp_path, apps_tasks, "codex-1shot"), "--delay", "0.1") as server:
        config = preset(tmp_path / "run.toml", server.url, tmp_path / "piped", ids)
        piped = runner.invoke(app, ["run", config, "--json", str(tmp_path / "piped.json")])
        assert piped.exit_code == 0, piped.output
        # the same samples the slow way: sample everything, then judge
        sequential = tmp_path / "sequential"
        args = [*dataset_args(apps_tasks), "--run", str(sequential)]
        sampled = runner.invoke(app, ["sample", *args, "--model", "test-model", "--base-url", server.url, "-n", "60",
                                      "--temperature", "0.6", "--max-per-request", "4", "--seed", "5"])
        assert sampled.exit_code == 0, sampled.output
    judged = runner.invoke(app, ["evaluate", *args, "--k", "1,10", "--workers", "1", "--json", str(tmp_path / "seq.json")])
    assert judged.exit_code == 0, judged.output
    a, b = json.loads((tmp_path / "piped.json").read_text()), json.loads((tmp_path / "seq.json").read_text())
    for key in ("raw", "filtered", "raw_with_timeouts", "filtered_with_timeouts", "by_difficulty", "per_problem",
                "ranked_pass@1"):
        assert a[key] == b[key], key
    assert a["counts"]["samples"] == 240 and a["counts"]["pending_samples"] == 0
    overlap = re.search(r"(\d+)% of them while sampling", " ".join(piped.output.split()))
    assert overlap and int(overlap.group(1)) > 0


def test_bundled_demo_preset_runs_offline(tmp_path):
    result = runner.invoke(app, ["run", "demo", "--run", str(tmp_path / "demo"), "--limit", "12", "--json",
                                 str(tmp_path / "demo.json")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "demo.json").read_text())
    assert report["counts"]["problems"] == 12 and report["counts"]["samples"] == 120
    assert 0 < report["raw"]["pass@1"] < 1 and "pass@10" in report["raw"]


def test_bad_presets_get_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[dataset]\nname = "apps"\n[sampling]\nn = 5\n')
    result = runner.invoke(app, ["run", str(bad)])
    assert result.exit_code == 2 and "[sampling] backend is required" in result.output
    bad.write_text('[dataset]\nname = "apps"\n[sampling]\nbackend = "file"\nn = "many"\n')
    assert "[sampling] n (samples per task, an integer) is required" in runner.invoke(app, ["run", str(bad)]).output
    bad.write_text('[datasets]\nname = "apps"\n')
    assert "unknown section(s) datasets" in runner.invoke(app, ["run", str(bad)]).output
    result = runner.invoke(app, ["run", "no-such-preset"])
    assert result.exit_code == 2 and "codex-apps-1shot" in result.output
