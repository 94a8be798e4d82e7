"""The judge as a library: typed results, warm workers, ad-hoc and dataset tasks, asyncio, rewards."""

import asyncio
import gzip
import json
import os

import pytest

import judge
from judge.reward import compute_score

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def j():
    with judge.Judge(workers=2, timeout=2) as instance:
        yield instance


def test_dataset_tasks_and_typed_results(j):
    (task,) = judge.load_tasks("apps", "bundled", ids=["4184"])
    reference = task.solutions[0]
    result = j.judge(task, reference)
    assert isinstance(result, judge.Result) and result.passed and result.verdict == "AC"
    assert all(isinstance(t, judge.TestRecord) and t.verdict == "AC" and t.cpu >= 0 for t in result.tests)
    wrong = j.judge(task, "def is_prime(n):\n    return True\n")
    assert not wrong.passed and wrong.verdict == "WA" and wrong.tests[0].output  # what it returned


def test_ad_hoc_tasks_of_every_kind(j):
    add = judge.stdio_task([("1 2\n", "3\n"), ("5 5\n", "10\n")])
    square = judge.call_task("square", [([3], 9), ([4], 16)])
    (he,) = judge.load_tasks("humaneval", ids=["HumanEval/0"])
    results = j.run([(add, "a, b = map(int, input().split())\nprint(a + b)"), (add, "print(3)"),
                     (square, "def square(x):\n    return x * x"),
                     (he, judge.program(he, he.solutions[0])), (he, judge.program(he, "    return False\n"))])
    assert [r.passed for r in results] == [True, False, True, True, False]
    assert results[1].tests[-1].verdict == "WA" and results[3].task_id == "HumanEval/0"
    # two different tasks with the same id do not get each other's tests
    other = judge.stdio_task([("1 2\n", "-1\n")])
    assert j.judge(other, "a, b = map(int, input().split())\nprint(a - b)").passed
    assert j.judge(add, "a, b = map(int, input().split())\nprint(a + b)").passed


def test_checkers_and_limits_per_call(j):
    close = judge.stdio_task([("", "0.333333\n")], checker="float", abs=1e-3)
    assert j.judge(close, "print(1 / 3)").passed and not j.judge(close, "print(0.3)").passed
    loop = j.judge(judge.stdio_task([("", "1\n")]), "while True:\n    pass")
    # the Judge's 2 s limit, not the default 3 s: ended by RLIMIT_CPU at 2 s of the kernel's CPU
    # accounting (on a loaded VM the reported usage can be lower), or by the 5 s watchdog
    detail = loop.tests[0].detail
    assert loop.verdict == "TLE" and loop.all_timeout and loop.tests[0].cpu < 2.9
    assert "> 2 s" in detail or "> 5 s" in detail, detail
    with pytest.raises(judge.JudgeError):
        judge.stdio_task([("", "")], checker="no-such-checker")


def test_workers_stay_warm_between_calls(j):
    pids = [s.process.pid for s in j._pool.slots]
    for _ in range(3):
        assert j.judge(judge.stdio_task([("", "ok\n")]), "print('ok')").passed
    assert [s.process.pid for s in j._pool.slots] == pids


def test_asyncio(j):
    async def main():
        task = judge.stdio_task([("2\n", "4\n")])
        return await asyncio.gather(j.ajudge(task, "print(int(input()) * 2)"), j.ajudge(task, "print(5)"))
    good, bad = asyncio.run(main())
    assert good.passed and not bad.passed


def test_reward_function_on_real_generations(j):
    """compute_score on CodeRL's real samples of APPS problem 4184 (call-based): binary and partial."""
    rows = [json.loads(line) for line in gzip.open(os.path.join(ROOT, "judge", "data", "demo_samples_apps.jsonl.gz"), "rt")]
    (task,) = judge.load_tasks("apps", "bundled", ids=["4184"])
    ground_truth = json.dumps({"inputs": [t.input for t in task.tests], "outputs": [t.output for t in task.tests],
                               "fn_name": task.fn_name})
    samples = [r["completion"] for r in rows if str(r["task_id"]) == "4184"][:6]
    for sample in samples:
        binary = compute_score(sample, ground_truth, judge=j)
        partial = compute_score(f"Here is my code:\n```python\n{sample}\n```\n", ground_truth, mode="partial", judge=j)
        verdict = j.judge(task, sample)
        assert binary == (1.0 if verdict.passed else 0.0)
        assert 0.0 <= partial <= 1.0 and (partial == 1.0) == verdict.passed
    stdin = {"inputs": ["1 2\n", "3 4\n"], "outputs": ["3\n", "7\n"]}
    assert compute_score("print(3)", stdin, mode="partial", judge=j) == 0.5
    assert compute_score("print(3)", stdin, judge=j) == 0.0


def test_the_api_gives_the_verdicts_of_judge_evaluate(j, tmp_path):
    """Real model samples (CodeRL's, bundled) on four problems: the API and `judge evaluate` agree
    sample by sample."""
    import subprocess
    import sys
    rows = [json.loads(line) for line in gzip.open(os.path.join(ROOT, "judge", "data", "demo_samples_apps.jsonl.gz"), "rt")]
    rows = [r for r in rows if str(r["task_id"]) in ("1", "111", "2404", "4184")]
    assert len(rows) >= 70
    samples = tmp_path / "s.jsonl"
    samples.write_text("".join(json.dumps({"task_id": r["task_id"], "sample_id": i, "completion": r["completion"]}) + "\n"
                               for i, r in enumerate(rows)))
    subprocess.run([sys.executable, "-m", "judge", "evaluate", str(samples), "--dataset", "apps", "--data", "bundled",
                    "--run", str(tmp_path / "r"), "--k", "1", "--timeout", "2"], check=True, capture_output=True)
    exported = subprocess.run([sys.executable, "-m", "judge", "export", str(tmp_path / "r")], check=True,
                              capture_output=True, text=True).stdout.splitlines()
    expected = {e["sample_index"]: (e["verdict"], [t["verdict"] for t in e["tests"] if t["role"] == "hidden"])
                for e in map(json.loads, exported)}
    tasks = {t.task_id: t for t in judge.load_tasks("apps", "bundled", ids=["1", "111", "2404", "4184"])}
    results = j.run([(tasks[str(r["task_id"])], r["completion"]) for r in rows])
    got = {i: (r.verdict, [t.verdict for t in r.tests if t.role == "hidden"]) for i, r in enumerate(results)}
    assert got == expected


def test_the_notebook_example_runs():
    """docs/notebook.ipynb, cell by cell: each cell's last expression is what the notebook shows."""
    nb = json.load(open(os.path.join(ROOT, "docs", "notebook.ipynb")))
    namespace, shown = {}, []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        lines = "".join(cell["source"]).rstrip().split("\n")
        exec("\n".join(lines[:-1]), namespace)
        try:
            shown.append(eval(lines[-1], namespace))
        except SyntaxError:
            exec(lines[-1], namespace)
    assert shown[1][:2] == ("AC", True) and shown[2][0] == "WA"
    assert shown[3] == [("AC", False), ("WA", False), ("TLE", True)]
    assert shown[4] == (True, {"python:2400.py"}, True)
    assert shown[5] == (1.0, 0.5)
