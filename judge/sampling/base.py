"""The interface every sampling backend implements, and what flows through it."""

from __future__ import annotations

import hashlib
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from judge.datasets import Task
from judge.errors import JudgeError
from judge.prompting import Prompt


class SamplingError(JudgeError, RuntimeError):
    """Sampling cannot go on; the message says why and what to do.  Samples already stored stay."""


@dataclass(frozen=True)
class SamplingParams:
    temperature: float = 0.8
    top_p: float = 0.95
    max_tokens: int = 1024
    stop: tuple[str, ...] = ()
    seed: int = 0
    logprobs: bool = True


@dataclass(frozen=True)
class Request:
    """``count`` samples numbered ``first_index``, ``first_index + 1``, ... for one prompt."""

    prompt: Prompt
    first_index: int
    count: int
    seed: int


@dataclass
class Generation:
    index: int
    text: str
    tokens: int | None = None
    finish_reason: str | None = None     # "stop" (end of text or a stop sequence), "length", ...
    sum_logprob: float | None = None
    mean_logprob: float | None = None


OnResult = Callable[[Request, list[Generation]], None]


class Backend(ABC):
    """Turns requests into generations; calls ``on_result`` as each request completes (any order)."""

    name: str = ""
    max_per_request: int = 1  # samples one request may ask for; bigger ``n`` is split

    @abstractmethod
    def generate(self, requests: Iterable[Request], params: SamplingParams, on_result: OnResult) -> None: ...

    def prepare(self, tasks: list[Task]) -> None:
        """Called once before ``generate`` with the run's tasks in dataset order (most backends need nothing)."""

    def describe(self) -> dict[str, object]:
        """What identifies this backend's samples (its name and model, not where it runs): recorded
        with the run, and a resumed run must match it."""
        return {"backend": self.name}

    def close(self) -> None:
        pass


def request_seed(seed: int, task_id: str, first_index: int) -> int:
    """A request's seed: fixed by the run's seed and the sample numbers it asks for."""
    digest = hashlib.sha256(f"{seed}\0{task_id}\0{first_index}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFFFFFF


def generation(index: int, text: str, finish_reason: str | None, logprobs: Sequence[float | None] | None,
               tokens: int | None = None) -> Generation:
    """A Generation with token count and log-prob summary from per-token log-probs (if given)."""
    values = [lp for lp in (logprobs or ()) if lp is not None and math.isfinite(lp)]
    if logprobs:
        total = float(sum(values))
        return Generation(index, text, len(logprobs), finish_reason, total, total / max(len(values), 1))
    return Generation(index, text, tokens, finish_reason)
