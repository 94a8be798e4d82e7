"""The referee pool's bookkeeping, with the sandboxes and judging replaced by stand-ins (no
program runs here): every program's outcome arrives exactly once, whatever happens to referees."""

import os
import signal
import subprocess
import threading
import time
from dataclasses import asdict

import pytest

from judge.datasets import Task
from judge.execution import judging
from judge.execution.pool import RefereePool, Unit
from judge.outcomes import ProgramOutcome, TestRecord
from judge.sandbox.client import Limits


class StandInZygotes:
    def __init__(self, *_args):
        pass

    def info(self):
        return {"spawn": "stand-in"}

    def close(self):
        pass


class StandInJudge:
    """Passes every program after ``seconds``; its outcome names the program it judged."""

    seconds = 0.0

    def __init__(self, *_args):
        pass

    def judge(self, _task, source):
        time.sleep(self.seconds)
        return ProgramOutcome("AC", True, False, None, None, tests=[TestRecord("hidden", 0, "AC", source)])


@pytest.fixture
def pool(monkeypatch, tmp_path):
    if threading.active_count() != 1:
        pytest.skip("the pool forks its referees only from a single-threaded process")
    monkeypatch.setattr(judging, "Judge", StandInJudge)  # forked referees see the stand-ins
    monkeypatch.setattr(judging, "ZygotePair", StandInZygotes)
    config = {"limits": asdict(Limits()), "rule": "strict", "after_timeout": "continue",
              "sandbox": {"scratch_root": str(tmp_path), "uid": None, "hidden": []}}
    pools = []

    def make(workers, seconds=0.0):
        StandInJudge.seconds = seconds
        pools.append(RefereePool(workers, config))
        pools[-1].wait_ready()
        return pools[-1]
    yield make
    for made in pools:
        made.close()


def judge_units(pool, units):
    seen = []
    pool.run(iter(units), lambda program_id, outcome: seen.append((program_id, outcome["tests"][0]["detail"])))
    return seen


def test_every_outcome_arrives_once_across_units_and_workers(pool):
    task = Task("t", "stdio")
    units = [Unit(u, task, [(100 * u + i, f"program {100 * u + i}") for i in range(40)]) for u in range(5)]
    seen = judge_units(pool(2), units)
    assert sorted(seen) == sorted((p, s) for unit in units for p, s in unit.programs)


def test_a_referee_that_died_while_idle_is_replaced_and_its_unit_judged(pool):
    made = pool(1)
    victim = made.slots[0].process
    os.kill(victim.pid, signal.SIGKILL)
    victim.join()
    programs = [(i, f"program {i}") for i in range(5)]
    assert sorted(judge_units(made, [Unit(1, Task("t", "stdio"), programs)])) == programs
    assert made.slots[0].process.pid != victim.pid


def test_a_referee_killed_mid_unit_has_its_unreported_programs_judged_again(pool):
    made = pool(1, seconds=0.05)
    programs = [(i, f"program {i}") for i in range(30)]
    # A killer process, not a thread: the pool forks a new referee only while it is single-threaded.
    killer = subprocess.Popen(["sh", "-c", f"sleep 0.4; kill -9 {made.slots[0].process.pid}"])
    seen = judge_units(made, [Unit(1, Task("t", "stdio"), programs)])
    killer.wait()
    assert sorted(set(seen)) == programs  # all of them, and
    assert len(seen) == len(programs)     # none twice
    assert not made.crashes               # one death is held against no program
