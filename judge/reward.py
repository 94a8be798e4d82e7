"""A reward function in the shape reinforcement-learning frameworks call:
``compute_score(solution, ground_truth) -> float``.

``ground_truth`` is an APPS-style test set, as a dict or its JSON text: ``{"inputs": [...],
"outputs": [...]}`` (stdin/stdout), with ``"fn_name"`` for call-based problems.  ``solution``
is the model's answer: a program, or text with a fenced Python block (the last one is used).
``mode="binary"`` gives 1.0 when every test passes, else 0.0; ``"partial"`` the fraction of
tests passed (every test is run: a failure does not stop the others).  An infrastructure
error (the judge could not judge) raises :class:`RewardUnavailable` rather than scoring 0:
a wrong reward is worse than none.

One warm :class:`judge.Judge` per process serves every call (``workers`` from
``JUDGE_REWARD_WORKERS``, default 1: reward workers usually run many processes side by side).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import threading
from typing import Any

from judge.api import Judge, call_task, stdio_task
from judge.errors import JudgeError

_FENCE = re.compile(r"```(?:python|py|python3)?[ \t]*\n(.*?)```", re.DOTALL)
_shared: Judge | None = None
_lock = threading.Lock()


class RewardUnavailable(JudgeError, RuntimeError):
    """The judge could not judge this solution (an internal error): retry, do not learn from it."""


def extract_program(solution: str) -> str:
    """The last fenced Python block of a chat answer, or the text itself."""
    blocks = _FENCE.findall(solution)
    return blocks[-1] if blocks else solution


def _judge() -> Judge:
    global _shared
    with _lock:
        if _shared is None:
            _shared = Judge(workers=int(os.environ.get("JUDGE_REWARD_WORKERS", "1")))
        return _shared


def compute_score(solution: str, ground_truth: str | dict[str, Any], mode: str = "binary",
                  judge: Judge | None = None) -> float:
    if mode not in ("binary", "partial"):
        raise ValueError(f"mode must be 'binary' or 'partial', not {mode!r}")
    tests = json.loads(ground_truth) if isinstance(ground_truth, str) else ground_truth
    pairs = list(zip(tests["inputs"], tests["outputs"]))
    if tests.get("fn_name"):
        task = call_task(tests["fn_name"], pairs)
    else:
        task = stdio_task([(i if isinstance(i, str) else "\n".join(map(str, i)), o if isinstance(o, str) else "\n".join(map(str, o)))
                           for i, o in pairs])
    program = extract_program(solution)
    judge = judge or _judge()
    if mode == "binary":
        result = judge.judge(task, program)
        if result.infrastructure_error:
            raise RewardUnavailable(result.tests[-1].detail if result.tests else "internal error")
        return 1.0 if result.passed else 0.0
    # Partial credit: each test on its own, so that an early failure does not hide later passes.
    tasks = [dataclasses.replace(task, task_id=f"test {n}", tests=[test]) for n, test in enumerate(task.tests)]
    results = judge.run([(t, program) for t in tasks])
    if any(r.infrastructure_error for r in results):
        raise RewardUnavailable("internal error on some test")
    return sum(r.passed for r in results) / max(len(results), 1)
