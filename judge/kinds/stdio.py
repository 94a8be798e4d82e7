"""stdin/stdout programs (APPS, TACO, contests): the input is fed on stdin, stdout is compared."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from judge.datasets import Task, Test
from judge.datasets.examples import stdio_examples
from judge.kinds.base import Attempt, Kind
from judge.outcomes import excerpt
from judge.sandbox.client import RunResult, ZygoteClient
from judge.verdicts import execution_verdict


class Stdio(Kind):
    name = "stdio"
    summary = "a whole program: reads the input on stdin, its stdout is compared"

    def example(self, task: Task) -> tuple[str, str]:
        found = stdio_examples(task.statement)
        inp, out = found[0] if found else ((task.tests[0].input, task.tests[0].output) if task.tests else ("", ""))
        return str(inp).rstrip("\n"), str(out).rstrip("\n")

    def statement_examples(self, statement: str) -> list[Test]:
        return [Test(i, o) for i, o in stdio_examples(statement)]

    def attempt(self, zygote: ZygoteClient, task: Task, source: str, test_input: Any, rule: ModuleType) -> Attempt:
        run = zygote.run_stdio(source, test_input.encode("utf-8", "surrogateescape"), rule.PRELUDE,
                               rule.WRAP_MODULE_RETURN)
        verdict, detail = execution_verdict(run, zygote.limits)
        return verdict, detail, run, None

    def actual(self, run: RunResult, value: Any) -> str:
        return run.stdout.decode("utf-8", "surrogateescape")

    def expected(self, expected: Any) -> str:
        return expected if isinstance(expected, str) else str(expected)

    def shown(self, actual: Any) -> str:
        return excerpt(actual)

    def comparison(self, rule: ModuleType):
        return rule.compare_stdout

    def from_request(self, spec: dict[str, Any], checker: Any) -> Task:
        tests = [(t["input"], t["output"]) for t in spec.get("tests", [])]
        if not tests or not all(isinstance(i, str) and isinstance(o, str) for i, o in tests):
            raise ValueError("stdio tests are {\"input\": text, \"output\": text}")
        return Task(task_id=str(spec.get("task_id", "task")), kind=self.name,
                    tests=[Test(i, o) for i, o in tests], checker=checker)


KIND = Stdio()
