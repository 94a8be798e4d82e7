"""What a task kind is: how a program of that kind is assembled, run on one test, and compared.

A kind is one small module holding one :class:`Kind`, registered in ``judge.kinds.KINDS``.
Nothing outside ``judge/kinds/`` asks which kind a task is: it asks the task's kind object.

Kinds with input/output tests (stdin/stdout, calls) share the referee's test loop
(``Judge.judge_tests``) and supply ``attempt`` (run one input) and ``actual`` (what is compared);
a kind whose tests are code (HumanEval's ``check``) judges a program in one piece (``judge``).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from judge.outcomes import excerpt, safe_repr

if TYPE_CHECKING:
    from judge.datasets import Task
    from judge.execution.judging import Judge
    from judge.outcomes import ProgramOutcome
    from judge.sandbox.client import RunResult, ZygoteClient
    from judge.verdicts import Verdict

Attempt = tuple["Verdict | None", str, "RunResult | None", Any]  # verdict (None: ran), detail, the run, the value


class Kind:
    name = ""
    summary = ""
    io_tests = True          # tests are (input, expected) pairs; False: the test is code
    filterable = True        # the statement's examples can filter samples (filtered pass@k)

    # -- samples -------------------------------------------------------------------------------
    def program(self, task: Task, completion: str) -> str:
        """The program that runs, from a model's completion (or a sample's text)."""
        return completion

    def program_from_chat(self, task: Task, code: str) -> str:
        """The program that runs, from the code block of a chat answer."""
        return code

    def completion_of(self, task: Task, solution: str) -> str:
        """A reference solution as a sample's completion (what ``program`` turns back into it)."""
        return solution

    # -- prompts -------------------------------------------------------------------------------
    def example(self, task: Task) -> tuple[str, str]:
        """(input, output) of the example shown in a 1-shot prompt, as text."""
        return "", ""

    def statement_examples(self, statement: str) -> list[Any]:
        """The examples a statement shows, as tests (the public tests of filtered pass@k)."""
        return []

    # -- judging -------------------------------------------------------------------------------
    def hidden_tests(self, task: Task) -> int:
        return len(task.tests)

    def judge(self, referee: Judge, task: Task, source: str) -> ProgramOutcome:
        return referee.judge_tests(task, source)

    def attempt(self, zygote: ZygoteClient, task: Task, source: str, test_input: Any, rule: ModuleType) -> Attempt:
        raise NotImplementedError

    def actual(self, run: RunResult, value: Any) -> Any:
        """What the program produced on a test, as compared with the expected value."""
        return value

    def expected(self, expected: Any) -> Any:
        return expected

    def shown(self, actual: Any) -> str:
        """A failing test's output, for people."""
        return excerpt(safe_repr(actual))

    def comparison(self, rule: ModuleType) -> Callable[..., Any]:
        """The rule's comparison for this kind's values."""
        return rule.compare_return

    # -- ad-hoc tasks (the library, the service) -----------------------------------------------
    def from_request(self, spec: dict[str, Any], checker: Any) -> Task:
        """A task from a service request's ``task`` object; ValueError/KeyError/TypeError when malformed."""
        raise NotImplementedError
