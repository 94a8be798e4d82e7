"""bigcode-evaluation-harness ``generations.json``: a list (one per task, dataset order) of lists of code."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from judge.samples import Sample, SampleError


def looks_like(path: str) -> bool:
    if not path.endswith(".json"):
        return False
    with open(path, "rb") as fh:
        return fh.read(64).lstrip()[:1] == b"["


def read(path: str, task_ids: Sequence[str]) -> Iterator[Sample]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except UnicodeDecodeError as err:
        raise SampleError(f"{path}: not valid UTF-8 (byte {err.start})") from None
    except ValueError as err:
        raise SampleError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(data, list) or not all(isinstance(t, list) for t in data):
        raise SampleError(f"{path}: expected a list of lists of generations (bigcode format)")
    if len(data) > len(task_ids):
        raise SampleError(f"{path}: {len(data)} task lists but the selected dataset has {len(task_ids)} tasks; "
                          "bigcode files are matched to tasks by position, so select the same tasks (--split/--limit)")
    for position, generations in enumerate(data):
        for index, code in enumerate(generations):
            if not isinstance(code, str):
                raise SampleError(f"{path}: task {position}, generation {index}: expected a string")
            yield Sample(task_ids[position], index, code, f"{path}:task {position}, generation {index}")
