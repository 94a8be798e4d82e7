"""The driver's side of local execution: a pool of referee processes fed with work units.

A unit is a chunk of one task's unique programs.  Outcomes stream back as they are known (a
referee sends what it has at most every BATCH_SECONDS, so fast programs travel together).  A
referee that dies is restarted and its unreported programs are handed out again, each on its
own; a program that, judged alone, kills two referees is recorded as an internal error instead
of retried forever.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import select
import selectors
import threading
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from judge.datasets import Task
from judge.errors import JudgeError
from judge.execution import referee
from judge.outcomes import internal_error
from judge.sandbox.client import warm_up


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
    readable: Any = None  # a poll object on conn: Connection.poll() builds a selector per call
    cache: OrderedDict = field(default_factory=OrderedDict)
    unit: Unit | None = None
    remaining: dict[int, str] = field(default_factory=dict)


OnOutcome = Callable[[int, dict[str, Any]], None]
POLL_INTERVAL = 0.1  # seconds between looks for new work while samples are still arriving
END: Any = object()  # a unit source is exhausted (next(units, END))


class WorkerError(JudgeError, RuntimeError):
    pass


class RefereePool:
    def __init__(self, workers: int, config: dict[str, Any]) -> None:
        self.config = config
        self.slots = [_Slot(i) for i in range(workers)]
        self.info: dict[str, Any] = {}
        self.crashes: Counter[int] = Counter()
        # Busy slots' pipes and process sentinels, registered while a unit is out: a wake-up
        # costs what is ready, not what is watched (with 64 workers, building a fresh poll set
        # on every wake-up cost ~0.25 ms, more than storing an outcome).
        self.selector = selectors.DefaultSelector()
        # A live source (units that yield None: "nothing yet") can wake the pool at once with
        # ``wake()`` instead of being asked again after POLL_INTERVAL (a service's latency).
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self.selector.register(self._wake_r, selectors.EVENT_READ, None)
        warm_up()  # once here rather than in every forked referee
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
        ctx: Any = mp.get_context("fork" if forked else "spawn")  # typeshed's BaseContext lacks Process
        parent, child = ctx.Pipe()
        config = dict(self.config, index=slot.index)
        if forked:  # the driver's ends of every pipe: the referee must see EOF when the driver dies
            config["close_fds"] = [s.conn.fileno() for s in self.slots if s.conn is not None and not s.conn.closed]
            config["close_fds"] += [parent.fileno(), self._wake_r, self._wake_w]
        config["sandbox"] = dict(config["sandbox"], uid=config["sandbox"]["uid"] + slot.index
                                 if config["sandbox"]["uid"] is not None else None)
        slot.process = ctx.Process(target=referee.main, args=(child, config), daemon=True,
                                   name=f"judge-referee-{slot.index}")
        slot.process.start()
        child.close()
        slot.conn, slot.cache = parent, OrderedDict()
        slot.readable = select.poll()
        slot.readable.register(parent.fileno(), select.POLLIN)

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
        slot.unit, slot.remaining = unit, dict(unit.programs)
        try:
            if task_id not in slot.cache:
                slot.conn.send(("task", unit.task))
            slot.cache[task_id] = True
            slot.cache.move_to_end(task_id)
            while len(slot.cache) > referee.TASK_CACHE:
                slot.cache.popitem(last=False)
            slot.conn.send(("unit", unit.unit_id, task_id, unit.programs))
        except OSError:  # it died while idle: its sentinel is ready at once, and the unit goes out again
            pass
        self.selector.register(slot.conn, selectors.EVENT_READ, (slot.index, False))
        self.selector.register(slot.process.sentinel, selectors.EVENT_READ, (slot.index, True))

    def _idle(self, slot: _Slot) -> None:
        """The slot's unit is over (done, or handed back): stop watching it."""
        slot.unit, slot.remaining = None, {}
        self.selector.unregister(slot.conn)
        self.selector.unregister(slot.process.sentinel)

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
            if not any(s.unit is not None for s in self.slots):
                if retry:
                    exhausted = False
                    continue
                if exhausted:
                    return
                self._wait(POLL_INTERVAL)
                continue
            ready: dict[int, bool] = {}  # slot index -> its process has ended (or may have)
            for key, _ in self.selector.select(POLL_INTERVAL if starved else None):
                if key.data is None:  # woken: new work
                    self._drain_wake()
                    continue
                index, ended = key.data
                ready[index] = ready.get(index, False) or ended
            for index, ended in ready.items():
                slot = self.slots[index]
                self._drain(slot, on_outcome)  # everything it sent, also before it died
                if ended and slot.unit is not None and not slot.process.is_alive():
                    self._recover(slot, retry, on_outcome)
                    exhausted = False

    def _drain(self, slot: _Slot, on_outcome: OnOutcome) -> None:
        while slot.unit is not None and slot.readable.poll(0):
            try:
                message = slot.conn.recv()
            except (EOFError, OSError):
                return
            kind, _unit_id, outcomes = message
            for program_id, outcome in outcomes:
                slot.remaining.pop(program_id, None)
                on_outcome(program_id, outcome)
            if kind == "unit_done":
                self._idle(slot)

    def _recover(self, slot: _Slot, retry: deque[Unit], on_outcome: OnOutcome) -> None:
        unit, remaining = slot.unit, slot.remaining
        self._idle(slot)
        slot.process.join()
        slot.conn.close()
        self._start(slot)
        if unit is None or not remaining:
            return
        if len(remaining) > 1:  # which one brought it down is not known: each is retried alone
            retry.extend(Unit(unit.unit_id, unit.task, [item]) for item in remaining.items())
            return
        program_id = next(iter(remaining))
        self.crashes[program_id] += 1
        if self.crashes[program_id] >= 2:  # this program, judged alone, brought two workers down
            on_outcome(program_id, internal_error("a judging worker died twice on this program"))
        else:
            retry.append(Unit(unit.unit_id, unit.task, list(remaining.items())))

    def wake(self) -> None:
        """New work for a live source: look now (callable from any thread)."""
        try:
            os.write(self._wake_w, b"w")
        except (BlockingIOError, OSError):
            pass  # already awake, or closed

    def _drain_wake(self) -> None:
        try:
            while os.read(self._wake_r, 4096):
                pass
        except (BlockingIOError, OSError):
            pass

    def _wait(self, seconds: float) -> None:
        if self.selector.select(seconds):
            self._drain_wake()

    def close(self) -> None:
        # A referee reads "stop" after its unit: idle ones stop at once, busy ones (a unit of loops
        # can take minutes) are terminated, their unreported programs judged again on resume.
        for slot in self.slots:
            try:
                slot.conn.send(("stop",))
            except (OSError, ValueError):
                pass
        for slot in self.slots:
            slot.process.join(timeout=10 if slot.unit is None else 0.2)
            if slot.process.is_alive():
                slot.process.terminate()
                slot.process.join()
        self.selector.close()
        for fd in (self._wake_r, self._wake_w):
            os.close(fd)
