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
    assert loop.verdict == "TLE" and loop.all_timeout and 1.9 <= loop.tests[0].cpu <= 3.5
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
