"""Comparison rules: one module per rule, each with two functions.

``compare_stdout(expected: str, actual: str) -> str | None`` and
``compare_return(expected, actual) -> str | None`` return the name of the step that accepted
the answer (recorded with the verdict, so that a report can say which rule made a test pass)
or None to reject.  A rule may also set ``PRELUDE`` (source prepended to every program) and
``WRAP_MODULE_RETURN`` (retry a program whose module-level ``return`` does not compile inside a
function), to reproduce the execution quirks of the harness it mirrors.
"""

from __future__ import annotations

import importlib
from types import ModuleType

RULES = {"strict": "judge.checkers.strict", "apps-compat": "judge.checkers.apps_compat"}


def get_rule(name: str) -> ModuleType:
    try:
        return importlib.import_module(RULES[name])
    except KeyError:
        raise ValueError(f"unknown comparison rule {name!r}; choose one of: {', '.join(RULES)}") from None
