"""Verdicts, and how a finished test child maps to one before any output is compared."""

from __future__ import annotations

import signal
from enum import Enum

from judge.sandbox.client import Limits, RunResult


class Verdict(str, Enum):
    AC = "AC"    # accepted
    WA = "WA"    # wrong answer
    TLE = "TLE"  # CPU time limit, or the wall-clock watchdog
    MLE = "MLE"  # memory limit
    OLE = "OLE"  # output limit (stdout, stderr or a scratch file)
    RE = "RE"    # runtime error: an exception, a non-zero exit, a fatal signal
    CE = "CE"    # the program does not compile
    SV = "SV"    # sandbox violation: a forbidden system call
    IE = "IE"    # internal error of the judge (retried once before it is recorded)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def execution_verdict(run: RunResult, limits: Limits) -> tuple[Verdict | None, str]:
    """The verdict a test gets from how its child ended, or (None, "") if its output decides.

    Priority (DESIGN): IE > CE > SV > TLE > MLE > OLE > RE.  The exit status and resource
    usage come from the kernel; the child's own status note only names exceptions, so a
    program that forges it can only hurt itself.  A child that ended while compiling (the
    note's phase) never ran the program: CE, with the exception or the limit compiling exceeded
    (a TLE there must not make the program "timeout-only").
    """
    status = run.status
    phase = status.get("phase")
    if phase == "setup" and run.exit == 125:
        return Verdict.IE, f"sandbox setup failed: {status.get('exc')}: {status.get('msg', '')}"
    if phase == "compile" and run.exit != 0:
        if status.get("exc"):
            return Verdict.CE, str(status["exc"])
        limit, detail = _ended(run, limits)
        return Verdict.CE, f"{limit.value if limit else 'RE'} while compiling: {detail or 'ended'}"
    return _ended(run, limits)


def _ended(run: RunResult, limits: Limits) -> tuple[Verdict | None, str]:
    status = run.status
    if run.signal == signal.SIGSYS:
        return Verdict.SV, "forbidden system call"
    if run.watchdog:
        return Verdict.TLE, f"wall clock > {limits.wall_seconds:g} s"
    if run.cpu > limits.cpu or run.signal == signal.SIGXCPU:
        return Verdict.TLE, f"cpu {run.cpu:.2f} s > {limits.cpu:g} s"
    if run.signal == signal.SIGKILL and run.cpu >= limits.cpu - 0.05:
        return Verdict.TLE, f"cpu {run.cpu:.2f} s"
    if status.get("exc") == "MemoryError" and run.exit != 0:
        return Verdict.MLE, "MemoryError"
    if run.signal == signal.SIGXFSZ or run.stdout_size > limits.output:
        return Verdict.OLE, f"output > {limits.output} bytes"
    if run.signal is not None:
        return Verdict.RE, _signal_name(run.signal)
    if run.exit != 0:
        return Verdict.RE, str(status.get("exc") or f"exit code {run.exit}")
    return None, ""
