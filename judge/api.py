"""The judge as a library: judge programs from Python (a notebook, a reward function in a
reinforcement-learning loop) with the same sandbox, verdicts and checkers as the command line.

A :class:`Judge` keeps its sandboxed workers warm between calls: starting them costs about a
second, a call then costs what its tests cost.  Tasks come from a dataset (:func:`load_tasks`)
or are made on the spot (:func:`stdio_task`, :func:`call_task`, :func:`test_code_task`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import queue
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from judge.checkers import CheckerSpec, get_rule
from judge.datasets import Selection, Task, Test
from judge.datasets import load_tasks as _load_tasks
from judge.errors import JudgeError
from judge.outcomes import HIDDEN, ProgramOutcome, TestRecord
from judge.execution.pool import RefereePool, Unit
from judge.sandbox.client import Limits
from judge.sandbox.runtime import Runtime, describe

__all__ = ["Judge", "Result", "TestRecord", "Limits", "Runtime", "Task", "Test", "load_tasks", "stdio_task", "call_task",
           "test_code_task", "program"]

UNIT_SIZE = 16  # programs of one task per unit: a referee judges them in a row


@dataclass
class Result:
    """One program's verdict: ``verdict`` is "AC" or the first failing hidden test's; ``tests``
    has every test's verdict, time and memory (``TestRecord``)."""

    task_id: str
    verdict: str
    passed: bool
    timeout_only: bool
    all_timeout: bool
    public_passed: bool | None
    tests: list[TestRecord]
    internal_errors: int

    @property
    def infrastructure_error(self) -> bool:
        """The judge could not judge it (IE): retry, do not count it as a wrong answer."""
        return self.verdict == "IE"

    @property
    def hidden_passed(self) -> int:
        return sum(t.role == HIDDEN and t.verdict == "AC" for t in self.tests)

    def fraction_passed(self, total: int | None = None) -> float:
        """Hidden tests passed / ``total`` (default: the tests that ran; judging stops at the
        first failure, so give the task's number of tests for partial credit)."""
        ran = sum(t.role == HIDDEN for t in self.tests)
        return self.hidden_passed / max(total if total is not None else ran, 1)


def load_tasks(dataset: str, data: str | None = None, *, split: str = "test", difficulty: Sequence[str] = (),
               ids: Sequence[str] = (), limit: int | None = None, public_tests: str = "statement",
               checkers: str | None = None) -> list[Task]:
    """Tasks of ``dataset`` ("apps" or "humaneval"); ``data``: a file, a folder, "bundled", or None (the
    hub); with their own checkers (the bundled problems', then ``checkers``, a folder), as on the
    command line."""
    from judge.evaluation import EvaluateOptions, attach_checkers
    tasks = _load_tasks(dataset, data, Selection(split, tuple(difficulty), tuple(str(i) for i in ids), limit), public_tests)
    attach_checkers(tasks, EvaluateOptions(samples=[], dataset=dataset, run_dir="", data=data, checkers=checkers))
    return tasks


def stdio_task(tests: Iterable[tuple[str, str]], task_id: str = "task", public: Iterable[tuple[str, str]] = (),
               checker: str | CheckerSpec | None = None, **params: Any) -> Task:
    """A stdin/stdout task from (input, expected output) pairs; ``checker``: a built-in name
    ("float", "lines", "unordered", ...) with ``params``, or a CheckerSpec."""
    return Task(task_id=task_id, kind="stdio", tests=[Test(i, o) for i, o in tests],
                public_tests=[Test(i, o) for i, o in public], public_source="given" if public else "none",
                checker=_checker(checker, params))


def call_task(fn_name: str, cases: Iterable[tuple[list[Any], Any]], task_id: str = "task",
              solution_class: bool = False, checker: str | CheckerSpec | None = None, **params: Any) -> Task:
    """A call-based task: ``fn_name`` (a method of ``Solution`` with ``solution_class``) is called
    with each case's arguments and must return its expected value."""
    return Task(task_id=task_id, kind="call", tests=[Test(list(args), out) for args, out in cases], fn_name=fn_name,
                solution_class=solution_class, checker=_checker(checker, params))


def test_code_task(prompt: str, test: str, entry_point: str, task_id: str = "task") -> Task:
    """A HumanEval-style task: ``test`` defines ``check(candidate)``, run against ``entry_point``."""
    return Task(task_id=task_id, kind="humaneval", prompt=prompt, test_code=test, entry_point=entry_point)


test_code_task.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


def program(task: Task, completion: str) -> str:
    """The program that runs for a model's ``completion`` (HumanEval: the prompt, then it)."""
    from judge.samples import program_source
    return program_source(task, completion)


def _checker(checker: str | CheckerSpec | None, params: dict[str, Any]) -> CheckerSpec | None:
    if checker is None or isinstance(checker, CheckerSpec):
        return checker
    get_rule(checker)  # one clear error for an unknown name
    return CheckerSpec(checker, tuple(sorted(params.items())))


class Judge:
    """Sandboxed workers kept warm between calls.  ``with Judge() as j: j.judge(task, program)``.

    Limits are per test: ``timeout`` CPU seconds, ``memory`` and ``output`` MiB; ``compare`` is
    the rule for tasks without a checker of their own; ``runtime`` what programs may import.
    One batch runs at a time (calls from several threads wait their turn).
    """

    def __init__(self, workers: int = 0, timeout: float = 3.0, memory: int = 1024, output: int = 16,
                 compare: str = "strict", runtime: Runtime | None = None, after_timeout: str = "continue") -> None:
        from judge.evaluation import EvaluateOptions, _uid_base, check_options, default_workers
        limits = Limits(cpu=timeout, memory=memory << 20, output=output << 20)
        runtime = runtime or Runtime()
        check_options(EvaluateOptions(samples=[], dataset="", run_dir="", limits=limits, workers=workers,
                                      ks=[1], after_timeout=after_timeout))
        get_rule(compare)
        self.runtime = describe(runtime)
        self.limits = limits
        self._scratch = tempfile.mkdtemp(prefix="judge-sandbox-")
        os.chmod(self._scratch, 0o711)
        config = {"limits": asdict(limits), "rule": compare, "after_timeout": after_timeout,
                  "sandbox": {"scratch_root": self._scratch, "uid": _uid_base(), "hidden": [], "runtime": runtime}}
        self._pool: RefereePool | None = RefereePool(max(1, workers or default_workers()), config)
        self._pool.wait_ready()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._keys: OrderedDict[int, tuple[Task, Task]] = OrderedDict()  # id(task) -> (task, its copy under a unique id)

    def _internal(self, task: Task) -> Task:
        # Referees cache tasks by id: two different tasks both called "task" must not meet there.
        known = self._keys.get(id(task))
        if known is None or known[0] is not task:
            known = (task, dataclasses.replace(task, task_id=f"{task.task_id}#{next(self._ids)}"))
            self._keys[id(task)] = known
            while len(self._keys) > 4096:
                self._keys.popitem(last=False)
        self._keys.move_to_end(id(task))
        return known[1]

    def run(self, items: Iterable[tuple[Task, str]], on_result: Callable[[int, Result], None] | None = None) -> list[Result]:
        """Judge (task, program) pairs; results in the same order.  ``on_result(index, result)`` is
        called as each one is known (from this thread)."""
        items = list(items)
        if self._pool is None:
            raise JudgeError("this Judge is closed")
        for task, _ in items:
            if task.defect:
                raise JudgeError(f"task {task.task_id} cannot be judged: {task.defect}")
        by_task: OrderedDict[int, list[tuple[int, str]]] = OrderedDict()
        internal: dict[int, Task] = {}
        for index, (task, source) in enumerate(items):
            internal[id(task)] = self._internal(task)
            by_task.setdefault(id(task), []).append((index, source))
        units: list[Unit] = []
        for key, programs in by_task.items():
            for start in range(0, len(programs), UNIT_SIZE):
                units.append(Unit(len(units) + 1, internal[key], programs[start:start + UNIT_SIZE]))
        results: dict[int, Result] = {}

        def arrived(index: int, outcome: dict[str, Any]) -> None:
            results[index] = _result(items[index][0].task_id, outcome)
            if on_result is not None:
                on_result(index, results[index])
        with self._lock:
            self._pool.run(iter(units), arrived)
        return [results[i] for i in range(len(items))]

    def serve(self, items: queue.Queue) -> None:
        """Judge ``(task, program, on_result)`` from ``items`` as they arrive, until None is put
        there; call :meth:`wake` after each put.  Results go to ``on_result(result)`` (from this
        thread) as they are known: the workers never wait for a batch to finish."""
        if self._pool is None:
            raise JudgeError("this Judge is closed")
        pool, callbacks, ids = self._pool, {}, itertools.count()
        stopping = False

        def units() -> Iterator[Unit | None]:
            nonlocal stopping
            while not stopping:
                try:
                    item = items.get_nowait()
                except queue.Empty:
                    yield None  # nothing yet: the pool waits for wake() or new outcomes
                    continue
                if item is None:
                    stopping = True
                    return
                task, source, on_result = item
                number = next(ids)
                callbacks[number] = (task.task_id, on_result)
                yield Unit(number, self._internal(task), [(number, source)])

        def arrived(number: int, outcome: dict[str, Any]) -> None:
            task_id, on_result = callbacks.pop(number)
            on_result(_result(task_id, outcome))
        with self._lock:
            pool.run(units(), arrived)

    def wake(self) -> None:
        """Work was put in the queue given to :meth:`serve`."""
        if self._pool is not None:
            self._pool.wake()

    def judge(self, task: Task, source: str) -> Result:
        """Judge one program."""
        return self.run([(task, source)])[0]

    async def arun(self, items: Iterable[tuple[Task, str]]) -> list[Result]:
        """:meth:`run` without blocking the event loop."""
        return await asyncio.get_running_loop().run_in_executor(None, self.run, list(items))

    async def ajudge(self, task: Task, source: str) -> Result:
        return (await self.arun([(task, source)]))[0]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self) -> Judge:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


def _result(task_id: str, outcome: dict[str, Any]) -> Result:
    parsed = ProgramOutcome.from_dict(outcome)
    return Result(task_id, parsed.verdict, parsed.passed, parsed.timeout_only, parsed.all_timeout,
                  parsed.public_passed, parsed.tests, parsed.internal_errors)
