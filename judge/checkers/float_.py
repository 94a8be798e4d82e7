"""``float``: tokens must match; numbers may differ by ``abs`` or by ``rel`` (relative), whichever
is looser (parameters, default 1e-6 each).  Integers are numbers here too ("1" matches "1.0000001"
within the tolerance), unlike ``tokens``; a non-finite number matches only itself."""

from __future__ import annotations

import itertools
import math
from typing import Any

from judge.checkers import strict

STRICT = False


def _number(token: str) -> float | None:
    try:
        return float(token)
    except ValueError:
        return None


def _close(a: float, b: float, abs_: float, rel: float) -> bool:
    if not (math.isfinite(a) and math.isfinite(b)):
        return a == b
    return abs(a - b) <= max(abs_, rel * max(abs(a), abs(b)))


def compare_stdout(expected: str, actual: str, abs: float = 1e-6, rel: float = 1e-6) -> str | None:  # noqa: A002
    exact = True
    for want, got in itertools.zip_longest(expected.split(), actual.split()):
        if want == got:
            continue
        if want is None or got is None:
            return None
        a, b = _number(want), _number(got)
        if a is None or b is None or not _close(a, b, abs, rel):
            return None
        exact = False
    return "tokens" if exact else f"float~{max(abs, rel):g}"


def compare_return(expected: Any, actual: Any, abs: float = 1e-6, rel: float = 1e-6) -> str | None:  # noqa: A002
    def equal(e: Any, a: Any) -> bool:
        if isinstance(e, bool) or isinstance(a, bool):
            return type(e) is type(a) and e == a
        if isinstance(e, (int, float)) and isinstance(a, (int, float)):
            return e == a or _close(float(e), float(a), abs, rel)
        if isinstance(e, (list, tuple)) and isinstance(a, (list, tuple)):
            return len(e) == len(a) and all(map(equal, e, a))
        return strict.compare_return(e, a) is not None
    if equal(expected, actual):
        return "float"
    return "float-unwrapped" if isinstance(expected, list) and len(expected) == 1 and equal(expected[0], actual) else None
