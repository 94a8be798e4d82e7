"""Timeouts on real data: what "timeout-only" means, ``--timeout-only any``, ``--after-timeout stop``.

APPS train problem 4184 has a real reference solution (its 6th) that is correct but slow (a function, called per test): it
builds a sieve up to 10^7 on every input with a large number (~2.2 s here), and answers the
others in milliseconds.  Its hidden tests 0 and 4 are fast, test 1 is slow.
"""

import gzip
import json
import sqlite3

import pytest
from typer.testing import CliRunner

from conftest import shared
from judge.cli import app
from judge.datasets import Selection, load_tasks
from judge.sandbox.client import Limits

runner = CliRunner()
LOOP = "while True:\n    pass\n"
KEEP = [0, 1, 4]  # hidden tests of 4184 kept: fast, slow, fast


@pytest.fixture(scope="module")
def problem():
    with gzip.open(shared("apps", "apps_train_153.jsonl.gz"), "rt") as fh:
        row = next(r for r in map(json.loads, fh) if str(r["problem_id"]) == "4184")
    io = json.loads(row["input_output"])
    io = dict(io, inputs=[io["inputs"][i] for i in KEEP], outputs=[io["outputs"][i] for i in KEEP])
    solutions = json.loads(row["solutions"])
    return dict(row, input_output=json.dumps(io)), solutions[5], solutions[0]


@pytest.fixture(scope="module")
def task(problem, tmp_path_factory):
    data = tmp_path_factory.mktemp("data") / "apps.jsonl"
    data.write_text(json.dumps(problem[0]) + "\n")
    (task,) = load_tasks("apps", str(data), Selection(), "statement")
    assert task.kind == "call" and len(task.tests) == 3
    return task


def hidden(outcome):
    return [t.verdict for t in outcome.tests if t.role == "hidden"]


def test_a_correct_but_slow_program_is_timeout_only_and_a_loop_is_not(judge_factory, task, problem):
    judge = judge_factory("strict", Limits(cpu=1.0))
    slow = judge.judge(task, problem[1])
    assert hidden(slow) == ["AC", "TLE", "AC"], slow.tests
    assert slow.timeout_only and not slow.all_timeout and not slow.passed
    loop = judge.judge(task, LOOP)
    assert hidden(loop) == ["TLE"] * 3
    assert loop.all_timeout and not loop.timeout_only
    fast = judge.judge(task, problem[2])
    assert fast.passed and not fast.timeout_only and not fast.all_timeout


def test_stop_after_a_timeout_ends_the_program(judge_factory, task, problem):
    from judge.execution.judging import Judge
    pair = judge_factory("strict", Limits(cpu=1.0)).zygotes
    judge = Judge(pair, judge_factory("strict").rule, after_timeout="stop")
    slow = judge.judge(task, problem[1])
    assert hidden(slow) == ["AC", "TLE"]  # test 2 is never run
    assert slow.verdict == "TLE" and not slow.passed and not slow.timeout_only


def _evaluate(tmp_path, problem, run, *options):
    data = tmp_path / "apps.jsonl"
    data.write_text(json.dumps(problem[0]) + "\n")
    samples = tmp_path / "samples.jsonl"
    samples.write_text("".join(json.dumps({"task_id": "4184", "completion": code}) + "\n"
                               for code in (problem[1], LOOP, problem[2], problem[2] + "\n# same, once more\n")))
    out = tmp_path / f"{run}.json"
    result = runner.invoke(app, ["evaluate", str(samples), "--dataset", "apps", "--data", str(data),
                                 "--run", str(tmp_path / run), "--k", "1", "--timeout", "1", "--workers", "2",
                                 "--json", str(out), *options])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text()), " ".join(result.output.split())  # as printed, unwrapped


def test_bracket_numbers_count_slow_programs_not_loops(tmp_path, problem):
    report, text = _evaluate(tmp_path, problem, "cont")
    counts = report["counts"]
    assert counts["timeout_only_samples"] == 1 and counts["all_timeout_samples"] == 1
    assert report["raw"]["pass@1"] == 0.5 and report["raw_with_timeouts"]["pass@1"] == 0.75
    assert "pass at least one" in text
    literal = runner.invoke(app, ["report", str(tmp_path / "cont"), "--timeout-only", "any", "--json", "-"])
    literal = json.loads(literal.output)
    assert literal["raw_with_timeouts"]["pass@1"] == 1.0 and literal["config"]["timeout_only"] == "any"

    # a store written before all_timeout existed counted the loop as timeout-only: it is split on opening
    db = sqlite3.connect(tmp_path / "cont" / "run.sqlite")
    db.execute("UPDATE programs SET timeout_only = 1 WHERE all_timeout")
    db.execute("ALTER TABLE programs DROP COLUMN all_timeout")
    db.commit()
    db.close()
    upgraded = json.loads(runner.invoke(app, ["report", str(tmp_path / "cont"), "--json", "-"]).output)
    assert upgraded["counts"]["all_timeout_samples"] == 1 and upgraded["raw_with_timeouts"] == report["raw_with_timeouts"]


def test_after_timeout_stop_keeps_pass_at_k_and_drops_the_brackets(tmp_path, problem):
    exact, _ = _evaluate(tmp_path, problem, "cont")
    stopped, text = _evaluate(tmp_path, problem, "stop", "--after-timeout", "stop")
    for view in ("raw", "filtered"):
        assert stopped[view] == exact[view]
    assert stopped["raw_with_timeouts"] == {} and stopped["counts"]["timeout_only_samples"] is None
    assert stopped["counts"]["tests_run"] < exact["counts"]["tests_run"]
    assert "--after-timeout stop" in text
    resumed = runner.invoke(app, ["evaluate", str(tmp_path / "samples.jsonl"), "--dataset", "apps",
                                  "--data", str(tmp_path / "apps.jsonl"), "--run", str(tmp_path / "stop"),
                                  "--timeout", "1"])
    assert resumed.exit_code == 2 and "after_timeout" in resumed.output
