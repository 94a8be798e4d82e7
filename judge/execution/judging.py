"""Judging one program on one task: which tests to run, in what order, and when to stop.

This runs in a referee: a trusted process that holds the expected outputs and compares, and
that reaches programs only through a zygote (which never sees an expected output).

Rules:
- Hidden tests run in dataset order and stop at the first failure, except that a TLE does
  not stop them (``after_timeout="continue"``), so that "timeout-only" (fails no test, times
  out on some and passes the others) is exact; with ``"stop"`` a TLE ends the program like any
  failure: pass@k and filtered pass@k stay exact, the timeout-only flags are not computed.
- Public tests (the statement's examples) are judged too, for filtered pass@k; an input that
  is both public and hidden runs once and is compared against each expectation.
- An internal error (the zygote died, the sandbox could not be set up) is retried once.
"""

from __future__ import annotations

import functools
import json
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from judge.checkers import EXECUTABLE, SPECIAL, CheckerSpec, executable, get_rule, special
from judge.datasets import Task
from judge.kinds import kind_of
from judge.kinds.base import Kind
from judge.outcomes import HIDDEN, PUBLIC, ProgramOutcome, TestRecord, excerpt, internal_error, outcome_of
from judge.sandbox.client import Limits, RunResult, ZygoteClient, ZygoteDied
from judge.verdicts import Verdict

CACHE_ENTRIES = 4096  # per-task plans and compiled test code a referee keeps



def _compare(compare, expected: Any, actual: Any) -> tuple[str, str]:
    """(accepted_by, "") or ("", why not): a comparison that fails on the program's output
    (an overflow, a value of an unexpected shape) rejects it, never stops the judging."""
    try:
        return compare(expected, actual) or "", ""
    except Exception as err:
        return "", f"comparison failed: {type(err).__name__}"


@dataclass
class _Entry:
    input: Any
    roles: list[tuple[str, int, Any]]


def _plan(task: Task) -> list[_Entry]:
    """Distinct inputs in run order (hidden first), each with the expectations that use it."""
    entries: dict[str, _Entry] = {}
    for role, tests in ((HIDDEN, task.tests), (PUBLIC, task.public_tests)):
        for index, test in enumerate(tests):
            key = test.input if isinstance(test.input, str) else json.dumps(test.input, sort_keys=True)
            entries.setdefault(key, _Entry(test.input, [])).roles.append((role, index, test.output))
    return list(entries.values())


class Judge:
    """Judges programs of the tasks it is given; owns the worker's zygotes."""

    def __init__(self, zygotes: "ZygotePair", rule: ModuleType, after_timeout: str = "continue") -> None:
        self.zygotes, self.limits, self.rule = zygotes, zygotes.limits, rule
        self.stop_at_timeout = after_timeout == "stop"
        # Under a lenient rule, each accepted answer is also checked strictly: the report can
        # count the samples that pass only because of the leniency.
        self.strict = get_rule("strict")
        self._cache: dict[tuple[str, str], Any] = {}

    def cached(self, task: Task, what: str, make: Callable[[], Any]) -> Any:
        """Something made once per task (its test plan, its compiled test code), kept while the
        task may come back; bounded, since a warm service sees endless ad-hoc tasks."""
        key = (task.task_id, what)
        value = self._cache.get(key)
        if value is None:
            if len(self._cache) >= CACHE_ENTRIES:
                self._cache.clear()
            value = self._cache[key] = make()
        return value

    def _run(self, kind: Kind, zygote: ZygoteClient, task: Task, source: str, test_input: Any,
             slow_but_finishing: bool = False) -> tuple[Verdict | None, str, RunResult | None, Any, int]:
        """Run one input; internal errors are retried once, borderline timeouts run twice.

        Borderline: a wall-clock timeout with little CPU used (the machine's load, not the
        program), or a CPU timeout of a program that finished earlier tests using at least half
        the limit (a slow program near the limit rather than a loop, whose CPU time varies by a
        few percent from run to run).  Loops are not run twice: they cost the full limit.
        """
        errors, rerun = 0, False
        for _ in range(3):
            try:
                verdict, detail, run, value = kind.attempt(zygote, task, source, test_input, self.rule)
            except ZygoteDied as err:
                verdict, detail, run, value = Verdict.IE, f"worker died: {err}", None, None
            if verdict is Verdict.IE:
                errors += 1
                if errors < 2:  # retried once
                    continue
                break
            # A wall-clock timeout of a program that used little CPU may be the machine's load,
            # not the program: such a borderline timeout is run once more before it counts.
            if verdict is Verdict.TLE and run is not None and not rerun and (
                    (run.watchdog and run.cpu < 0.5 * self.limits.cpu) or (slow_but_finishing and not run.watchdog)):
                rerun = True
                continue
            break
        if rerun:
            detail = f"{detail} (run twice)" if detail else "run twice"
        return verdict, detail, run, value, errors

    def judge(self, task: Task, source: str) -> ProgramOutcome:
        return kind_of(task).judge(self, task, source)

    def judge_tests(self, task: Task, source: str) -> ProgramOutcome:
        """Run the task's tests (kinds with input/output tests) by the rules in this module's docstring."""
        kind = kind_of(task)
        zygote = self.zygotes.for_source(self.rule.PRELUDE + source)
        plan = self.cached(task, "plan", lambda: _plan(task))
        open_roles = {HIDDEN: True, PUBLIC: bool(task.public_tests)}
        records: list[TestRecord] = []
        internal_errors = 0
        slowest_finished = 0.0  # CPU of the slowest test this program finished: near the limit, TLEs are borderline
        for entry in plan:
            wanted = [r for r in entry.roles if open_roles[r[0]]]
            if not wanted:
                continue
            verdict, detail, run, value, errors = self._run(kind, zygote, task, source, entry.input,
                                                            slowest_finished >= 0.5 * self.limits.cpu)
            if run is not None and verdict not in (Verdict.TLE, Verdict.IE):
                slowest_finished = max(slowest_finished, run.cpu)
            internal_errors += errors
            actual = None
            for role, index, expected in wanted:
                accepted_by, output, strict = "", "", None
                final, why = verdict, detail
                if final is None:
                    if actual is None:
                        assert run is not None  # a verdict of None is a program that ran
                        actual = kind.actual(run, value)
                    final, accepted_by, why, strict = self._check(kind, task, entry.input, kind.expected(expected), actual)
                    if final is not Verdict.AC:
                        output = kind.shown(actual)
                elif final is Verdict.RE and run is not None:
                    output = excerpt(run.stderr_tail.decode("utf-8", "replace"), tail=True)
                records.append(TestRecord(role, index, final.value, why, accepted_by, run.cpu if run else 0.0,
                                          run.wall if run else 0.0, run.maxrss_kb if run else 0, output, strict))
                if final is not Verdict.AC and (final is not Verdict.TLE or self.stop_at_timeout):
                    open_roles[role] = False
            if not any(open_roles.values()):
                break
        return outcome_of(records, len(task.tests), len(task.public_tests), internal_errors)

    def _check(self, kind: Kind, task: Task, test_input: Any, expected: Any, actual: Any) -> tuple[Verdict, str, str, bool | None]:
        """(verdict, accepted_by, why not, would the strict rule accept too) under the task's
        checker (its own, or the run's rule)."""
        spec: CheckerSpec | None = task.checker
        if spec is not None and spec.name in (SPECIAL, EXECUTABLE):  # the task's own program: run confined
            if spec.name == SPECIAL:
                verdict, why = special.run(self.zygotes.checker(), spec.source, test_input, expected, actual)
            else:
                given, answer, output = (v if isinstance(v, str) else json.dumps(v) for v in (test_input, expected, actual))
                verdict, why = executable.run(spec.where, given, answer, output, self.zygotes.options.scratch_root,
                                              self.zygotes.options.uid)
            accepted_by = spec.label if verdict is Verdict.AC else ""
        else:
            module = self.rule if spec is None else get_rule(spec.name)
            compare = kind.comparison(module)
            if spec is not None and spec.params:
                compare = functools.partial(compare, **dict(spec.params))
            accepted_by, why = _compare(compare, expected, actual)
            verdict = Verdict.AC if accepted_by else Verdict.WA
            if module.STRICT:
                return verdict, accepted_by, why, None
        strict = None
        if verdict is Verdict.AC:
            strict = bool(_compare(kind.comparison(self.strict), expected, actual)[0])
        return verdict, accepted_by, why, strict


def judge_programs(judge: Judge, task: Task, programs: list[tuple[int, str]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(program id, outcome as a dict) for each program, in order; should the judge itself fail on
    one, that program's outcome is an internal error naming the failure."""
    for program_id, source in programs:
        try:
            yield program_id, judge.judge(task, source).to_dict()
        except Exception:
            last = traceback.format_exc(limit=8).strip().splitlines()[-1]
            yield program_id, internal_error(f"judge error: {last}")


class ZygotePair:
    """A worker's zygotes: a lean one, and one with numpy pre-imported, started on first need;
    special judges get one of their own (with their limits), also on first need."""

    def __init__(self, index: int, options, limits: Limits) -> None:
        self.index, self.options, self.limits = index, options, limits
        self.lean = ZygoteClient(index, options, limits)
        self.numpy: ZygoteClient | None = None
        self._checker: ZygoteClient | None = None

    def checker(self) -> ZygoteClient:
        if self._checker is None:
            self._checker = ZygoteClient(self.index, self.options, special.LIMITS, tag="c")
        return self._checker

    def for_source(self, source: str) -> ZygoteClient:
        if "numpy" not in source:
            return self.lean
        if self.numpy is None:
            self.numpy = ZygoteClient(self.index, self.options, self.limits, numpy=True, compiler=self.lean.compiler)
        return self.numpy

    def info(self) -> dict[str, Any]:
        return self.lean.info

    def close(self) -> None:
        for zygote in (self.numpy, self._checker, self.lean):  # the lean one last: it owns the shared compiler
            if zygote is not None:
                zygote.close()
