"""``unordered``: the same tokens (``by="tokens"``, default) or the same lines (``by="lines"``,
each line's tokens in order) in any order, as a multiset: "print the elements in any order"."""

from __future__ import annotations

from collections import Counter
from typing import Any

from judge.checkers import strict

STRICT = False


def compare_stdout(expected: str, actual: str, by: str = "tokens") -> str | None:
    if by == "lines":
        want = Counter(" ".join(line.split()) for line in expected.split("\n") if line.strip())
        got = Counter(" ".join(line.split()) for line in actual.split("\n") if line.strip())
    else:
        want, got = Counter(expected.split()), Counter(actual.split())
    return f"unordered-{by}" if want == got else None


def compare_return(expected: Any, actual: Any, by: str = "tokens") -> str | None:
    if strict.compare_return(expected, actual):
        return "equal"
    if isinstance(expected, list) and isinstance(actual, (list, tuple)) and len(expected) == len(actual):
        key = repr
        if sorted(map(key, expected)) == sorted(map(key, actual)):
            return "unordered"
    return None
