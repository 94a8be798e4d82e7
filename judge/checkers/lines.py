"""``lines``: the same lines, each compared as its whitespace-separated tokens; trailing empty
lines do not count.  For answers whose line structure matters (a grid, one answer per line)."""

from __future__ import annotations

from typing import Any

from judge.checkers import strict

STRICT = False


def _lines(text: str) -> list[list[str]]:
    rows = [line.split() for line in text.split("\n")]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def compare_stdout(expected: str, actual: str) -> str | None:
    return "lines" if _lines(expected) == _lines(actual) else None


def compare_return(expected: Any, actual: Any) -> str | None:
    return strict.compare_return(expected, actual)
