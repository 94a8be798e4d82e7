"""HumanEval: the canonical solutions pass, and a completion cannot forge a pass."""

import pytest

from judge.datasets import Selection, load_tasks
from judge.samples import program_source


@pytest.fixture(scope="module")
def tasks():
    return {t.task_id: t for t in load_tasks("humaneval", None, Selection())}


@pytest.fixture(scope="module")
def judge(judge_factory):
    return judge_factory()


def test_all_canonical_solutions_pass(tasks, judge):
    assert len(tasks) == 164
    failures = {}
    for task in tasks.values():
        result = judge.judge(task, program_source(task, task.solutions[0]))
        if result.verdict != "AC":
            failures[task.task_id] = (result.verdict, result.tests[0].detail)
    assert failures == {}


WRONG_BODY = "    return False\n"
FORGERIES = {
    "os._exit(0) before the asserts": WRONG_BODY + "import os\nos._exit(0)\n",
    "sys.exit(0) at import": WRONG_BODY + "import sys\nsys.exit(0)\n",
    "SystemExit from the function": "    raise SystemExit(0)\n",
    "print a pass marker": WRONG_BODY + "print('passed')\nprint('OK')\n",
    "patch builtins": WRONG_BODY + "import builtins\nbuiltins.AssertionError = type('A', (Exception,), {})\n"
                      "builtins.abs = lambda x: 0\n",
    "define check": WRONG_BODY + "def check(candidate):\n    pass\n",
    "always-equal result": "    class Yes:\n        def __eq__(self, other):\n            return True\n"
                           "        __hash__ = object.__hash__\n    return Yes()\n",
    "exit at call time": "    import os\n    os._exit(0)\n",
    "talk on the call channel": WRONG_BODY + "import os, struct\nos.write(4, struct.pack('!I', 5) + b'R' + b'true')\nos._exit(0)\n",
}


@pytest.mark.parametrize("name", list(FORGERIES))
def test_forgeries_do_not_pass(tasks, judge, name):
    task = tasks["HumanEval/0"]
    result = judge.judge(task, program_source(task, FORGERIES[name]))
    assert result.verdict != "AC", (name, result)
    assert not result.passed


def test_verdicts_distinguish_failures(tasks, judge):
    task = tasks["HumanEval/0"]
    assert judge.judge(task, program_source(task, WRONG_BODY)).verdict == "WA"
    assert judge.judge(task, program_source(task, "    return numbers[100]\n")).tests[0].detail == "IndexError"
    assert judge.judge(task, program_source(task, "    while True:\n        pass\n")).verdict == "TLE"
    assert judge.judge(task, program_source(task, "    return (\n")).verdict == "CE"
