"""Reading model samples: one module per format, each yielding :class:`Sample` in file order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

CODEX_STOPS = ("\nclass", "\ndef", "\n#", "\nif", "\nprint")


class SampleError(ValueError):
    """Malformed samples input; the message names the file and line."""


@dataclass
class Sample:
    task_id: str
    index: int | None     # explicit sample number, or None for "next in file order"
    code: str
    where: str            # file:line, for messages


def truncate(text: str, stops: Sequence[str]) -> str:
    """Cut ``text`` at the earliest stop sequence (the Codex HumanEval protocol)."""
    cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=len(text))
    return text[:cut]


def read_samples(path: str, task_ids: Sequence[str]) -> Iterator[Sample]:
    """Read a samples file; ``task_ids`` (dataset order) resolves bigcode-style positional files."""
    from judge.samples import bigcode, jsonl
    if bigcode.looks_like(path):
        return bigcode.read(path, task_ids)
    return jsonl.read(path)
