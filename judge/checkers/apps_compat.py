"""The original APPS harness's acceptance rules, reproduced step by step for comparability.

Steps, in the harness's order (the first that accepts is recorded):
``stripped`` whole output equal after stripping; ``lines-stripped`` the same after stripping
each line; ``nonempty-lines`` equal as lists of non-empty stripped lines; ``allclose`` every
line a number and numpy-style close (rtol 1e-5, atol 1e-8: 123457 passes for 123456);
``token-sets`` equal as sets of per-line token sets (order and repetition ignored);
``rounded-token-sets`` the same with numbers rounded to 3 decimals.  The harness also prepends
an import header to every program and runs stdin programs inside a function, so a module-level
``return`` works there: ``PRELUDE`` and ``WRAP_MODULE_RETURN`` reproduce both.
"""

from __future__ import annotations

from typing import Any

PRELUDE = (
    "import sys\nimport time\nimport itertools\nfrom itertools import accumulate, product, permutations, combinations\n"
    "import collections\nfrom collections import Counter, OrderedDict, deque, defaultdict, ChainMap\n"
    "from functools import lru_cache\nimport math\nfrom math import sqrt, sin, cos, tan, ceil, fabs, floor, gcd, exp, log, log2\n"
    "import fractions\nfrom typing import List, Tuple\nimport numpy as np\nimport random\nimport heapq\nfrom heapq import *\n"
)
WRAP_MODULE_RETURN = True
STRICT = False


def _allclose(got: list[str], want: list[str]) -> bool:
    try:
        a, b = [float(x) for x in got], [float(x) for x in want]
    except ValueError:
        return False
    return len(a) == len(b) and all(
        x == y or abs(x - y) <= 1e-8 + 1e-5 * abs(y) for x, y in zip(a, b))


def _token_sets(lines: list[str], digits: int | None = None) -> set[frozenset[Any]] | None:
    sets: set[frozenset[Any]] = set()
    for line in lines:
        tokens = line.split()
        if not tokens:
            continue
        if digits is not None:
            try:
                sets.add(frozenset(round(float(t), digits) for t in tokens))
            except ValueError:
                return None
        else:
            sets.add(frozenset(tokens))
    return sets


def compare_stdout(expected: str, actual: str) -> str | None:
    lines = actual.splitlines()
    if "\n".join(lines).strip() == expected.strip():
        return "stripped"
    if "\n".join(line.strip() for line in lines).strip() == expected.strip():
        return "lines-stripped"
    want = [x.strip() for x in expected.split("\n") if x]
    got = [line for line in lines if line]
    if lines == want or got == want:
        return "nonempty-lines"
    if _allclose(got, want):
        return "allclose"
    want_sets = _token_sets(want)
    if _token_sets(got) == want_sets:
        return "token-sets"
    rounded = _token_sets(got, 3)
    if rounded is not None and rounded == _token_sets(want, 3):
        return "rounded-token-sets"
    return None


def _int_keys(value: Any) -> Any:
    # JSON turned integer dict keys into strings; the harness turns them back.
    if isinstance(value, dict):
        try:
            return [{int(k): v for k, v in value.items()}]
        except ValueError:
            return value
    if isinstance(value, list) and value and isinstance(value[0], dict):
        try:
            return [{int(k): v for k, v in value[0].items()}]
        except ValueError:
            return value
    return value


def compare_return(expected: Any, actual: Any) -> str | None:
    expected = _int_keys(expected)
    if isinstance(actual, tuple):
        actual = list(actual)
    if actual == expected:
        return "equal"
    if isinstance(expected, list) and expected and actual == expected[0]:
        return "equal-unwrapped"
    try:
        if isinstance(actual[0], tuple) and [list(x) for x in actual] == expected[0]:
            return "tuples-as-lists"
    except Exception:
        pass
    return None
