"""``case-insensitive``: tokens must match ignoring letter case ("YES", "Yes" and "yes" are one
answer); numbers as in ``tokens``."""

from __future__ import annotations

from typing import Any

from judge.checkers import strict

STRICT = False


def compare_stdout(expected: str, actual: str) -> str | None:
    if strict.compare_stdout(expected, actual):
        return "tokens"
    return "case-insensitive" if strict.compare_stdout(expected.casefold(), actual.casefold()) else None


def _fold(value: Any) -> Any:
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, (list, tuple)):
        return [_fold(v) for v in value]
    return value


def compare_return(expected: Any, actual: Any) -> str | None:
    return strict.compare_return(expected, actual) or (
        "case-insensitive" if strict.compare_return(_fold(expected), _fold(actual)) else None)
