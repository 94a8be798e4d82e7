"""The default rule: whitespace-separated tokens must match exactly.

The one allowance: when both tokens of a pair are non-integer decimal numbers (they have a
fraction or an exponent), they may differ by 1e-6, absolute or relative; a number that is not
finite (``1e999`` is infinity) never matches a finite one.  "1" never equals
"1.0", line structure is not significant (as in testlib's token checker), and for function
results the types must agree (True is not 1, a tuple is taken as a list).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from typing import Any

STRICT = True
PRELUDE = ""
WRAP_MODULE_RETURN = False
TOLERANCE = 1e-6
_DECIMAL = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+|\d+(?=[eE]))(?:[eE][+-]?\d+)?")


_TOKEN = re.compile(r"\S+")
# An output this much longer than the answer is compared token by token as it is scanned,
# never split whole: a 16 MiB flood of one-character tokens would take the referee ~0.5 GB.
_STREAM_ABOVE = 1 << 16


def _close(a: float, b: float) -> bool:
    if not (math.isfinite(a) and math.isfinite(b)):
        return a == b
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


def _float_tokens_match(expected: str, actual: str) -> bool:
    if not (_DECIMAL.fullmatch(expected) and _DECIMAL.fullmatch(actual)):
        return False
    return _close(float(expected), float(actual))


def _tokens_match(want: Iterator[str], got: Iterator[str]) -> str | None:
    """Pair the tokens up, stopping at the first that differs beyond the allowance."""
    exact = True
    for a, b in itertools.zip_longest(want, got):
        if a != b:
            if a is None or b is None or not _float_tokens_match(a, b):
                return None
            exact = False
    return "tokens" if exact else "tokens~1e-6"


def compare_stdout(expected: str, actual: str) -> str | None:
    if expected == actual:
        return "exact"
    if len(actual) > 4 * len(expected) + _STREAM_ABOVE:
        return _tokens_match((m.group() for m in _TOKEN.finditer(expected)), (m.group() for m in _TOKEN.finditer(actual)))
    want, got = expected.split(), actual.split()
    if want == got:
        return "tokens"
    return _tokens_match(iter(want), iter(got)) if len(want) == len(got) else None


def _equal(expected: Any, actual: Any) -> bool:
    if isinstance(actual, tuple):
        actual = list(actual)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, float) or isinstance(actual, float):
        if not isinstance(expected, (int, float)) or not isinstance(actual, (int, float)):
            return False
        if isinstance(expected, float) and isinstance(actual, float):
            return _close(expected, actual)
        # an int and a float: equal only if exactly equal (no float() of a huge int: it overflows)
        return expected == actual
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(_equal, expected, actual))
    if isinstance(expected, dict):
        return (isinstance(actual, dict) and actual.keys() == expected.keys()
                and all(_equal(v, actual[k]) for k, v in expected.items()))
    return type(expected) is type(actual) and expected == actual


def compare_return(expected: Any, actual: Any) -> str | None:
    if _equal(expected, actual):
        return "equal"
    # APPS stores most expected results wrapped in a one-element list.
    if isinstance(expected, list) and len(expected) == 1 and _equal(expected[0], actual):
        return "equal-unwrapped"
    return None
