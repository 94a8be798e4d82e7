"""Prompt templates on the bundled APPS problems and HumanEval, and `judge prompts`."""

import json

import pytest
from typer.testing import CliRunner

from judge import prompting
from judge.cli import app
from judge.datasets import Selection, load_tasks
from judge.datasets.examples import call_examples, stdio_examples
from judge.samples import extract_code

runner = CliRunner()


@pytest.fixture(scope="module")
def apps():
    return [t for t in load_tasks("apps", "bundled", Selection(split="train")) if not t.defect]


def test_bundled_templates_are_listed_with_descriptions():
    names = prompting.available()
    assert {"codex-1shot", "apps-qa", "chat", "humaneval"} <= set(names)
    assert all(names.values())


def test_codex_1shot_is_the_statement_plus_one_example_from_it(apps):
    template = prompting.load("codex-1shot")
    for task in apps:
        text = template.render(task).text
        assert text.startswith('"""\n') and task.statement.strip("\n") in text
        body = text.split("-----Formatting example-----\n", 1)[1]
        assert body.count('"""') == 1  # one example, then the docstring closes
        if task.kind == "stdio":
            examples = stdio_examples(task.statement)
            expected_input = (examples[0][0] if examples else task.tests[0].input).rstrip("\n")
            assert body.startswith(f"Input:\n{expected_input}\nOutput:\n")
            assert text.endswith('"""\n')
        else:
            assert body.startswith(f"{task.fn_name}(")
            calls = call_examples(task.statement)
            if calls:
                assert f"returns {calls[0][1]!r}" in body
            assert text.endswith(task.starter_code)  # the model continues the starter code


def test_apps_qa_is_the_original_format(apps):
    template = prompting.load("apps-qa")
    stdin = next(t for t in apps if t.kind == "stdio")
    call = next(t for t in apps if t.kind == "call")
    assert template.render(stdin).text == f"QUESTION:\n{stdin.statement.strip(chr(10))}\n\nUse Standard Input format\nANSWER:\n"
    text = template.render(call).text
    assert text.startswith("QUESTION:\n") and call.starter_code in text and text.endswith("\nUse Call-Based format\nANSWER:\n")


def test_chat_and_humaneval_templates():
    humaneval = load_tasks("humaneval", None, Selection(limit=3))
    assert prompting.load("humaneval").render(humaneval[0]).text == humaneval[0].prompt
    assert prompting.load("humaneval").stop == ("\nclass", "\ndef", "\n#", "\nif", "\nprint")
    chat = prompting.load("chat").render(humaneval[1])
    assert chat.style == "chat" and [m["role"] for m in chat.messages] == ["system", "user"]
    assert humaneval[1].prompt in chat.messages[1]["content"]


def test_code_blocks_are_taken_from_chat_answers():
    assert extract_code("Sure!\n```python\nprint(1)\n```\nBye") == "print(1)\n"
    assert extract_code("```py\nx = 1\n```\n```python\nfor i in range(3):\n    print(i)\n```") == \
        "for i in range(3):\n    print(i)\n"  # the longest Python block
    assert extract_code("```text\n1 2\n```\n```python\nprint(3)\n```") == "print(3)\n"
    assert extract_code("```python\nprint(4)\n") == "print(4)\n"  # cut by the token limit
    assert extract_code("print(5)") == "print(5)"


def test_template_files_are_checked(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('style = "completion"\n[prompt]\nstdio = "{{statment}}"\n')
    with pytest.raises(prompting.TemplateError, match=r"unknown placeholder\(s\) statment"):
        prompting.load(str(bad))
    bad.write_text('style = "completion"\n[prompt]\nstdio = "{{statement}}"\n')
    call_task = next(t for t in load_tasks("apps", "bundled", Selection(split="train")) if t.kind == "call")
    with pytest.raises(prompting.TemplateError, match="has no prompt for call tasks"):
        prompting.load(str(bad)).render(call_task)
    with pytest.raises(prompting.TemplateError, match="no template named 'nope'"):
        prompting.load("nope")


def test_judge_prompts_writes_jsonl(tmp_path):
    out = tmp_path / "prompts.jsonl"
    result = runner.invoke(app, ["prompts", "--dataset", "apps", "--data", "bundled", "--split", "train", "--limit", "5",
                                 "--template", "apps-qa", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 5 and all(r["prompt"].startswith("QUESTION:\n") and r["stop"] for r in rows)
    result = runner.invoke(app, ["prompts", "--dataset", "humaneval", "--template", "chat", "--limit", "2"])
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["task_id"] for r in rows] == ["HumanEval/0", "HumanEval/1"] and rows[0]["messages"][0]["role"] == "system"
    result = runner.invoke(app, ["prompts", "--dataset", "humaneval", "--template", "codex-1shot"])
    assert result.exit_code == 2 and "has no prompt for humaneval tasks" in result.output
