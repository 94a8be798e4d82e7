"""Per-problem checkers: the bundled APPS problems that accept any of several answers, and special
judges in the sandbox.

Each bundled checker must accept every reference solution that runs (the Python 2 ones do not
compile; one of 2379's reads a file) and reject wrong programs made from them: one that prints an extra line, one whose
first number is off by one.
"""

import os

import pytest

from judge.checkers import CheckerSpec, load_checkers
from judge.datasets import Selection, load_tasks
from judge.evaluation import EvaluateOptions, attach_checkers
from judge.sandbox.client import Limits

BUNDLED = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "judge", "data", "checkers")
OFF_BY_ONE = '''
import io as _io, sys as _sys
_real, _sys.stdout = _sys.stdout, _io.StringIO()
try:
    exec(compile(REFERENCE, "reference", "exec"), {"__name__": "__main__"})
finally:
    _out, _sys.stdout = _sys.stdout.getvalue(), _real
_tokens = _out.split()
for _i, _t in enumerate(_tokens):
    if _t.lstrip("-").isdigit():
        _tokens[_i] = str(int(_t) + 1)
        break
else:  # no number: the first letter of the first word moves on ("RSP" -> "SSP")
    _tokens[0] = {"R": "S", "S": "P", "P": "R"}.get(_tokens[0][0], chr(ord(_tokens[0][0]) + 1)) + _tokens[0][1:]
print(" ".join(_tokens))
'''


@pytest.fixture(scope="module")
def tasks():
    tasks = load_tasks("apps", "bundled", Selection())
    attach_checkers(tasks, EvaluateOptions(samples=[], dataset="apps", run_dir="", data="bundled"))
    return {t.task_id: t for t in tasks}


@pytest.fixture(scope="module")
def judge(judge_factory):
    return judge_factory("strict", Limits(cpu=10.0))


def compiles(source):
    try:
        compile(source, "reference", "exec")
        return True
    except SyntaxError:
        return False


CHECKED = sorted(load_checkers(BUNDLED))


def test_the_bundled_checkers_are_for_multi_answer_problems(tasks):
    assert len(CHECKED) >= 6
    for task_id in CHECKED:
        assert tasks[task_id].multi_answer and tasks[task_id].checker.name == "python", task_id


@pytest.mark.parametrize("task_id", CHECKED)
def test_a_bundled_checker_accepts_the_references_and_rejects_mutants(tasks, judge, task_id):
    task = tasks[task_id]
    references = [s for s in task.solutions[:10] if compiles(s)]
    assert references, task_id
    passed = 0
    for number, source in enumerate(references):
        outcome = judge.judge(task, source)
        # A reference may fail for its own reasons (one of 2379's reads input.txt): never as a wrong answer.
        assert outcome.passed or outcome.verdict != "WA", (task_id, number, [(t.verdict, t.detail) for t in outcome.tests
                                                                             if t.verdict != "AC"])
        passed += outcome.passed
    assert passed >= max(1, len(references) - 1), (task_id, passed, len(references))
    first = references[0]
    for name, mutant in (("extra line", first + "\nprint(12345)\n"),
                         ("off by one", f"REFERENCE = {first!r}\n" + OFF_BY_ONE)):
        outcome = judge.judge(task, mutant)
        assert not outcome.passed, (task_id, name)
        assert outcome.verdict == "WA", (task_id, name, outcome.verdict)


def test_multi_answer_wording_is_detected(tasks):
    flagged = {t for t, task in tasks.items() if task.multi_answer and task.solutions}
    assert len(flagged) == 26  # of the 153 problems with references; by reading each statement
    assert not tasks["2049"].multi_answer  # "if there are several ways ..., find the minimum number"
    assert not tasks["5"].multi_answer     # "... you should find all of them"
    assert not tasks["21"].multi_answer    # "there are many of them. In such a case, output the smallest one"
    assert not tasks["20"].multi_answer    # "so many of them like to make a reservation"


def _stdio_task(task_id="echo"):
    from judge.datasets import Task, Test
    return Task(task_id=task_id, kind="stdio", tests=[Test("3\n", "6\n")])


def test_a_special_judge_cannot_be_forged_by_the_output(judge):
    """The checker below echoes what the program printed (as careless checkers do) and accepts
    only 6: a program that prints a verdict line of its own still fails."""
    task = _stdio_task()
    task.checker = CheckerSpec("python", source="def check(input, expected, output):\n    print(output)\n"
                                                "    return output.split() == expected.split()\n", where="echo.py")
    assert judge.judge(task, "print(6)").passed
    forged = "print('deadbeef' * 2 + ' [true, \"\"]')\nprint('AC')\nprint('[true, \"\"]')"
    assert judge.judge(task, forged).verdict == "WA"


def test_a_special_judge_runs_in_the_sandbox(judge, tmp_path):
    """A checker that evaluates the output (a bad checker) runs it in the sandbox: the output's
    code can neither write outside nor start processes."""
    target = tmp_path / "escaped"
    task = _stdio_task("evaluating")
    task.checker = CheckerSpec("python", source="def check(input, expected, output):\n    return eval(output) == 6\n",
                               where="eval.py")
    assert judge.judge(task, "print('2 * 3')").passed
    hostile = f"print(\"open({str(target)!r}, 'w').write('x') or __import__('os').system('touch {target}x') or 6\")"
    outcome = judge.judge(task, hostile)
    assert not outcome.passed and outcome.tests[0].detail.startswith("checker raised"), outcome.tests
    assert not target.exists() and not (tmp_path / "escapedx").exists()


def test_built_in_checkers_with_parameters_from_a_folder(tmp_path, judge):
    (tmp_path / "f.toml").write_text('checker = "float"\n[params]\nabs = 0.01\n')
    (tmp_path / "u.toml").write_text('checker = "unordered"\n[params]\nby = "lines"\n')
    (tmp_path / "c.toml").write_text('checker = "case-insensitive"\n')
    found = load_checkers(str(tmp_path))
    cases = {"f": ("1.5\n", "print(1.504)", "print(1.52)"), "u": ("a b\nc d\n", "print('c d')\nprint('a b')", "print('a b c d')"),
             "c": ("YES\n", "print('yes')", "print('no')")}
    for task_id, (answer, right, wrong) in cases.items():
        from judge.datasets import Task, Test
        task = Task(task_id=task_id, kind="stdio", tests=[Test("", answer)], checker=found[task_id])
        assert judge.judge(task, right).passed, task_id
        assert not judge.judge(task, wrong).passed, task_id
    (tmp_path / "bad.toml").write_text('checker = "float"\n[params]\nepsilon = 1\n')
    with pytest.raises(ValueError, match="bad.toml: checker float has no parameter epsilon"):
        load_checkers(str(tmp_path))


def test_the_report_flags_multi_answer_problems_and_gives_pass_at_k_without_them(tmp_path, tasks):
    import json
    import subprocess
    import sys
    rows = [{"task_id": t, "sample_id": i, "completion": s} for t in ("2400", "2038", "4184")
            for i, s in enumerate([s for s in tasks[t].solutions if compiles(s)][:3])]
    samples = tmp_path / "s.jsonl"
    samples.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = subprocess.run([sys.executable, "-m", "judge", "evaluate", str(samples), "--dataset", "apps", "--data",
                             "bundled", "--run", str(tmp_path / "r"), "--k", "1", "--json", "-"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    entries = {e["task_id"]: e for e in report["per_problem"]}
    assert entries["2400"]["checker"] == "python:2400.py" and entries["2400"]["multi_answer"]
    assert entries["2038"]["checker"] is None and entries["2038"]["multi_answer"] and not entries["4184"]["multi_answer"]
    multi = report["multi_answer"]
    assert multi["problems"] == 2 and multi["with_checker"] == 1 and multi["without_checker"] == ["2038"]
    assert multi["without_them"]["problems"] == 2
    assert report["counts"]["accepted_by"].get("python:2400.py", 0) > 0


CHECKER_C = r"""
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    long want, got;
    FILE *out = fopen(argv[2], "r"), *ans = fopen(argv[3], "r");
    if (!out || !ans || fscanf(ans, "%ld", &want) != 1) { fprintf(stderr, "cannot read\n"); return 3; }
    if (fscanf(out, "%ld", &got) != 1) { fprintf(stderr, "no number\n"); return 2; }
    if (got % want != 0) { fprintf(stderr, "%ld is not a multiple of %ld\n", got, want); return 1; }
    fprintf(stderr, "ok\n");
    return 0;
}
"""

HOSTILE_C = r"""
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
int main(int argc, char **argv) {
    FILE *f = fopen(argv[1] + 0, "r");
    FILE *outside = fopen("%s", "w");
    int s = socket(AF_INET, SOCK_STREAM, 0);
    fprintf(stderr, "write %s socket %s\n", outside ? "yes" : "no", s >= 0 ? "yes" : "no");
    if (outside || s >= 0) return 0;   /* would accept */
    fork();                            /* killed */
    return 0;
}
"""


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    import shutil
    import subprocess
    if shutil.which("cc") is None:
        pytest.fail("a C compiler is needed to build the test checkers")
    folder = tmp_path_factory.mktemp("checkers")
    target = folder.parent / "escaped-by-checker"

    def build(name, code):
        (folder / f"{name}.c").write_text(code)
        subprocess.run(["cc", "-O1", "-o", str(folder / name), str(folder / f"{name}.c")], check=True)
        (folder / f"{name}.c").unlink()
    build("multiple", CHECKER_C)
    build("hostile", HOSTILE_C.replace("%s", str(target), 1))
    return load_checkers(str(folder)), target


def test_an_executable_checker_gives_the_verdict(judge, compiled):
    from judge.datasets import Task, Test
    found, _ = compiled
    assert found["multiple"].name == "executable"
    task = Task(task_id="multiple", kind="stdio", tests=[Test("", "7\n")], checker=found["multiple"])
    right = judge.judge(task, "print(21)")
    assert right.passed and right.tests[0].accepted_by == "executable:multiple" and right.tests[0].strict is False
    wrong = judge.judge(task, "print(22)")
    assert wrong.verdict == "WA" and wrong.tests[0].detail == "22 is not a multiple of 7"
    assert judge.judge(task, "print('x')").verdict == "WA"


def test_an_executable_checker_is_confined(judge, compiled):
    from judge.datasets import Task, Test
    found, target = compiled
    task = Task(task_id="hostile", kind="stdio", tests=[Test("", "1\n")], checker=found["hostile"])
    outcome = judge.judge(task, "print(1)")
    assert outcome.verdict == "IE" and "forbidden system call" in outcome.tests[0].detail, outcome.tests
    assert not target.exists()
