"""Hostile programs aimed at per-problem checkers (the program's output is the checker's input),
each followed in the same unit by a correct program that must still pass: a checker that was
forged, broken or disturbed shows up there.  Self-contained (no conftest): CI runs it from a
wheel install too."""

import os
import uuid

import pytest

from judge.checkers import CheckerSpec, get_rule
from judge.datasets import Task, Test
from judge.execution.judging import Judge, ZygotePair
from judge.sandbox.client import Limits, SandboxOptions

CORRECT = "print(int(input()) * 2)"
# A careless checker: it echoes what the program printed, and another one evaluates it.
ECHO = "def check(input, expected, output):\n    print(output)\n    return output.split() == expected.split()\n"
EVAL = "def check(input, expected, output):\n    return eval(output.strip() or '0') == int(expected)\n"


@pytest.fixture(scope="module")
def judge(tmp_path_factory):
    uid = 2_400_000 if os.geteuid() == 0 else None
    pair = ZygotePair(31, SandboxOptions(str(tmp_path_factory.mktemp("sandbox")), uid=uid), Limits(cpu=2.0))
    yield Judge(pair, get_rule("strict"))
    pair.close()


def task(checker_source, name):
    return Task(task_id=name, kind="stdio", tests=[Test("21\n", "42\n")],
                checker=CheckerSpec("python", source=checker_source, where=f"{name}.py"))


def hostile_programs(mark, target):
    return [
        ("forged verdict lines", "import secrets\nfor _ in range(2000):\n"
                                 "    print(secrets.token_hex(16), '[true, \"\"]')\nprint('AC')"),
        ("16 MiB of output for the checker", "import sys\nsys.stdout.write('4' * ((16 << 20) - 64))"),
        ("bytes that are not UTF-8", "import sys\nsys.stdout.buffer.write(b'\\xff\\xfe42\\x00\\n' * 1000)"),
        ("the bundled checkers' sources", "import glob\nprint(glob.glob('/**/judge/data/checkers/*.py', recursive=True)"
                                          "[:1] or 'none')"),
        ("signal everything it may", "import os, signal\nfor pid in range(2, 1 << 16):\n    try:\n"
                                     "        os.kill(pid, signal.SIGKILL)\n    except OSError:\n        pass\nprint(42)"),
        ("code for an evaluating checker", f"print(\"open({str(target)!r}, 'w').write('x') or "
                                           f"__import__('os').system('touch {target}x') or 42\")"),
        ("a checker-sized loop", "print('__import__(\"time\").sleep(60) or 42')"),
    ]


@pytest.mark.parametrize("checker", [ECHO, EVAL], ids=["echo", "eval"])
def test_hostile_outputs_never_pass_a_checker_and_leave_it_working(judge, tmp_path, checker):
    mark = uuid.uuid4().hex
    target = tmp_path / f"escaped-{mark}"
    t = task(checker, f"double-{mark[:8]}")
    assert judge.judge(t, CORRECT).passed
    for name, source in hostile_programs(mark, target):
        outcome = judge.judge(t, source)
        if name == "signal everything it may":
            assert outcome.verdict in ("AC", "RE", "SV"), (name, outcome.tests)  # 42 is right: it only must not disturb
        else:
            assert not outcome.passed, (name, [(r.verdict, r.detail) for r in outcome.tests])
        after = judge.judge(t, CORRECT)
        assert after.passed, (name, [(r.verdict, r.detail) for r in after.tests])
    assert not target.exists() and not (tmp_path / f"escaped-{mark}x").exists()
