"""A referee process: one per worker, trusted, never forks programs itself.

It receives tasks (with their expected outputs) and programs from the driver, judges each
program through its zygotes and sends back one outcome per program as soon as it is known.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections import OrderedDict
from multiprocessing.connection import Connection
from typing import Any

TASK_CACHE = 16   # tasks a referee keeps; the driver mirrors this to know what to resend
# Outcomes wait at most this long to be sent: the driver then handles tens of fast programs per
# message rather than one (with many workers, one message per program made the driver the limit).
BATCH_SECONDS = 0.05


def _pin(index: int) -> None:
    """Keep a worker (referee, zygote, test children) on one CPU.

    Each test hands control referee -> zygote -> child -> zygote -> referee; on one CPU these
    are plain context switches, across CPUs each is a wake-up of another (often idle, in a VM
    halted) CPU.  Measured: ~25% less wall time per test for a trivial program.
    """
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) > 1:
        os.sched_setaffinity(0, {cpus[index % len(cpus)]})


def main(conn: Connection, config: dict[str, Any]) -> None:
    from judge.checkers import get_rule
    from judge.execution.judging import Judge, ZygotePair, judge_programs
    from judge.sandbox.client import Limits, SandboxOptions

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver handles Ctrl-C and tells us to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the driver's handler, inherited by the fork
    for fd in config.get("close_fds", ()):  # forked: copies of the driver's pipe ends
        try:
            os.close(fd)
        except OSError:
            pass
    _pin(config["index"])
    sys.set_int_max_str_digits(100_000)           # results from programs: big, but not unbounded
    try:
        zygotes = ZygotePair(config["index"], SandboxOptions(**config["sandbox"]), Limits(**config["limits"]))
    except Exception as err:
        conn.send(("failed", f"{type(err).__name__}: {err}"))
        return
    judge = Judge(zygotes, get_rule(config["rule"]), config["after_timeout"])
    tasks: OrderedDict[str, Any] = OrderedDict()
    conn.send(("ready", zygotes.info()))
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:
                return
            kind = message[0]
            if kind == "stop":
                return
            if kind == "task":
                task = message[1]
                tasks[task.task_id] = task
                tasks.move_to_end(task.task_id)
                while len(tasks) > TASK_CACHE:
                    tasks.popitem(last=False)
            elif kind == "unit":
                _, unit_id, task_id, programs = message
                tasks.move_to_end(task_id)
                batch, sent = [], time.monotonic()
                for item in judge_programs(judge, tasks[task_id], programs):
                    batch.append(item)
                    if time.monotonic() - sent >= BATCH_SECONDS:
                        conn.send(("done", unit_id, batch))
                        batch, sent = [], time.monotonic()
                conn.send(("unit_done", unit_id, batch))
    except (BrokenPipeError, ConnectionResetError):
        return  # the driver is gone (stopped or killed): what it did not receive is judged again on resume
    finally:
        zygotes.close()
