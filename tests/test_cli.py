"""The command line, end to end: bad input, resume after kill -9, report and export formats."""

import gzip
import json
import os
import signal
import subprocess
import time

import psutil
import pytest
from typer.testing import CliRunner

from conftest import DATA, ROOT, humaneval_samples, judge_cmd, stable
from judge.cli import app
from judge.store import progress

runner = CliRunner()


def test_malformed_jsonl_names_file_and_line(tmp_path):
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return True\\n"}\n{"task_id": "HumanEval/1", "comp\n')
    result = runner.invoke(app, ["evaluate", str(samples), "--dataset", "humaneval", "--run", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert f"{samples}:2: not valid JSON" in result.output


@pytest.mark.parametrize("content, message", [
    ('{"task_id": "HumanEval/999", "completion": "x"}\n', "HumanEval/999' is not in the selected dataset"),
    ('{"completion": "x"}\n', "missing or invalid 'task_id'"),
    ('{"task_id": "HumanEval/0"}\n', "no code"),
    ('[1, 2]\n', "expected a JSON object"),
])
def test_bad_samples_get_one_clear_line(tmp_path, content, message):
    samples = tmp_path / "s.jsonl"
    samples.write_text(content)
    result = runner.invoke(app, ["evaluate", str(samples), "--dataset", "humaneval", "--run", str(tmp_path / "r")])
    assert result.exit_code == 2 and message in result.output and ":1:" in result.output


def test_undecodable_bytes(tmp_path):
    samples = tmp_path / "s.jsonl"
    samples.write_bytes(b'{"task_id": "HumanEval/0", "completion": "\xff\xfe"}\n')
    result = runner.invoke(app, ["evaluate", str(samples), "--dataset", "humaneval", "--run", str(tmp_path / "r")])
    assert result.exit_code == 2 and "not valid UTF-8" in result.output


def test_offline_hub_gives_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": 0, "completion": "print(1)"}\n')
    result = runner.invoke(app, ["evaluate", str(samples), "--dataset", "apps", "--run", str(tmp_path / "r")])
    assert result.exit_code == 2 and "--data PATH" in result.output


def test_bigcode_generations_and_report_json(tmp_path):
    generations = [["    return False\n", "    return True\n"]] + [["    pass\n"]] * 2
    path = tmp_path / "generations.json"
    path.write_text(json.dumps(generations))
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["evaluate", str(path), "--dataset", "humaneval", "--limit", "3",
                                 "--run", str(tmp_path / "r"), "--json", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    for key in ("raw", "filtered", "raw_with_timeouts", "filtered_with_timeouts", "by_difficulty", "counts", "config"):
        assert key in report
    assert report["counts"]["problems"] == 3 and report["counts"]["samples"] == 4
    assert report["raw"]["pass@1"] == 0.0  # no sample of these is a solution
    exported = runner.invoke(app, ["export", str(tmp_path / "r")])
    rows = [json.loads(line) for line in exported.output.splitlines()]
    assert [(r["task_id"], r["sample_index"]) for r in rows] == [
        ("HumanEval/0", 0), ("HumanEval/0", 1), ("HumanEval/1", 0), ("HumanEval/2", 0)]
    assert all(r["tests"] and {"verdict", "cpu", "memory_kb", "accepted_by"} <= set(r["tests"][0]) for r in rows)


def _zygotes_of(pid_root):  # zygotes and compilers: the sandbox's processes
    return [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"]
            and any(f"judge.sandbox.{role}" in p.info["cmdline"] for role in ("zygote", "compiler"))]


def test_kill_9_then_resume_equals_an_uninterrupted_run(tmp_path):
    samples = tmp_path / "s.jsonl"
    humaneval_samples(samples, per_task=4, tasks=80)
    common = ["evaluate", str(samples), "--dataset", "humaneval", "--k", "1,2", "--workers", "2"]
    full = tmp_path / "full.json"
    subprocess.run(judge_cmd(*common, "--run", str(tmp_path / "full"), "--json", str(full)), check=True,
                   capture_output=True, cwd=ROOT)
    run = tmp_path / "killed"
    before = {p.pid for p in _zygotes_of(None)}
    proc = subprocess.Popen(judge_cmd(*common, "--run", str(run)), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and progress(str(run))[1] < 40:  # wait until some verdicts are committed, then kill -9
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = progress(str(run))
    assert 0 < partial[1] < partial[0], f"killed too early or too late: {partial[1]} of {partial[0]} judged"
    resumed = tmp_path / "resumed.json"
    subprocess.run(judge_cmd(*common, "--run", str(run), "--json", str(resumed)), check=True,
                   capture_output=True, cwd=ROOT)
    a, b = stable(json.loads(resumed.read_text())), stable(json.loads(full.read_text()))
    assert a == b, {k: (a[k], b.get(k)) for k in a if a[k] != b.get(k)}
    # the killed run's sandbox processes end by themselves (their referee's pipe closes); a
    # referee in the middle of a test finishes it first
    deadline = time.time() + 30
    while time.time() < deadline and {p.pid for p in _zygotes_of(None)} - before:
        time.sleep(0.5)
    left = [" ".join(p.info["cmdline"])[:120] for p in _zygotes_of(None) if p.pid not in before]
    assert not left, left


def test_resume_with_other_settings_is_refused(tmp_path):
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return True\\n"}\n')
    args = ["evaluate", str(samples), "--dataset", "humaneval", "--run", str(tmp_path / "r"), "--workers", "1"]
    assert runner.invoke(app, args).exit_code == 0
    result = runner.invoke(app, args + ["--timeout", "5"])
    assert result.exit_code == 2 and "other judging settings (limits: stored" in result.output


def test_duplicate_sample_ids_and_changed_samples_are_refused(tmp_path):
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "sample_id": 0, "completion": "    return True\\n"}\n'
                       '{"task_id": "HumanEval/0", "sample_id": 0, "completion": "    return False\\n"}\n')
    result = runner.invoke(app, ["evaluate", str(samples), "--dataset", "humaneval", "--run", str(tmp_path / "r")])
    assert result.exit_code == 2 and f"{samples}:2: sample 0 of task HumanEval/0 appears twice" in result.output
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return True\\n"}\n')
    args = ["evaluate", str(samples), "--dataset", "humaneval", "--run", str(tmp_path / "r2"), "--workers", "1"]
    assert runner.invoke(app, args).exit_code == 0
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return None\\n"}\n')
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "must not change between resumes" in result.output


def test_empty_and_10_mb_completions_are_judged_not_refused(tmp_path):
    samples = tmp_path / "s.jsonl"
    huge = "    return False\n" + "#" * (10 << 20) + "\n"
    rows = [{"task_id": "HumanEval/0", "completion": ""}, {"task_id": "HumanEval/0", "completion": huge},
            {"task_id": "HumanEval/0", "completion": "    return False\n"}]
    samples.write_text("".join(json.dumps(r) + "\n" for r in rows))
    run = str(tmp_path / "r")
    result = runner.invoke(app, ["evaluate", str(samples), "--dataset", "humaneval", "--ids", "HumanEval/0", "--run", run,
                                 "--k", "1", "--workers", "1"])
    assert result.exit_code == 0, result.output
    exported = [json.loads(line) for line in runner.invoke(app, ["export", run]).output.splitlines()]
    assert [e["verdict"] for e in exported] == ["WA", "WA", "WA"]  # each judged on its merits


def test_the_candidate_runtime_is_a_setting_recorded_and_bound_to_the_run(tmp_path):
    """--packages decides what programs may import (not what is installed beside the judge); the run
    records the runtime and refuses to resume with another; an unknown package is one clear line."""
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    import numpy\\n    return False\\n"}\n'
                       '{"task_id": "HumanEval/0", "completion": "    import psutil\\n    return False\\n"}\n')
    base = ["evaluate", str(samples), "--dataset", "humaneval", "--ids", "HumanEval/0", "--workers", "1",
            "--json", str(tmp_path / "report.json")]
    assert runner.invoke(app, base + ["--run", str(tmp_path / "none"), "--packages", "none"]).exit_code == 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["provenance"]["sandbox"]["runtime"]["packages"] == {}
    # numpy is not importable without it; psutil (installed beside the judge) never is
    exported = subprocess.run(judge_cmd("export", str(tmp_path / "none")), capture_output=True, text=True, check=True)
    details = [json.loads(line)["tests"][0]["detail"] for line in exported.stdout.splitlines()]
    assert details == ["ModuleNotFoundError", "ModuleNotFoundError"]
    assert runner.invoke(app, base + ["--run", str(tmp_path / "numpy")]).exit_code == 0
    exported = subprocess.run(judge_cmd("export", str(tmp_path / "numpy")), capture_output=True, text=True, check=True)
    verdicts = [json.loads(line)["verdict"] for line in exported.stdout.splitlines()]
    assert verdicts[0] == "WA" and json.loads(exported.stdout.splitlines()[1])["tests"][0]["detail"] == "ModuleNotFoundError"
    resumed = runner.invoke(app, base + ["--run", str(tmp_path / "none")])
    assert resumed.exit_code == 2 and "other runtime settings (packages: stored" in resumed.output
    unknown = runner.invoke(app, base + ["--run", str(tmp_path / "x"), "--packages", "no-such-package"])
    assert unknown.exit_code == 2 and "--packages: no-such-package is not installed" in unknown.output


def test_all_packages_of_the_environment_make_a_usable_runtime(tmp_path):
    """--packages all links every distribution of the judge's environment (names that several
    distributions share, such as a top-level __pycache__ or a namespace package, once) and
    programs can import what the judge has installed, psutil among it."""
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    import psutil, typer, rich\\n    return False\\n"}\n')
    result = runner.invoke(app, ["evaluate", str(samples), "--dataset", "humaneval", "--ids", "HumanEval/0",
                                 "--workers", "1", "--packages", "all", "--run", str(tmp_path / "all"),
                                 "--json", str(tmp_path / "report.json")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert {"psutil", "typer", "rich", "numpy"} <= {name.lower() for name in report["provenance"]["sandbox"]["runtime"]["packages"]}
    assert report["counts"]["verdicts"] == {"WA": 1}  # imported fine, then returned the wrong answer


@pytest.mark.parametrize("option", [
    ["--timeout", "-1"], ["--timeout", "0"], ["--timeout", "nan"], ["--memory", "0"], ["--output-limit", "-1"],
    ["--wall", "-5"], ["--k", "0"], ["--k", "-1,1"], ["--workers", "-3"], ["--limit", "0"],
])
def test_invalid_settings_are_one_line_and_store_nothing(tmp_path, option):
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return True\\n"}\n')
    result = subprocess.run(judge_cmd("evaluate", str(samples), "--dataset", "humaneval", "--run", str(tmp_path / "r"),
                                      *option), capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {option[0]} "), result.stderr
    assert not (tmp_path / "r").exists()


def test_damaged_run_databases_are_one_line(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "run.sqlite").write_bytes(b"")
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "run.sqlite").write_bytes(b"not a database at all, " * 100)
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return True\\n"}\n')
    for args in (["report", str(empty)], ["export", str(garbage)], ["report", str(garbage)],
                 ["compare", str(garbage), str(empty)], ["merge", str(tmp_path / "m"), str(garbage)],
                 ["evaluate", str(samples), "--dataset", "humaneval", "--run", str(empty)]):
        result = subprocess.run(judge_cmd(*args), capture_output=True, text=True)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "), (args, result.stderr)
    assert (empty / "run.sqlite").stat().st_size == 0  # an empty database is not taken for a new run


def test_version_and_json_on_stdout(tmp_path):
    version = subprocess.run(judge_cmd("--version"), capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("judge ")
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return True\\n"}\n')
    result = subprocess.run(judge_cmd("evaluate", str(samples), "--dataset", "humaneval", "--ids", "HumanEval/0",
                                      "--run", str(tmp_path / "r"), "--workers", "1", "--json", "-"),
                            capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["samples"] == 1 and not (tmp_path / "-").exists()


def test_selection_flags_filter_the_samples_files(tmp_path):
    """--difficulty/--ids select tasks of the dataset and the samples of those tasks: samples of other
    tasks are left out with a count, not an error; HumanEval ids can be given by number."""
    samples = tmp_path / "s.jsonl"
    humaneval_samples(samples, per_task=1, tasks=8)
    result = subprocess.run(judge_cmd("evaluate", str(samples), "--dataset", "humaneval", "--ids", "0-3",
                                      "--run", str(tmp_path / "r"), "--workers", "1", "--k", "1",
                                      "--json", str(tmp_path / "r.json")), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "r.json").read_text())["counts"]["samples"] == 4
    assert "4 samples of tasks outside the selection" in " ".join(result.stderr.split())
    apps = tmp_path / "apps.jsonl"
    apps.write_text(gzip.open(os.path.join(DATA, "demo_samples_apps.jsonl.gz"), "rt").read())
    result = subprocess.run(judge_cmd("evaluate", str(apps), "--dataset", "apps", "--data", "bundled",
                                      "--difficulty", "competition", "--ids", "2287,4184,1", "--run", str(tmp_path / "a"),
                                      "--workers", "1", "--k", "1", "--json", str(tmp_path / "a.json")),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "a.json").read_text())
    assert {p["difficulty"] for p in report["per_problem"]} == {"competition"}
    # without a selection, a sample of a task the dataset lacks is still an error
    samples.write_text('{"task_id": "HumanEval/999", "completion": "x"}\n')
    assert subprocess.run(judge_cmd("evaluate", str(samples), "--dataset", "humaneval", "--run", str(tmp_path / "b")),
                          capture_output=True).returncode == 2


def test_file_backend_imports_every_sample_by_default(tmp_path):
    samples = tmp_path / "s.jsonl"
    rows = humaneval_samples(samples, per_task=3, tasks=4)
    result = subprocess.run(judge_cmd("sample", "--dataset", "humaneval", "--ids", "0-3", "--backend", "file",
                                      "--from", str(samples), "--run", str(tmp_path / "r")), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"sampled {len(rows)} of {len(rows)}" in result.stderr


def test_an_empty_shard_is_a_finished_part(tmp_path):
    """More shards than tasks with samples: the empty one exits 0, so that a merge after all shards runs."""
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return True\\n"}\n')
    codes = []
    for i in (1, 2):
        result = subprocess.run(judge_cmd("evaluate", str(samples), "--dataset", "humaneval", "--ids", "0-1",
                                          "--shard", f"{i}/2", "--run", str(tmp_path / f"s{i}"), "--workers", "1"),
                                capture_output=True, text=True)
        codes.append((result.returncode, result.stderr))
    assert [c for c, _ in codes] == [0, 0], codes
    assert any("has no samples to judge" in err for _, err in codes)
    merged = subprocess.run(judge_cmd("merge", str(tmp_path / "m"), str(tmp_path / "s1"), str(tmp_path / "s2")),
                            capture_output=True, text=True)
    assert merged.returncode == 0, merged.stderr


def test_logs_get_progress_lines_and_dropped_k_are_said(tmp_path):
    """Without a terminal (stderr to a log) progress comes as plain lines; a k above some problem's
    n is not silently dropped."""
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return True\\n"}\n'
                       '{"task_id": "HumanEval/0", "completion": "    return False\\n"}\n'
                       '{"task_id": "HumanEval/1", "completion": "    return []\\n"}\n')
    with open(tmp_path / "log", "w") as log:
        result = subprocess.run(judge_cmd("evaluate", str(samples), "--dataset", "humaneval", "--ids", "0-1",
                                          "--run", str(tmp_path / "r"), "--workers", "1", "--k", "1,2"),
                                stdout=subprocess.PIPE, stderr=log, text=True,
                                env=dict(os.environ, JUDGE_PROGRESS_SECONDS="0"))
    assert result.returncode == 0
    assert "judging: 1/" in (tmp_path / "log").read_text()
    text = " ".join(result.stdout.split())
    assert "pass@k for k = 2 not reported: problem HumanEval/1 has only 1 samples" in text


def test_small_things_a_new_user_meets(tmp_path):
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return True\\n"}\n')
    base = ["evaluate", str(samples), "--dataset", "humaneval", "--ids", "0", "--workers", "1", "--k", "1"]
    assert subprocess.run(judge_cmd(*base, "--run", str(tmp_path / "a")), capture_output=True).returncode == 0
    assert subprocess.run(judge_cmd(*base, "--run", str(tmp_path / "b"), "--timeout", "2"),
                          capture_output=True).returncode == 0
    # compare says when the runs were judged with other settings
    compared = subprocess.run(judge_cmd("compare", str(tmp_path / "a"), str(tmp_path / "b"), "--bootstrap", "100"),
                              capture_output=True, text=True)
    assert compared.returncode == 0 and "judged with other settings: limits" in compared.stderr
    # a resume refusal names the stored and the asked value
    refused = subprocess.run(judge_cmd(*base, "--run", str(tmp_path / "a"), "--timeout", "5"), capture_output=True, text=True)
    assert refused.returncode == 2 and '"cpu": 3.0' in refused.stderr and '"cpu": 5.0' in refused.stderr
    # report --format table --out writes the table there
    written = subprocess.run(judge_cmd("report", str(tmp_path / "a"), "--out", str(tmp_path / "t.txt")),
                             capture_output=True, text=True)
    assert written.returncode == 0 and "pass@1" in (tmp_path / "t.txt").read_text() and written.stdout == ""
    # prompts --list needs no dataset
    listed = subprocess.run(judge_cmd("prompts", "--list"), capture_output=True, text=True)
    assert listed.returncode == 0 and "codex-1shot" in listed.stdout
    # the same sample id twice in one fresh file is said as such, not as a change between resumes
    twice = tmp_path / "twice.jsonl"
    twice.write_text('{"task_id": "HumanEval/0", "sample_id": 0, "completion": "    return True\\n"}\n'
                     '{"task_id": "HumanEval/0", "sample_id": 0, "completion": "    return False\\n"}\n')
    dup = subprocess.run(judge_cmd("evaluate", str(twice), "--dataset", "humaneval", "--run", str(tmp_path / "d")),
                         capture_output=True, text=True)
    assert dup.returncode == 2 and "appears twice" in dup.stderr and f"{twice}:2" in dup.stderr


def test_the_bundled_problems_are_labelled_train(tmp_path):
    samples = tmp_path / "s.jsonl"
    row = json.loads(gzip.open(os.path.join(DATA, "demo_samples_apps.jsonl.gz"), "rt").readline())
    samples.write_text(json.dumps(row) + "\n")
    result = subprocess.run(judge_cmd("evaluate", str(samples), "--dataset", "apps", "--data", "bundled", "--ids",
                                      str(row["task_id"]), "--run", str(tmp_path / "r"), "--workers", "1", "--k", "1",
                                      "--json", "-"), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["config"]["split"] == "train"


def test_failures_can_be_debugged_from_the_report(tmp_path):
    """A HumanEval failure says which assertion failed and what the function returned; an exception
    says its message and the call; export and the HTML report carry the program."""
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return False\\n"}\n'
                       '{"task_id": "HumanEval/0", "completion": "    raise ValueError(\'no idea\')\\n"}\n')
    assert subprocess.run(judge_cmd("evaluate", str(samples), "--dataset", "humaneval", "--ids", "0", "--workers", "1",
                                    "--run", str(tmp_path / "r"), "--k", "1"), capture_output=True).returncode == 0
    exported = subprocess.run(judge_cmd("export", str(tmp_path / "r")), capture_output=True, text=True, check=True)
    wrong, raising = [json.loads(line) for line in exported.stdout.splitlines()]
    assert wrong["tests"][0]["detail"].startswith("assertion failed: assert candidate(")
    assert wrong["tests"][0]["output"].startswith("last call: has_close_elements(") and "returned False" in wrong["tests"][0]["output"]
    assert raising["tests"][0]["output"].startswith("ValueError: no idea (in has_close_elements(")
    assert "return False" in wrong["program"]
    html = tmp_path / "r.html"
    assert subprocess.run(judge_cmd("report", str(tmp_path / "r"), "--format", "html", "--out", str(html)),
                          capture_output=True).returncode == 0
    assert "raise ValueError(&#x27;no idea&#x27;)" in html.read_text() or "raise ValueError(&#39;no idea&#39;)" in html.read_text()


def test_sigterm_stops_promptly_with_one_line_and_resumes(tmp_path):
    """A scheduler's SIGTERM mid-run: exit 143 within seconds, one line saying what is kept, no
    traceback from any process, and the resumed run finishes it (programs looping under a 3 s
    limit keep the referees busy when the signal comes)."""
    samples = tmp_path / "s.jsonl"
    rows = humaneval_samples(samples, per_task=2, tasks=40)
    loops = [{"task_id": r["task_id"], "sample_id": 10 + i, "completion": f"    x = {i}\n    while True:\n        x += 1\n"}
             for i, r in enumerate(rows[::4])]
    with open(samples, "a") as fh:
        fh.write("".join(json.dumps(r) + "\n" for r in loops))
    common = ["evaluate", str(samples), "--dataset", "humaneval", "--k", "1", "--workers", "2", "--timeout", "1"]
    proc = subprocess.Popen(judge_cmd(*common, "--run", str(tmp_path / "r")), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, JUDGE_PROGRESS_SECONDS="0"))
    deadline = time.time() + 60
    while time.time() < deadline and progress(str(tmp_path / "r"))[1] < 5:
        time.sleep(0.2)
    sent = time.time()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143 and time.time() - sent < 5, (proc.returncode, time.time() - sent)
    assert "Traceback" not in err and "interrupted:" in err, err
    resumed = subprocess.run(judge_cmd(*common, "--run", str(tmp_path / "r"), "--json", str(tmp_path / "r.json")),
                             capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads((tmp_path / "r.json").read_text())["counts"]["samples"] == len(rows) + len(loops)


def test_a_sampled_run_is_judged_without_repeating_its_selection(tmp_path):
    samples = tmp_path / "s.jsonl"
    rows = humaneval_samples(samples, per_task=2, tasks=3)
    sampled = subprocess.run(judge_cmd("sample", "--dataset", "humaneval", "--ids", "0-2", "--backend", "file",
                                       "--from", str(samples), "--run", str(tmp_path / "r")), capture_output=True, text=True)
    assert sampled.returncode == 0, sampled.stderr
    judged = subprocess.run(judge_cmd("evaluate", "--dataset", "humaneval", "--run", str(tmp_path / "r"), "--k", "1",
                                      "--workers", "1", "--json", "-"), capture_output=True, text=True)
    assert judged.returncode == 0, judged.stderr
    assert json.loads(judged.stdout)["counts"]["samples"] == len(rows)


def test_every_help_text_renders_whole():
    """Help strings mention preset sections like [sampling]: none of them may be lost to markup."""
    import re

    import typer.main
    group = typer.main.get_command(app)
    assert runner.invoke(app, ["--help"]).exit_code == 0
    for name, command in group.commands.items():
        result = runner.invoke(app, [name, "--help"], terminal_width=200)
        assert result.exit_code == 0, name
        shown = " ".join(result.output.split())
        for param in command.params:
            for bracket in re.findall(r"\[[^\]]+\]", getattr(param, "help", None) or ""):
                assert bracket in shown, (name, param.name, bracket)


def test_a_store_from_a_newer_judge_is_refused(tmp_path):
    import sqlite3
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return True\\n"}\n')
    assert subprocess.run(judge_cmd("evaluate", str(samples), "--dataset", "humaneval", "--ids", "0", "--workers", "1",
                                    "--run", str(tmp_path / "r")), capture_output=True).returncode == 0
    db = sqlite3.connect(tmp_path / "r" / "run.sqlite")
    assert db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()[0] == "2"
    db.execute("UPDATE meta SET value='99' WHERE key='schema'")
    db.commit()
    db.close()
    result = subprocess.run(judge_cmd("report", str(tmp_path / "r")), capture_output=True, text=True)
    assert result.returncode == 2 and "made by a newer judge (store schema 99" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args, message", [
    (["--run", "/proc/judge-no-such-dir/run"], "cannot create the run directory"),
    (["--run", "RUN", "--json", "/proc/judge-no-such-dir/r.json"], "/proc/judge-no-such-dir/r.json: No such file"),
])
def test_unusable_paths_are_one_line(tmp_path, args, message):
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return True\\n"}\n')
    args = [str(tmp_path / "r") if a == "RUN" else a for a in args]
    result = subprocess.run(judge_cmd("evaluate", str(samples), "--dataset", "humaneval", "--ids", "0", "--workers", "1",
                                      *args), capture_output=True, text=True)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr and result.stderr.strip().splitlines()[-1].startswith("error: ")


@pytest.mark.parametrize("n", ["0", "-2", "1001"])
def test_an_unusable_sample_count_is_refused_before_a_run_exists(tmp_path, n):
    samples = tmp_path / "s.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return True\\n"}\n')
    result = runner.invoke(app, ["sample", "--dataset", "humaneval", "--ids", "0", "--run", str(tmp_path / "r"),
                                 "--backend", "file", "--from", str(samples), "-n", n])
    assert result.exit_code == 2 and f"-n {n}: not a usable value" in result.output
    assert not (tmp_path / "r").exists()
