"""Special judges: a task's own Python checker, run in the sandbox.

``check(input, expected, output)`` gets the test's input, the stored answer and what the
program printed (or returned, for call-based tasks) and returns a verdict (True/False, or
"AC"/"WA") or ``(verdict, message)``.  The program's output is untrusted, so the checker never
runs in the referee: it runs as a program of its own in a zygote with the checker's limits,
and answers on its stdout with one line that starts with a random nonce the referee chose
after the program ended (the checker's own prints go to stderr), so that no output can forge
the checker's answer.  A checker that raises on an output rejects it (WA, with the exception
named); one that cannot run (does not compile, exceeds its limits, answers nothing) is an
internal error: the problem's checker is at fault, not the program.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from judge.sandbox.client import Limits, ZygoteClient
from judge.verdicts import Verdict, execution_verdict

LIMITS = Limits(cpu=10.0, memory=1 << 30, output=1 << 20)

_MAIN = r'''

def _judge_checker_main():
    import json as _json
    import sys as _sys
    payload = _json.loads(_sys.stdin.buffer.read())
    real, _sys.stdout = _sys.stdout, _sys.stderr  # the checker's own prints go to stderr
    try:
        result = check(payload["input"], payload["expected"], payload["output"])
    finally:
        _sys.stdout = real
    ok, message = result if isinstance(result, tuple) and len(result) == 2 else (result, "")
    if isinstance(ok, str):
        ok = ok.strip().upper() in ("AC", "OK", "ACCEPTED", "TRUE", "YES")
    print(payload["nonce"], _json.dumps([bool(ok), str(message)[:200]]))


_judge_checker_main()
'''


def run(zygote: ZygoteClient, source: str, test_input: Any, expected: Any, output: Any) -> tuple[Verdict, str]:
    """The checker's verdict on one output: AC or WA with its message, or IE saying why not."""
    nonce = secrets.token_hex(16)
    payload = json.dumps({"nonce": nonce, "input": test_input, "expected": expected, "output": output}).encode()
    result = zygote.run_stdio(source + _MAIN, payload)
    verdict, detail = execution_verdict(result, LIMITS)
    if verdict is Verdict.RE:
        return Verdict.WA, f"checker raised {detail}"
    if verdict is not None:
        return Verdict.IE, f"checker failed: {verdict.value} {detail}".strip()
    for line in reversed(result.stdout.decode("utf-8", "replace").splitlines()):
        head, _, body = line.partition(" ")
        if head == nonce:
            try:
                ok, message = json.loads(body)
            except ValueError:
                break
            return (Verdict.AC if ok is True else Verdict.WA), str(message)
    return Verdict.IE, "checker failed: it gave no verdict"
