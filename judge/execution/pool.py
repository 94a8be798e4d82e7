"""The driver's side of local execution: a pool of referee processes fed with work units.

A unit is a chunk of one task's unique programs.  Outcomes stream back one program at a time.
A referee that dies is restarted and its unfinished programs are handed out again; a program
whose unit has killed two referees is recorded as an internal error instead of retried forever.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Any

from judge.datasets import Task
from judge.execution import referee


@dataclass
class Unit:
    unit_id: int
    task: Task
    programs: list[tuple[int, str]]


@dataclass
class _Slot:
    index: int
    process: Any = None
    conn: Any = None
    cache: OrderedDict = field(default_factory=OrderedDict)
    unit: Unit | None = None
    remaining: dict[int, str] = field(default_factory=dict)


OnOutcome = Callable[[int, dict[str, Any]], None]
POLL_INTERVAL = 0.1  # seconds between looks for new work while samples are still arriving
END = object()  # a unit source is exhausted (next(units, END))


class WorkerError(RuntimeError):
    pass


class RefereePool:
    def __init__(self, workers: int, config: dict[str, Any]) -> None:
        self.config = config
        self.slots = [_Slot(i) for i in range(workers)]
        self.info: dict[str, Any] = {}
        self.crashes: Counter[int] = Counter()
        for slot in self.slots:  # all start at once; ``wait_ready`` collects them
            self._launch(slot)

    def wait_ready(self) -> None:
        for slot in self.slots:
            self._ready(slot)

    def _start(self, slot: _Slot) -> None:
        self._launch(slot)
        self._ready(slot)

    def _launch(self, slot: _Slot) -> None:
        # A referee forked from a single-threaded driver starts in milliseconds with everything
        # imported; with other threads alive (a sampler, a progress display), forking could copy
        # a held lock, so the referee starts as a fresh interpreter instead.
        forked = threading.active_count() == 1
        ctx = mp.get_context("fork" if forked else "spawn")
        parent, child = ctx.Pipe()
        config = dict(self.config, index=slot.index)
        if forked:  # the driver's ends of every pipe: the referee must see EOF when the driver dies
            config["close_fds"] = [s.conn.fileno() for s in self.slots if s.conn is not None and not s.conn.closed]
            config["close_fds"].append(parent.fileno())
        config["sandbox"] = dict(config["sandbox"], uid=config["sandbox"]["uid"] + slot.index
                                 if config["sandbox"]["uid"] is not None else None)
        slot.process = ctx.Process(target=referee.main, args=(child, config), daemon=True,
                                   name=f"judge-referee-{slot.index}")
        slot.process.start()
        child.close()
        slot.conn, slot.cache = parent, OrderedDict()

    def _ready(self, slot: _Slot) -> None:
        try:
            kind, payload = slot.conn.recv()
        except EOFError:
            raise WorkerError("a judging worker exited while starting") from None
        if kind != "ready":
            raise WorkerError(f"a judging worker could not start its sandbox: {payload}")
        self.info = payload

    def _assign(self, slot: _Slot, unit: Unit) -> None:
        task_id = unit.task.task_id
        if task_id not in slot.cache:
            slot.conn.send(("task", unit.task))
        slot.cache[task_id] = True
        slot.cache.move_to_end(task_id)
        while len(slot.cache) > referee.TASK_CACHE:
            slot.cache.popitem(last=False)
        slot.unit, slot.remaining = unit, dict(unit.programs)
        slot.conn.send(("unit", unit.unit_id, task_id, unit.programs))

    def run(self, units: Iterator[Unit | None], on_outcome: OnOutcome) -> None:
        """Judge every unit; ``units`` may yield None for "nothing yet, ask again soon" (live runs)."""
        retry: deque[Unit] = deque()
        exhausted = False
        while True:
            starved = False  # the source had nothing right now but is not finished
            for slot in self.slots:
                if slot.unit is None and not exhausted and not starved:
                    unit = retry.popleft() if retry else next(units, END)
                    if unit is END:
                        exhausted = True
                    elif unit is None:
                        starved = True
                    else:
                        self._assign(slot, unit)
            busy = [s for s in self.slots if s.unit is not None]
            if not busy:
                if retry:
                    exhausted = False
                    continue
                if exhausted:
                    return
                time.sleep(POLL_INTERVAL)
                continue
            ready = wait([s.conn for s in busy] + [s.process.sentinel for s in busy],
                         timeout=POLL_INTERVAL if starved else None)
            for slot in busy:
                if slot.conn in ready or slot.conn.poll():
                    self._drain(slot, on_outcome)
                if slot.unit is not None and slot.process.sentinel in ready and not slot.process.is_alive():
                    self._recover(slot, retry, on_outcome)
                    exhausted = False

    def _drain(self, slot: _Slot, on_outcome: OnOutcome) -> None:
        while slot.unit is not None and slot.conn.poll():
            try:
                message = slot.conn.recv()
            except (EOFError, OSError):
                return
            kind = message[0]
            if kind == "done":
                _, _unit_id, program_id, outcome = message
                slot.remaining.pop(program_id, None)
                on_outcome(program_id, outcome)
            elif kind == "error":
                _, _unit_id, program_id, trace = message
                slot.remaining.pop(program_id, None)
                on_outcome(program_id, internal_error(f"judge error: {trace.strip().splitlines()[-1]}"))
            elif kind == "unit_done":
                slot.unit, slot.remaining = None, {}

    def _recover(self, slot: _Slot, retry: deque[Unit], on_outcome: OnOutcome) -> None:
        unit, remaining = slot.unit, slot.remaining
        slot.unit, slot.remaining = None, {}
        slot.process.join()
        slot.conn.close()
        self._start(slot)
        if unit is None or not remaining:
            return
        first = next(iter(remaining))
        self.crashes[first] += 1
        if self.crashes[first] >= 2:  # the first unfinished program brought two workers down
            on_outcome(first, internal_error("a judging worker died twice on this program"))
            remaining.pop(first)
        if remaining:
            retry.append(Unit(unit.unit_id, unit.task, list(remaining.items())))

    def close(self) -> None:
        for slot in self.slots:
            try:
                slot.conn.send(("stop",))
            except (OSError, ValueError):
                pass
        for slot in self.slots:
            slot.process.join(timeout=10)
            if slot.process.is_alive():
                slot.process.terminate()
                slot.process.join()


def internal_error(detail: str) -> dict[str, Any]:
    return {"verdict": "IE", "passed": False, "timeout_only": False, "public_passed": None,
            "public_passed_with_timeouts": None, "internal_errors": 1,
            "tests": [{"role": "hidden", "index": 0, "verdict": "IE", "detail": detail, "accepted_by": "",
                       "cpu": 0.0, "wall": 0.0, "memory_kb": 0}]}
