"""Dataset loading in every supported layout, selection filters, defects, statement examples."""

import gzip
import json

import pytest

from conftest import shared
from judge.datasets import DatasetError, Selection, load_tasks, parse_ids
from judge.datasets.examples import call_examples, stdio_examples


@pytest.fixture(scope="module")
def rows():
    with gzip.open(shared("apps/apps_train_153.jsonl.gz"), "rt") as fh:
        return [json.loads(line) for line in fh][:12] + [json.loads(line) for line in open(shared("apps/apps_train_coderl_5.jsonl"))][3:]


def _summary(tasks):
    return [(t.task_id, t.kind, t.difficulty, len(t.tests), t.fn_name, t.solution_class, len(t.public_tests)) for t in tasks]


def test_all_file_layouts_load_the_same_tasks(tmp_path, rows):
    jsonl = tmp_path / "apps.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows))
    gz = tmp_path / "apps.jsonl.gz"
    with gzip.open(gz, "wt") as fh:
        fh.write(jsonl.read_text())
    js = tmp_path / "apps.json"
    js.write_text(json.dumps(rows))
    import pyarrow as pa
    import pyarrow.parquet as pq
    parquet = tmp_path / "apps.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet)
    folder = tmp_path / "APPS" / "train"
    for r in rows:
        d = folder / f"{r['problem_id']:04d}"
        d.mkdir(parents=True)
        (d / "question.txt").write_text(r["question"])
        (d / "solutions.json").write_text(r["solutions"])
        (d / "input_output.json").write_text(r["input_output"])
        (d / "metadata.json").write_text(json.dumps({"difficulty": r["difficulty"], "url": r["url"]}))
        if r["starter_code"]:
            (d / "starter_code.py").write_text(r["starter_code"])
    reference = _summary(load_tasks("apps", str(jsonl), Selection()))
    assert len(reference) == len(rows)
    assert {k for _, k, *_ in reference} == {"stdio", "call"}
    for source in (gz, js, parquet):
        assert _summary(load_tasks("apps", str(source), Selection())) == reference
    assert _summary(load_tasks("apps", str(tmp_path / "APPS"), Selection(split="train"))) == reference


def test_selection_filters(rows, tmp_path):
    path = tmp_path / "apps.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert [t.task_id for t in load_tasks("apps", str(path), Selection(ids=parse_ids("0-2,4184")))] == ["0", "1", "2", "4184"]
    assert {t.difficulty for t in load_tasks("apps", str(path), Selection(difficulties=("introductory",)))} == {"introductory"}
    assert len(load_tasks("apps", str(path), Selection(limit=3))) == 3


def test_bundled_sets():
    apps = load_tasks("apps", "bundled", Selection())
    assert len(apps) == 195 and {t.difficulty for t in apps} == {"introductory", "interview", "competition"}
    assert {t.kind for t in apps} == {"stdio", "call"}
    assert len(load_tasks("humaneval", None, Selection())) == 164


def test_broken_rows(tmp_path, rows):
    broken = dict(rows[0], input_output="{not json")
    path = tmp_path / "apps.jsonl"
    path.write_text(json.dumps(broken) + "\n" + json.dumps(rows[1]) + "\n")
    tasks = load_tasks("apps", str(path), Selection())
    assert tasks[0].defect and f"{path}:1" in tasks[0].defect and tasks[1].defect is None
    path.write_text(json.dumps(rows[1]) + "\n{oops\n")
    with pytest.raises(DatasetError, match=r"apps.jsonl:2: not valid JSON"):
        load_tasks("apps", str(path), Selection())
    with pytest.raises(DatasetError, match="no such file"):
        load_tasks("apps", str(tmp_path / "missing.jsonl"), Selection())


def test_statement_examples_agree_with_coderl():
    """Our extraction against CodeRL's extracted examples on the APPS test problems whose statements we have."""
    coderl = {}
    with gzip.open(shared("apps/apps_test_example_tests_coderl_5000.jsonl.gz"), "rt") as fh:
        for line in fh:
            row = json.loads(line)
            coderl[row["problem_id"]] = json.loads(row["example_input_output"]) if row["example_input_output"] else None
    agree = total = 0
    for line in open(shared("generations/apps/codejudge/gpt.jsonl")):
        row = json.loads(line)
        ref = coderl[int(row["task_id"])]
        if not ref:
            continue
        total += 1
        ours = stdio_examples(row["problem"])
        theirs = list(zip(ref["inputs"], ref["outputs"]))
        agree += len(ours) == len(theirs) and all(
            a.split() == c.split() and b.split() == d.split() for (a, b), (c, d) in zip(ours, theirs))
    print(f"\nexample extraction agrees with CodeRL on {agree}/{total} problems")
    assert total >= 90 and agree / total >= 0.95


def test_leetcode_examples():
    text = 'Example 1:\n\nInput: nums = [2,7,11,15], target = 9\nOutput: [0,1]\n\nExample 2:\nInput: s = "a,b"\nOutput: true\n'
    assert call_examples(text) == [([[2, 7, 11, 15], 9], [0, 1]), (["a,b"], True)]
