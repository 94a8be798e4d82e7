"""Benchmarks as lists of :class:`Task`, one module per benchmark (APPS, HumanEval, TACO).

To add a benchmark: a module here whose ``DATASET`` (a :class:`Dataset`) says how to load it
and what it is (kinds, difficulties, default template and checker), and its name in MODULES.
The command line's ``--dataset`` choices, the run presets and the service read them from here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
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


@dataclass(frozen=True)
class Dataset:
    """A benchmark, as its module declares it (``DATASET`` in ``judge/datasets/<name>.py``)."""

    name: str
    summary: str
    load: Callable[[str | None, Selection, str], list[Task]]  # (data, selection, public tests) -> tasks
    kinds: tuple[str, ...]                 # the task kinds it has
    difficulties: tuple[str, ...] = ()     # as its rows spell them
    splits: tuple[str, ...] = ("test",)    # --split: which split the hub loader reads
    default_template: str = "codex-1shot"
    default_checker: str = "strict"        # the rule for tasks without a checker of their own
    bundled_split: str | None = None       # the split of its ``bundled`` rows, when not --split's
    bundled_checkers: str | None = None    # a folder in judge/data of checkers for its bundled rows
    data_help: str = ""                    # what --data takes


# Each dataset is one module here that defines DATASET; this is the one list of them.
MODULES = ("apps", "humaneval", "taco")


def get_dataset(name: str) -> Dataset:
    if name not in MODULES:
        raise DatasetError(f"unknown dataset {name!r}: use one of {', '.join(MODULES)}")
    return importlib.import_module(f"judge.datasets.{name}").DATASET


def load_tasks(dataset: str, data: str | None, selection: Selection, public_tests: str = "statement") -> list[Task]:
    """Load the selected tasks of ``dataset`` (a name in MODULES) from ``data``: a file, a
    folder, ``"bundled"`` (the rows shipped with the package) or None (the Hugging Face hub)."""
    return get_dataset(dataset).load(data, selection, public_tests)
