"""A data-only codec for values crossing the sandbox boundary (arguments in, results out).

Values are encoded as JSON with tags for the types JSON lacks.  Decoding builds only plain
data (None, bool, int, float, str, bytes, list, tuple, dict, set, frozenset), so an untrusted
program cannot hand the judge an object whose ``__eq__`` always answers True.  Anything else
becomes an :class:`Opaque` value that equals nothing but itself.
"""

from __future__ import annotations

import base64
import json
import re
import sys
from typing import Any

MAX_DEPTH = 200


class Opaque:
    """Stands for a value that is not plain data; compares equal to nothing."""

    __slots__ = ("type_name", "text")

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name, self.text = type_name, text

    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<{self.type_name}: {self.text}>"


def _plain(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ValueError("value nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return {"f": repr(float(value))} if value != value or value in (float("inf"), float("-inf")) else float(value)
    if isinstance(value, list):
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return {"t": [_plain(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"d": [[_plain(k, depth + 1), _plain(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, frozenset):
        return {"fs": [_plain(v, depth + 1) for v in value]}
    if isinstance(value, set):
        return {"s": [_plain(v, depth + 1) for v in value]}
    if isinstance(value, (bytes, bytearray)):
        return {"b": base64.b64encode(bytes(value)).decode()}
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic):
        return _plain(value.item(), depth + 1)
    if hasattr(value, "__next__") and hasattr(value, "__iter__"):
        return {"it": [_plain(v, depth + 1) for v in value]}
    text = object.__repr__(value)
    return {"o": [type(value).__name__, text[:200]]}


def encode(value: Any) -> bytes:
    """Encode a value; raises ValueError for values nested beyond MAX_DEPTH."""
    return json.dumps(_plain(value, 0), separators=(",", ":")).encode()


class _Iterator:
    """A materialised iterator: iterating works, ``==`` against a list does not (as in Python)."""

    def __init__(self, items: list) -> None:
        self._items = items

    def __iter__(self):
        return iter(self._items)

    def __repr__(self) -> str:
        return f"<iterator {self._items!r}>"


def _hook(obj: dict) -> Any:
    if len(obj) != 1:
        raise ValueError("malformed value")
    (tag, body), = obj.items()
    if tag == "f":
        return float(body)
    if tag == "t":
        return tuple(body)
    if tag == "d":
        return {_hashable(k): v for k, v in body}
    if tag == "s":
        return {_hashable(v) for v in body}
    if tag == "fs":
        return frozenset(_hashable(v) for v in body)
    if tag == "b":
        return base64.b64decode(body)
    if tag == "it":
        return _Iterator(list(body))
    if tag == "o":
        return Opaque(str(body[0]), str(body[1]))
    raise ValueError(f"unknown tag {tag!r}")


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return Opaque("list", repr(value))
    return value


# What the trusted side spends on one untrusted value is bounded before it is decoded: its size
# (the caller's cap), its containers and items (memory: ~100 bytes each at most), and its
# integers' digits (str -> int is quadratic in CPython: 20,000 digits cost ~2 ms, and the sum of
# the squares of the long ones bounds the total to ~0.1 s).
MAX_CONTAINERS = 200_000
MAX_ITEMS = 2_000_000
MAX_DIGITS = 20_000
MAX_DIGIT_WORK = 2 * 10 ** 10
_LONG_DIGITS = re.compile(rb"\d{1000,}")


def check_budget(data: bytes) -> None:
    """Raise ValueError if decoding ``data`` could cost more than the bounds above.  Counts are
    taken on the raw bytes (brackets and commas inside strings count too): an overestimate."""
    if data.count(b"[") + data.count(b"{") > MAX_CONTAINERS:
        raise ValueError(f"value with more than {MAX_CONTAINERS} lists or dicts")
    if data.count(b",") > MAX_ITEMS:
        raise ValueError(f"value with more than {MAX_ITEMS} items")
    work = 0
    for run in _LONG_DIGITS.finditer(data):
        digits = run.end() - run.start()
        if digits > MAX_DIGITS:
            raise ValueError(f"number with more than {MAX_DIGITS} digits")
        work += digits * digits
        if work > MAX_DIGIT_WORK:
            raise ValueError("numbers too long to decode")


def decode(data: bytes) -> Any:
    """Decode an encoded value.  Raises ValueError on malformed input (any failure of the decoder
    is turned into a ValueError).  Untrusted data goes through :func:`check_budget` first."""
    try:
        return json.loads(data, object_hook=_hook)
    except ValueError:
        raise
    except Exception as err:  # RecursionError, TypeError/KeyError from a malformed tag, ...
        raise ValueError(f"malformed value ({type(err).__name__})") from None
