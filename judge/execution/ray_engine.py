"""Execution on a Ray cluster: the same sandboxed judges, one per CPU of the cluster, as Ray actors.

Each actor is a referee on its node: it starts its own zygotes there (the sandbox is the local
one, with the same layers), keeps the tasks it was sent, and judges work units sent to it as
actor calls.  The driver keeps two units in flight per actor, writes outcomes to the run store
exactly as the local engine does, and when an actor or its node dies re-sends the unit's
programs elsewhere: outcomes of a unit are only written once the whole unit has come back, so
none is written twice and none is lost.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict, deque
from collections.abc import Iterator
from typing import Any

from judge.errors import JudgeError
from judge.execution.judging import judge_programs
from judge.outcomes import internal_error
from judge.execution.pool import END, POLL_INTERVAL, OnOutcome, Unit
from judge.execution.referee import TASK_CACHE

IN_FLIGHT = 2        # units queued per actor, so that it never waits for the driver
MAX_ATTEMPTS = 3     # a unit whose actor died this many times is recorded as internal errors


class EngineError(JudgeError, RuntimeError):
    """The Ray engine cannot be used as asked; the message says why and what to do."""


class _JudgeActor:
    """A referee living in a Ray worker process (see judge.execution.referee for the local one)."""

    def __init__(self, config: dict[str, Any]) -> None:
        import sys
        import tempfile

        from judge.checkers import get_rule
        from judge.execution.judging import Judge, ZygotePair
        from judge.sandbox.client import Limits, SandboxOptions
        sys.set_int_max_str_digits(100_000)
        scratch = tempfile.mkdtemp(prefix="judge-sandbox-")
        os.chmod(scratch, 0o711)
        # uids are private per actor on each node: derived from the actor's own pid there.
        uid = 2_000_000 + (os.getpid() % 100_000) * 64 if os.geteuid() == 0 else None
        sandbox = dict(config["sandbox"], scratch_root=scratch, uid=uid)
        self.zygotes = ZygotePair(0, SandboxOptions(**sandbox), Limits(**config["limits"]))
        self.judge = Judge(self.zygotes, get_rule(config["rule"]), config["after_timeout"])
        self.tasks: OrderedDict[str, Any] = OrderedDict()

    def ready(self) -> dict[str, Any]:
        import socket
        return dict(self.zygotes.info(), node=socket.gethostname())

    def judge_unit(self, task_id: str, task: Any, programs: list[tuple[int, str]]) -> Any:
        """[(program_id, outcome)], or None when the task must be sent (this actor restarted)."""
        if task is not None:
            self.tasks[task_id] = task
        if task_id not in self.tasks:
            return None
        self.tasks.move_to_end(task_id)
        while len(self.tasks) > TASK_CACHE:
            self.tasks.popitem(last=False)
        return list(judge_programs(self.judge, self.tasks[task_id], programs))


class RayPool:
    """The local RefereePool's interface (wait_ready, run, close, info) over Ray actors."""

    def __init__(self, workers: int, config: dict[str, Any], address: str | None = None) -> None:
        try:
            import ray
        except ImportError:
            raise EngineError("--engine ray needs Ray: pip install 'judge-codegen[ray]'") from None
        self.ray = ray
        try:
            if not ray.is_initialized():
                ray.init(address=address or "auto", log_to_driver=False, logging_level="ERROR")
        except (ConnectionError, RuntimeError, ValueError) as err:
            raise EngineError(f"cannot connect to a Ray cluster at {address or 'auto'} ({err}); start one with "
                              "`ray start --head` (see runners/ray) or pass --address") from None
        cpus = int(ray.cluster_resources().get("CPU", 0))
        if cpus < 1:
            raise EngineError("the Ray cluster has no CPU to judge on")
        count = min(workers, cpus) if workers else cpus
        actor = ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=0)(_JudgeActor)
        self.actors = [actor.remote(config) for _ in range(count)]
        self.cached: list[OrderedDict[str, bool]] = [OrderedDict() for _ in self.actors]
        self.info: dict[str, Any] = {}

    def wait_ready(self) -> None:
        try:
            infos = self.ray.get([a.ready.remote() for a in self.actors])
        except self.ray.exceptions.RayError as err:
            raise EngineError(f"a Ray judging actor could not start its sandbox: {err}") from None
        self.info = dict(infos[0], engine="ray", actors=len(infos), nodes=len({i["node"] for i in infos}))

    def _submit(self, index: int, unit: Unit, with_task: bool) -> Any:
        task_id = unit.task.task_id
        cache = self.cached[index]
        send = with_task or task_id not in cache
        cache[task_id] = True
        cache.move_to_end(task_id)
        while len(cache) > TASK_CACHE:
            cache.popitem(last=False)
        return self.actors[index].judge_unit.remote(task_id, unit.task if send else None, unit.programs)

    def run(self, units: Iterator[Unit | None], on_outcome: OnOutcome) -> None:
        ray = self.ray
        retry: deque[tuple[Unit, bool]] = deque()
        attempts: dict[int, int] = {}
        flying: dict[Any, tuple[int, Unit]] = {}
        load = [0] * len(self.actors)
        exhausted = False
        while True:
            starved = False
            for index in sorted(range(len(self.actors)), key=lambda i: load[i]):
                while load[index] < IN_FLIGHT and not starved:
                    unit: Any
                    if retry:
                        unit, with_task = retry.popleft()
                    elif exhausted:
                        break
                    else:
                        unit, with_task = next(units, END), False
                        if unit is END:
                            exhausted = True
                            break
                        if unit is None:
                            starved = True
                            break
                    flying[self._submit(index, unit, with_task)] = (index, unit)
                    load[index] += 1
            if not flying:
                if exhausted and not retry:
                    return
                time.sleep(POLL_INTERVAL)
                continue
            done, _ = ray.wait(list(flying), num_returns=1, timeout=POLL_INTERVAL if starved else None)
            for ref in done:
                index, unit = flying.pop(ref)
                load[index] -= 1
                try:
                    result = ray.get(ref)
                except ray.exceptions.RayTaskError as err:  # the judge itself failed: not the worker
                    for program_id, _ in unit.programs:
                        on_outcome(program_id, internal_error(f"judge error: {str(err).strip().splitlines()[-1]}"))
                    continue
                except ray.exceptions.RayError:  # the actor, its process or its node died
                    self.cached[index].clear()
                    attempts[unit.unit_id] = attempts.get(unit.unit_id, 0) + 1
                    if attempts[unit.unit_id] >= MAX_ATTEMPTS:
                        for program_id, _ in unit.programs:
                            on_outcome(program_id, internal_error("a judging worker died on this unit 3 times"))
                    else:
                        retry.append((unit, True))
                    continue
                if result is None:  # the actor restarted and lost its tasks
                    self.cached[index].clear()
                    retry.append((unit, True))
                    continue
                for program_id, outcome in result:
                    on_outcome(program_id, outcome)

    def close(self) -> None:
        for actor in self.actors:
            try:
                self.ray.kill(actor)
            except Exception:  # noqa: BLE001 - already gone
                pass
