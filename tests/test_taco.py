"""TACO, added as one dataset module (judge/datasets/taco.py): 9 real rows of its train split
(tests/data/taco/, see the README there for where they come from) judged end to end."""

import json
import os

import pytest
from typer.testing import CliRunner

import judge
from judge.cli import app
from judge.datasets import Selection, get_dataset, load_tasks

SLICE = os.path.join(os.path.dirname(__file__), "data", "taco", "taco_train_easy_9.jsonl")
runner = CliRunner()


@pytest.fixture(scope="module")
def tasks():
    return {t.task_id: t for t in load_tasks("taco", SLICE, Selection())}


def test_rows_become_tasks_numbered_by_row(tasks):
    # Ids are row numbers; the kind follows input_output (fn_name: call-based, as Codewars rows are).
    assert list(tasks) == [str(i) for i in range(9)]
    assert [t.kind for t in tasks.values()].count("stdio") == 2
    assert tasks["1"].kind == "stdio" and len(tasks["1"].tests) == 102 and len(tasks["1"].solutions) == 35
    assert tasks["0"].kind == "call" and tasks["0"].fn_name == "encode" and len(tasks["0"].tests) == 3
    assert {t.difficulty for t in tasks.values()} == {"EASY"}
    assert not any(t.defect for t in tasks.values())
    # The codeforces statement's example is its public test (filtered pass@k); Codewars prose has none.
    assert tasks["4"].public_source == "statement" and tasks["0"].public_source == "first:1"


def test_selection_and_declared_facts():
    assert [t.task_id for t in load_tasks("taco", SLICE, Selection(ids=("1", "4")))] == ["1", "4"]
    assert load_tasks("taco", SLICE, Selection(difficulties=("HARD",))) == []
    dataset = get_dataset("taco")
    assert dataset.kinds == ("stdio", "call") and "VERY_HARD" in dataset.difficulties


def test_every_reference_is_judged_and_the_one_wrong_greedy_fails(tmp_path):
    # 239 reference solutions: all pass but one greedy answer to CodeChef RRJOKE, which TACO
    # keeps among its solutions although it is wrong on test 40.
    out = tmp_path / "audit.json"
    result = runner.invoke(app, ["audit", "--dataset", "taco", "--data", SLICE, "--run", str(tmp_path / "run"),
                                 "--references", "100", "--json", str(out)])
    assert result.exit_code == 0, result.output
    audit = json.loads(out.read_text())
    assert audit["problems"] == 9 and audit["broken"] == []
    assert [(p["task_id"], p["references"], p["passed"], p["verdicts"]) for p in audit["partly"]] == \
        [("1", 35, 34, {"WA": 1})]


def test_mutants_of_references_fail(tasks):
    stdio, call = tasks["4"], tasks["5"]
    good_stdio, good_call = stdio.solutions[0], call.solutions[0]
    with judge.Judge(workers=1) as j:
        results = j.run([(stdio, good_stdio), (stdio, good_stdio.replace("print(", "print(1+", 1)),
                         (call, good_call), (call, good_call.replace("return", "return 1 or", 1))])
    assert [r.verdict for r in results] == ["AC", "WA", "AC", "WA"]
    assert results[0].hidden_passed == len(stdio.tests)


def test_a_missing_bundled_copy_is_one_line(tmp_path):
    result = runner.invoke(app, ["evaluate", str(tmp_path / "none.jsonl"), "--dataset", "taco", "--data", "bundled",
                                 "--run", str(tmp_path / "r")])
    assert result.exit_code == 2 and "TACO has no bundled copy" in result.output


def test_an_unusable_row_is_said_in_one_line(tmp_path):
    rows = tmp_path / "taco.jsonl"
    rows.write_text(json.dumps({"question": "q", "solutions": ["print(1)"], "input_output": "{bad"}) + "\n")
    result = runner.invoke(app, ["audit", "--dataset", "taco", "--data", str(rows), "--run", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert f"{rows}:1: problem 0 has unusable input_output" in result.output and "Traceback" not in result.output
