"""A data-only codec for values crossing the sandbox boundary (arguments in, results out).

Values are encoded as JSON with tags for the types JSON lacks.  Decoding builds only plain
data (None, bool, int, float, str, bytes, list, tuple, dict, set, frozenset), so an untrusted
program cannot hand the judge an object whose ``__eq__`` always answers True.  Anything else
becomes an :class:`Opaque` value that equals nothing but itself.
"""

from __future__ import annotations

import base64
import json
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


def decode(data: bytes) -> Any:
    """Decode an encoded value.  Raises ValueError (or RecursionError) on malformed input."""
    return json.loads(data, object_hook=_hook)
