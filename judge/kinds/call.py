"""Call-based programs (APPS/TACO ``fn_name``, LeetCode ``class Solution``): a function is called
with each test's arguments and its return value is compared."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from judge.datasets import Task, Test
from judge.datasets.examples import call_examples
from judge.kinds.base import Attempt, Kind
from judge.sandbox.client import BadReply, ChildGone, RunResult, ZygoteClient
from judge.verdicts import Verdict, execution_verdict


class Call(Kind):
    name = "call"
    summary = "a function (or a method of class Solution): called with each test's arguments"

    def example(self, task: Task) -> tuple[str, str]:
        calls = call_examples(task.statement)
        args, result = calls[0] if calls else ((task.tests[0].input, task.tests[0].output) if task.tests else ([], None))
        if isinstance(result, list) and len(result) == 1 and not calls:
            result = result[0]  # APPS stores a call's expected value wrapped in a list
        return ", ".join(repr(a) for a in args), repr(result)

    def statement_examples(self, statement: str) -> list[Test]:
        return [Test(a, o) for a, o in call_examples(statement)]

    def attempt(self, zygote: ZygoteClient, task: Task, source: str, test_input: Any, rule: ModuleType) -> Attempt:
        session = zygote.open_calls(source, task.fn_name or "", task.solution_class, rule.PRELUDE)
        if isinstance(session, RunResult):  # it does not compile (or compiling it exceeded a limit)
            verdict, detail = execution_verdict(session, zygote.limits)
            return verdict, detail, session, None
        reply: tuple[bool, Any] | None = None
        try:
            reply = session.call(test_input)
        except BadReply as err:
            reply = (False, ("MalformedReply", str(err)))
        except ChildGone:
            pass
        finally:
            run = session.finish()
        verdict, detail = execution_verdict(run, zygote.limits)
        if verdict is not None:
            return verdict, detail, run, None
        if reply is None:
            return Verdict.RE, "the program ended before returning", run, None
        ok, value = reply
        if not ok:
            name = value[0]
            return (Verdict.MLE if name == "MemoryError" else Verdict.RE), name, run, None
        return None, "", run, value

    def from_request(self, spec: dict[str, Any], checker: Any) -> Task:
        tests = [(list(t["input"]), t["output"]) for t in spec.get("tests", [])]
        return Task(task_id=str(spec.get("task_id", "task")), kind=self.name, fn_name=str(spec["fn_name"]),
                    solution_class=bool(spec.get("solution_class", False)),
                    tests=[Test(i, o) for i, o in tests], checker=checker)


KIND = Call()
