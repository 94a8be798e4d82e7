"""Reading JSONL (plain or gzip) one object per line, with errors that name the file and line."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any


def read_objects(path: str, error: type[Exception], what: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ("path:line", object) for each non-blank line; raise ``error`` on bad bytes, JSON or shape.

    ``what`` names one line's content in messages (e.g. "one problem per line").
    """
    opener = gzip.open if path.endswith(".gz") else open
    try:
        fh = opener(path, "rb")
    except OSError as err:
        raise error(f"{path}: cannot open ({err.strerror or err})") from None
    with fh:
        for number, raw in enumerate(fh, 1):
            where = f"{path}:{number}"
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise error(f"{where}: not valid UTF-8 (byte {err.start}); re-encode the file as UTF-8") from None
            try:
                row = json.loads(line)
            except ValueError as err:
                msg = f"{err.msg}, column {err.colno}" if isinstance(err, json.JSONDecodeError) else str(err)
                raise error(f"{where}: not valid JSON ({msg}); fix or remove the line") from None
            if not isinstance(row, dict):
                raise error(f"{where}: expected a JSON object ({what})")
            yield where, row
