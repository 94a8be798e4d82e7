"""Task kinds, one module each: ``stdio`` (stdin/stdout), ``call`` (a function or a
``Solution`` method), ``humaneval`` (test code calling a completed function).

To add a kind: a module here with a :class:`~judge.kinds.base.Kind` subclass as ``KIND``, and
its name in ``MODULES``.  Everything else asks ``kind_of(task)``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from judge.errors import JudgeError

if TYPE_CHECKING:
    from judge.datasets import Task
    from judge.kinds.base import Kind

MODULES = {"stdio": "stdio", "call": "call", "humaneval": "testcode"}
_loaded: dict[str, Kind] = {}


def get_kind(name: str) -> Kind:
    kind = _loaded.get(name)
    if kind is None:
        if name not in MODULES:
            raise JudgeError(f"unknown task kind {name!r}: use one of {', '.join(MODULES)}")
        kind = _loaded[name] = importlib.import_module(f"judge.kinds.{MODULES[name]}").KIND
    return kind


def kind_of(task: Task) -> Kind:
    return get_kind(task.kind)


NAMES = tuple(MODULES)
