"""judge: sandboxed, fast and faithful evaluation of code-generation models on APPS and HumanEval.

The library (see :mod:`judge.api`)::

    import judge
    tasks = judge.load_tasks("apps", "bundled", ids=["4184"])
    with judge.Judge(workers=2) as j:
        result = j.judge(tasks[0], program_text)
        result.verdict, result.passed, [t.verdict for t in result.tests]

``judge.evaluate(...)`` is the batch evaluation with a run store, as ``judge evaluate`` does.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = ("Judge", "Result", "TestRecord", "Limits", "Runtime", "Task", "Test", "load_tasks", "stdio_task", "call_task",
        "test_code_task", "program")
__all__ = [*_API, "evaluate", "EvaluateOptions", "JudgeError", "__version__"]


def __getattr__(name: str) -> Any:
    # Imported when first used, so that `judge` on the command line starts without them.
    if name in _API:
        from judge import api
        return getattr(api, name)
    if name in ("evaluate", "EvaluateOptions"):
        from judge import evaluation
        return evaluation.evaluate if name == "evaluate" else evaluation.EvaluateOptions
    if name == "JudgeError":
        from judge.errors import JudgeError
        return JudgeError
    raise AttributeError(f"module 'judge' has no attribute {name!r}")
