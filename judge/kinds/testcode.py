"""Test-code tasks (HumanEval): the model completes a function; the task's ``check(candidate)``
runs on the trusted side, and each call it makes to the candidate crosses into the sandbox.
Expected values never enter the sandbox."""

from __future__ import annotations

import builtins
from types import CodeType
from typing import TYPE_CHECKING, Any

from judge.datasets import Task
from judge.kinds.base import Kind
from judge.outcomes import HIDDEN, ProgramOutcome, TestRecord, excerpt, outcome_of, safe_repr
from judge.sandbox.client import BadReply, CallSession, ChildGone, RunResult, ZygoteDied
from judge.verdicts import Verdict, execution_verdict

if TYPE_CHECKING:
    from judge.execution.judging import Judge


class _CandidateError(Exception):
    """An exception raised by the program whose type has no builtin counterpart."""


class _Candidate:
    """Stands for the program's function inside trusted test code; each call crosses the sandbox."""

    def __init__(self, session: CallSession) -> None:
        self._session = session
        self.last: tuple[list[Any], Any] | None = None  # the last call's arguments and result, for reports
        self.current: list[Any] | None = None             # the arguments of the call being made

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            raise TypeError("keyword arguments are not supported across the sandbox")
        self.current = list(args)
        ok, value = self._session.call(self.current)
        if ok:
            self.last = (self.current, value)
            return value
        name, message = value
        cls = getattr(builtins, name, None)
        try:
            err = cls(message) if isinstance(cls, type) and issubclass(cls, Exception) else _CandidateError(message)
        except Exception:
            err = _CandidateError(message)
        err.judge_raised_by = name  # type: ignore[attr-defined]
        raise err


def _failed_assertion(err: AssertionError, task: Task) -> str:
    """'assertion failed: <the assert line of the test>' from the traceback's innermost frame in
    the task's test code."""
    frame_line = None
    tb = err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == f"{task.task_id}:test":
            frame_line = tb.tb_lineno
        tb = tb.tb_next
    lines = task.test_code.splitlines()
    if frame_line is None or not 0 < frame_line <= len(lines):
        return "assertion failed"
    return f"assertion failed: {lines[frame_line - 1].strip()} (test line {frame_line})"


class TestCode(Kind):
    __test__ = False  # not a pytest class
    name = "humaneval"
    summary = "a function completing the prompt; the task's check(candidate) is the test"
    io_tests = False
    filterable = False

    def program(self, task: Task, completion: str) -> str:
        return task.prompt + completion

    def program_from_chat(self, task: Task, code: str) -> str:
        return task.prompt + "\n" + code

    def completion_of(self, task: Task, solution: str) -> str:
        return solution[len(task.prompt):] if solution.startswith(task.prompt) else solution

    def hidden_tests(self, task: Task) -> int:
        return 1  # check(candidate) is one test

    def from_request(self, spec: dict[str, Any], checker: Any) -> Task:
        return Task(task_id=str(spec.get("task_id", "task")), kind=self.name, prompt=str(spec["prompt"]),
                    test_code=str(spec["test"]), entry_point=str(spec["entry_point"]))

    def judge(self, referee: Judge, task: Task, source: str) -> ProgramOutcome:
        codes = referee.cached(task, "check", lambda: (compile(task.prompt, f"{task.task_id}:prompt", "exec"),
                                                       compile(task.test_code, f"{task.task_id}:test", "exec")))
        internal_errors = 0
        for _attempt in range(2):  # an internal error is retried once
            try:
                verdict, detail, run, output = self._once(referee, task, source, *codes)
            except ZygoteDied as err:
                verdict, detail, run, output = Verdict.IE, f"worker died: {err}", None, ""
            if verdict is not Verdict.IE:
                break
            internal_errors += 1
        if verdict is Verdict.RE and run is not None and not output:
            output = excerpt(run.stderr_tail.decode("utf-8", "replace"), tail=True)
        record = TestRecord(HIDDEN, 0, verdict.value, detail, "check" if verdict is Verdict.AC else "",
                            run.cpu if run else 0.0, run.wall if run else 0.0, run.maxrss_kb if run else 0, output)
        return outcome_of([record], 1, 0, internal_errors)

    def _once(self, referee: Judge, task: Task, source: str, prompt_code: CodeType,
              test_code: CodeType) -> tuple[Verdict, str, RunResult | None, str]:
        zygote = referee.zygotes.for_source(source)
        session = zygote.open_calls(source, task.entry_point)
        if isinstance(session, RunResult):  # it does not compile (or compiling it exceeded a limit)
            failed, detail = execution_verdict(session, zygote.limits)
            return failed or Verdict.RE, detail, session, ""
        candidate = _Candidate(session)
        # The trusted side: the prompt's helpers and the test, with the program's function
        # replaced by a proxy.
        namespace: dict[str, Any] = {"__name__": "__judge_check__"}
        outcome: tuple[Verdict, str] | None
        raised = ""  # what the program raised, for the report
        try:
            exec(prompt_code, namespace)
            exec(test_code, namespace)
            namespace[task.entry_point] = candidate
            namespace["check"](candidate)
            outcome = (Verdict.AC, "")
        except BadReply as err:
            outcome = (Verdict.RE, f"MalformedReply: {err}")
        except ChildGone:
            outcome = None
        except AssertionError as err:
            raised_by = getattr(err, "judge_raised_by", None)
            outcome = (Verdict.RE, raised_by) if raised_by else (Verdict.WA, _failed_assertion(err, task))
        except Exception as err:
            raised_by = getattr(err, "judge_raised_by", None)
            if raised_by:
                outcome = (Verdict.MLE if raised_by == "MemoryError" else Verdict.RE, raised_by)
                raised = excerpt(f"{raised_by}: {err} (in {task.entry_point}({safe_repr(candidate.current)[1:-1]}))")
            else:
                outcome = (Verdict.WA, f"test raised {type(err).__name__}")
        finally:
            run = session.finish()
        failed, detail = execution_verdict(run, zygote.limits)
        if failed is not None:
            return failed, detail, run, ""
        if outcome is None:
            return Verdict.RE, "the program ended before the test finished", run, ""
        if session.calls == 0 and outcome[0] is Verdict.AC:
            return Verdict.WA, "the test never called the program", run, ""
        if outcome[0] is Verdict.WA and candidate.last is not None:
            args, value = candidate.last
            return outcome[0], outcome[1], run, excerpt(f"last call: {task.entry_point}({safe_repr(args)[1:-1]}) "
                                                        f"returned {safe_repr(value)}")
        return outcome[0], outcome[1], run, raised


KIND = TestCode()
