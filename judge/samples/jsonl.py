"""JSONL samples, one per line: ``{"task_id": ..., "completion": ...}`` (human-eval convention).

The code may also be under ``program``, ``code`` or ``solution``; ``task_id`` may be an APPS
problem_id (int or string); an optional ``sample_id``/``index`` fixes the sample's number;
optional ``tokens``, ``finish_reason``, ``sum_logprob``, ``mean_logprob`` are kept (ranked pass@1).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from judge.jsonl import read_objects
from judge.samples import Sample, SampleError

CODE_KEYS = ("completion", "program", "code", "solution")
INDEX_KEYS = ("sample_id", "index", "sample_index")
META_TYPES: dict[str, type | tuple[type, ...]] = {"tokens": int, "finish_reason": str, "sum_logprob": (int, float), "mean_logprob": (int, float)}


def looks_like(path: str) -> bool:
    return True  # the default format


def read(path: str, task_ids: Sequence[str] = ()) -> Iterator[Sample]:
    for where, row in read_objects(path, SampleError, "task_id and completion"):
        if "task_id" not in row or not isinstance(row["task_id"], (str, int)) or isinstance(row["task_id"], bool):
            raise SampleError(f"{where}: missing or invalid 'task_id' (a string or an integer problem id)")
        key = next((k for k in CODE_KEYS if k in row), None)
        if key is None or not isinstance(row[key], str):
            raise SampleError(f"{where}: no code: expected a string under one of {', '.join(CODE_KEYS)}")
        index = next((row[k] for k in INDEX_KEYS if k in row), None)
        if index is not None and (not isinstance(index, int) or isinstance(index, bool) or index < 0):
            raise SampleError(f"{where}: '{next(k for k in INDEX_KEYS if k in row)}' must be a non-negative integer")
        meta = {k: row[k] for k, kind in META_TYPES.items() if isinstance(row.get(k), kind)}
        yield Sample(str(row["task_id"]), index, row[key], where, meta)
