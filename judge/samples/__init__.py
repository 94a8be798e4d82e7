"""Reading model samples: one module per format, each yielding :class:`Sample` in file order."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from judge.errors import JudgeError

CODEX_STOPS = ("\nclass", "\ndef", "\n#", "\nif", "\nprint")


class SampleError(JudgeError, ValueError):
    """Malformed samples input; the message names the file and line."""


@dataclass
class Sample:
    task_id: str
    index: int | None     # explicit sample number, or None for "next in file order"
    code: str
    where: str            # file:line, for messages
    meta: dict[str, Any] = field(default_factory=dict)  # tokens, finish_reason, sum/mean_logprob when given


class Numbered(NamedTuple):
    """A sample with its number known (``judge.evaluation.numbered_samples``)."""

    task_id: str
    index: int  # type: ignore[assignment]  # the sample's number (it hides tuple.index, unused here)
    code: str
    where: str
    meta: dict[str, Any]


_FENCE = re.compile(r"```[ \t]*([\w+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)


def truncate(text: str, stops: Sequence[str]) -> str:
    """Cut ``text`` at the earliest stop sequence (the Codex HumanEval protocol)."""
    cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=len(text))
    return text[:cut]


def program_source(task: Any, completion: str) -> str:
    """The program that runs: HumanEval completes the prompt; APPS samples are whole programs."""
    from judge.kinds import kind_of
    return kind_of(task).program(task, completion)


def extract_code(answer: str) -> str:
    """The program in a chat answer: its longest Python code block (```python, ```py or a bare
    fence), or the whole answer when it has no fence.  An unclosed last fence counts (the
    answer was cut by the token limit)."""
    blocks = [(lang.lower(), body) for lang, body in _FENCE.findall(answer)]
    python = [body for lang, body in blocks if lang in ("python", "python3", "py", "")]
    if not python:
        return answer
    return max(python, key=len)


# Samples file formats, one module each with ``looks_like(path) -> bool`` and ``read(path,
# task_ids)``; the first that recognises a file reads it, the last (JSONL) takes the rest.
FORMATS = ("judge.samples.bigcode", "judge.samples.jsonl")


def read_samples(path: str, task_ids: Sequence[str]) -> Iterator[Sample]:
    """Read a samples file; ``task_ids`` (dataset order) resolves bigcode-style positional files."""
    import importlib
    modules = [importlib.import_module(name) for name in FORMATS]
    chosen = next((m for m in modules[:-1] if m.looks_like(path)), modules[-1])
    return chosen.read(path, task_ids)
