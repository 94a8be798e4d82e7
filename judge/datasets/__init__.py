"""Benchmarks as lists of :class:`Task`: APPS (files, folders, the hub) and HumanEval."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from judge.errors import JudgeError


class DatasetError(JudgeError, ValueError):
    """A dataset could not be loaded; the message says where and what to do."""


@dataclass
class Test:
    __test__ = False  # not a pytest class
    input: Any    # stdin text, or the list of arguments of a call
    output: Any   # expected stdout text, or the expected return value


@dataclass
class Task:
    task_id: str
    kind: str                           # "stdio", "call" or "humaneval"
    tests: list[Test] = field(default_factory=list)
    public_tests: list[Test] = field(default_factory=list)
    public_source: str = "none"         # "statement", "first:N" or "none"
    difficulty: str | None = None
    fn_name: str | None = None
    solution_class: bool = False        # LeetCode style: call Solution().fn_name
    statement: str = ""
    starter_code: str = ""
    solutions: list[str] = field(default_factory=list)
    prompt: str = ""                    # HumanEval: the function header given to the model
    test_code: str = ""                 # HumanEval: defines check(candidate); never sandboxed
    entry_point: str = ""
    defect: str | None = None           # why this task cannot be judged (broken dataset row)
    checker: Any = None                 # its own checker (a judge.checkers.CheckerSpec), or the run's rule
    multi_answer: bool = False          # the statement accepts any of several answers ("print any of them")


@dataclass(frozen=True)
class Selection:
    """Which tasks of a dataset to load."""

    split: str = "test"
    difficulties: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()           # exact ids; ranges are expanded by the CLI
    limit: int | None = None

    def wants(self, task_id: str, difficulty: str | None) -> bool:
        # "HumanEval/3" is also selected by its number, as APPS ids are: --ids 0-3 works for both.
        if self.ids and task_id not in self.ids and task_id.rpartition("/")[2] not in self.ids:
            return False
        return not self.difficulties or difficulty in self.difficulties


def parse_ids(spec: str) -> tuple[str, ...]:
    """'0-9,4000,4005-4007' -> ('0', ..., '9', '4000', '4005', '4006', '4007')."""
    ids: list[str] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        lo, sep, hi = part.partition("-")
        if sep and lo.isdigit() and hi.isdigit():
            ids.extend(str(i) for i in range(int(lo), int(hi) + 1))
        else:
            ids.append(part)
    return tuple(ids)


def load_tasks(dataset: str, data: str | None, selection: Selection, public_tests: str = "statement") -> list[Task]:
    """Load the selected tasks of ``dataset`` ("apps" or "humaneval") from ``data``.

    ``data`` is a file, an APPS folder, ``"bundled"`` (the demo problems shipped with the
    package) or None (the Hugging Face hub).
    """
    if dataset == "apps":
        from judge.datasets import apps
        return apps.load(data, selection, public_tests)
    if dataset == "humaneval":
        from judge.datasets import humaneval
        return humaneval.load(data, selection)
    raise DatasetError(f"unknown dataset {dataset!r}: use 'apps' or 'humaneval'")
