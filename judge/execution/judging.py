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

import builtins
import functools
import json
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import CodeType, ModuleType
from typing import Any

from judge.checkers import EXECUTABLE, SPECIAL, CheckerSpec, executable, get_rule, special
from judge.datasets import Task
from judge.sandbox.client import BadReply, CallSession, ChildGone, Limits, RunResult, ZygoteClient, ZygoteDied
from judge.verdicts import Verdict, execution_verdict

HIDDEN, PUBLIC = "hidden", "public"


EXCERPT = 300  # characters of a failing test's output kept for reports
DETAIL = 200   # characters of a verdict's detail (exception names come from programs)


@dataclass
class TestRecord:
    """One test's verdict.  Every string is bounded here, whatever a program made of it: a
    stored record is at most ~2 KiB (EXCERPT + DETAIL characters, UTF-8, plus numbers)."""

    role: str
    index: int
    verdict: str
    detail: str = ""
    accepted_by: str = ""     # the comparison step that accepted (AC only)
    cpu: float = 0.0
    wall: float = 0.0
    memory_kb: int = 0
    output: str = ""          # failing tests: the start of what the program printed or returned, or its stderr's end
    strict: bool | None = None  # AC under a lenient rule: would the strict rule accept it too?

    def __post_init__(self) -> None:
        if len(self.detail) > DETAIL:
            self.detail = self.detail[:DETAIL] + "…"
        if len(self.output) > EXCERPT + 1:
            self.output = self.output[:EXCERPT] + "…"


def _safe_repr(value: Any) -> str:
    """repr of a program's result for a report; never fails (huge integers, deep nesting)."""
    try:
        return repr(value)
    except Exception as err:  # ValueError: an integer beyond the digit limit; RecursionError
        return f"<{type(value).__name__}: not shown ({type(err).__name__})>"


def _compare(compare, expected: Any, actual: Any) -> tuple[str, str]:
    """(accepted_by, "") or ("", why not): a comparison that fails on the program's output
    (an overflow, a value of an unexpected shape) rejects it, never stops the judging."""
    try:
        return compare(expected, actual) or "", ""
    except Exception as err:
        return "", f"comparison failed: {type(err).__name__}"


def _failed_assertion(err: AssertionError, task: Task) -> str:
    """'assertion failed: <the assert line of the test>' from the traceback's innermost frame in
    the task's test code."""
    frame_line = None
    tb = err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == f"{task.task_id}:test":
            frame_line = tb.tb_lineno
        tb = tb.tb_next
    lines = task.test_code.splitlines()
    if frame_line is None or not 0 < frame_line <= len(lines):
        return "assertion failed"
    return f"assertion failed: {lines[frame_line - 1].strip()} (test line {frame_line})"


def _excerpt(text: str, tail: bool = False) -> str:
    # Program output may be any bytes (kept as surrogates): the excerpt is for people, in UTF-8.
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if len(text) <= EXCERPT:
        return text
    return "…" + text[-EXCERPT:] if tail else text[:EXCERPT] + "…"


@dataclass
class ProgramOutcome:
    verdict: str                        # "AC", or the first failing hidden test's verdict
    passed: bool
    timeout_only: bool                  # no failure other than TLE, at least one TLE, at least one hidden AC
    public_passed: bool | None          # None: the task has no public tests
    public_passed_with_timeouts: bool | None
    tests: list[TestRecord] = field(default_factory=list)
    internal_errors: int = 0
    all_timeout: bool = False           # no failure other than TLE, and no hidden test passed (a loop)

    def to_dict(self) -> dict[str, Any]:
        # Not dataclasses.asdict: its deep copy costs more than judging a fast test.
        return {"verdict": self.verdict, "passed": self.passed, "timeout_only": self.timeout_only,
                "all_timeout": self.all_timeout, "public_passed": self.public_passed,
                "public_passed_with_timeouts": self.public_passed_with_timeouts,
                "tests": [dict(vars(record)) for record in self.tests], "internal_errors": self.internal_errors}


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


class _CandidateError(Exception):
    """An exception raised by the program whose type has no builtin counterpart."""


class _Candidate:
    """Stands for the program's function inside trusted test code; each call crosses the sandbox."""

    def __init__(self, session: CallSession) -> None:
        self._session = session
        self.last: tuple[list[Any], Any] | None = None  # the last call's arguments and result, for reports
        self.current: list[Any] | None = None             # the arguments of the call being made

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            raise TypeError("keyword arguments are not supported across the sandbox")
        self.current = list(args)
        ok, value = self._session.call(self.current)
        if ok:
            self.last = (self.current, value)
            return value
        name, message = value
        cls = getattr(builtins, name, None)
        try:
            err = cls(message) if isinstance(cls, type) and issubclass(cls, Exception) else _CandidateError(message)
        except Exception:
            err = _CandidateError(message)
        err.judge_raised_by = name  # type: ignore[attr-defined]
        raise err


class Judge:
    """Judges programs of the tasks it is given; owns the worker's zygotes."""

    def __init__(self, zygotes: "ZygotePair", rule: ModuleType, after_timeout: str = "continue") -> None:
        self.zygotes, self.limits, self.rule = zygotes, zygotes.limits, rule
        self.stop_at_timeout = after_timeout == "stop"
        # Under a lenient rule, each accepted answer is also checked strictly: the report can
        # count the samples that pass only because of the leniency.
        self.strict = get_rule("strict")
        self._plans: dict[str, list[_Entry]] = {}
        self._checks: dict[str, tuple[CodeType, CodeType]] = {}

    # -- running one input, with the internal-error retry ------------------------------------
    def _attempt(self, task: Task, source: str, test_input: Any) -> tuple[Verdict | None, str, RunResult | None, Any]:
        prelude, wrap = self.rule.PRELUDE, self.rule.WRAP_MODULE_RETURN
        zygote = self.zygotes.for_source(prelude + source)
        if task.kind == "stdio":
            run = zygote.run_stdio(source, test_input.encode("utf-8", "surrogateescape"), prelude, wrap)
            verdict, detail = execution_verdict(run, self.limits)
            return verdict, detail, run, None
        session = zygote.open_calls(source, task.fn_name or "", task.solution_class, prelude)
        if isinstance(session, RunResult):  # it does not compile (or compiling it exceeded a limit)
            verdict, detail = execution_verdict(session, self.limits)
            return verdict, detail, session, None
        reply: tuple[bool, Any] | None = None
        try:
            reply = session.call(test_input)
        except BadReply as err:
            reply = (False, ("MalformedReply", str(err)))
        except ChildGone:
            pass
        finally:
            run = session.finish()
        verdict, detail = execution_verdict(run, self.limits)
        if verdict is not None:
            return verdict, detail, run, None
        if reply is None:
            return Verdict.RE, "the program ended before returning", run, None
        ok, value = reply
        if not ok:
            name = value[0]
            return (Verdict.MLE if name == "MemoryError" else Verdict.RE), name, run, None
        return None, "", run, value

    def _run(self, task: Task, source: str, test_input: Any,
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
                verdict, detail, run, value = self._attempt(task, source, test_input)
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

    # -- APPS -------------------------------------------------------------------------------
    def judge(self, task: Task, source: str) -> ProgramOutcome:
        if task.kind == "humaneval":
            return self._judge_humaneval(task, source)
        plan = self._plans.get(task.task_id)
        if plan is None:
            plan = self._plans[task.task_id] = _plan(task)
        open_roles = {HIDDEN: True, PUBLIC: bool(task.public_tests)}
        records: list[TestRecord] = []
        internal_errors = 0
        slowest_finished = 0.0  # CPU of the slowest test this program finished: near the limit, TLEs are borderline
        for entry in plan:
            wanted = [r for r in entry.roles if open_roles[r[0]]]
            if not wanted:
                continue
            verdict, detail, run, value, errors = self._run(task, source, entry.input,
                                                            slowest_finished >= 0.5 * self.limits.cpu)
            if run is not None and verdict not in (Verdict.TLE, Verdict.IE):
                slowest_finished = max(slowest_finished, run.cpu)
            internal_errors += errors
            stdout = None
            for role, index, expected in wanted:
                accepted_by, output, strict = "", "", None
                final, why = verdict, detail
                if final is None:
                    if task.kind == "stdio":
                        if stdout is None:
                            stdout = run.stdout.decode("utf-8", "surrogateescape")
                        expected, actual = (expected if isinstance(expected, str) else str(expected)), stdout
                    else:
                        actual = value
                    final, accepted_by, why, strict = self._check(task, entry.input, expected, actual)
                    if final is not Verdict.AC:
                        output = _excerpt(actual if task.kind == "stdio" else _safe_repr(actual))
                elif final is Verdict.RE and run is not None:
                    output = _excerpt(run.stderr_tail.decode("utf-8", "replace"), tail=True)
                records.append(TestRecord(role, index, final.value, why, accepted_by, run.cpu if run else 0.0,
                                          run.wall if run else 0.0, run.maxrss_kb if run else 0, output, strict))
                if final is not Verdict.AC and (final is not Verdict.TLE or self.stop_at_timeout):
                    open_roles[role] = False
            if not any(open_roles.values()):
                break
        return _outcome(task, records, internal_errors)

    def _check(self, task: Task, test_input: Any, expected: Any, actual: Any) -> tuple[Verdict, str, str, bool | None]:
        """(verdict, accepted_by, why not, would the strict rule accept too) under the task's
        checker (its own, or the run's rule)."""
        spec: CheckerSpec | None = task.checker
        stdio = task.kind == "stdio"
        if spec is not None and spec.name in (SPECIAL, EXECUTABLE):  # the task's own program: run confined
            if spec.name == SPECIAL:
                verdict, why = special.run(self.zygotes.checker(), spec.source, test_input, expected, actual)
            else:
                as_text = [v if isinstance(v, str) else json.dumps(v) for v in (test_input, expected, actual)]
                verdict, why = executable.run(spec.where, *as_text, self.zygotes.options.scratch_root,
                                              self.zygotes.options.uid)
            accepted_by = spec.label if verdict is Verdict.AC else ""
        else:
            module = self.rule if spec is None else get_rule(spec.name)
            compare = module.compare_stdout if stdio else module.compare_return
            if spec is not None and spec.params:
                compare = functools.partial(compare, **dict(spec.params))
            accepted_by, why = _compare(compare, expected, actual)
            verdict = Verdict.AC if accepted_by else Verdict.WA
            if module.STRICT:
                return verdict, accepted_by, why, None
        strict = None
        if verdict is Verdict.AC:
            strict = bool(_compare(self.strict.compare_stdout if stdio else self.strict.compare_return, expected, actual)[0])
        return verdict, accepted_by, why, strict

    # -- HumanEval --------------------------------------------------------------------------
    def _check_code(self, task: Task) -> tuple[CodeType, CodeType]:
        codes = self._checks.get(task.task_id)
        if codes is None:
            codes = self._checks[task.task_id] = (compile(task.prompt, f"{task.task_id}:prompt", "exec"),
                                                  compile(task.test_code, f"{task.task_id}:test", "exec"))
        return codes

    def _judge_humaneval(self, task: Task, source: str) -> ProgramOutcome:
        prompt_code, test_code = self._check_code(task)
        internal_errors = 0
        for _attempt in range(2):
            try:
                verdict, detail, run, output = self._humaneval_once(task, source, prompt_code, test_code)
            except ZygoteDied as err:
                verdict, detail, run, output = Verdict.IE, f"worker died: {err}", None, ""
            if verdict is not Verdict.IE:
                break
            internal_errors += 1
        if verdict is Verdict.RE and run is not None and not output:
            output = _excerpt(run.stderr_tail.decode("utf-8", "replace"), tail=True)
        record = TestRecord(HIDDEN, 0, verdict.value, detail, "check" if verdict is Verdict.AC else "",
                            run.cpu if run else 0.0, run.wall if run else 0.0, run.maxrss_kb if run else 0, output)
        return _outcome(task, [record], internal_errors)

    def _humaneval_once(self, task: Task, source: str, prompt_code: CodeType, test_code: CodeType):
        session = self.zygotes.for_source(source).open_calls(source, task.entry_point)
        if isinstance(session, RunResult):  # it does not compile (or compiling it exceeded a limit)
            verdict, detail = execution_verdict(session, self.limits)
            return verdict, detail, session, ""
        candidate = _Candidate(session)
        # The trusted side: the prompt's helpers and the test, with the program's function
        # replaced by a proxy.  Expected values never enter the sandbox.
        namespace: dict[str, Any] = {"__name__": "__judge_check__"}
        outcome: tuple[Verdict, str] | None
        raised = ""  # what the program raised, for the report
        try:
            exec(prompt_code, namespace)
            exec(test_code, namespace)
            namespace[task.entry_point] = candidate
            namespace["check"](candidate)
            outcome = (Verdict.AC, "")
        except BadReply as err:
            outcome = (Verdict.RE, f"MalformedReply: {err}")
        except ChildGone:
            outcome = None
        except AssertionError as err:
            raised_by = getattr(err, "judge_raised_by", None)
            outcome = (Verdict.RE, raised_by) if raised_by else (Verdict.WA, _failed_assertion(err, task))
        except Exception as err:
            raised_by = getattr(err, "judge_raised_by", None)
            if raised_by:
                outcome = (Verdict.MLE if raised_by == "MemoryError" else Verdict.RE, raised_by)
                raised = _excerpt(f"{raised_by}: {err} (in {task.entry_point}({_safe_repr(candidate.current)[1:-1]}))")
            else:
                outcome = (Verdict.WA, f"test raised {type(err).__name__}")
        finally:
            run = session.finish()
        verdict, detail = execution_verdict(run, self.limits)
        if verdict is not None:
            return verdict, detail, run, ""
        if outcome is None:
            return Verdict.RE, "the program ended before the test finished", run, ""
        if session.calls == 0 and outcome[0] is Verdict.AC:
            return Verdict.WA, "the test never called the program", run, ""
        if outcome[0] is Verdict.WA and candidate.last is not None:
            args, value = candidate.last
            return outcome[0], outcome[1], run, _excerpt(f"last call: {task.entry_point}({_safe_repr(args)[1:-1]}) "
                                                         f"returned {_safe_repr(value)}")
        return outcome[0], outcome[1], run, raised


def _outcome(task: Task, records: list[TestRecord], internal_errors: int) -> ProgramOutcome:
    hidden = sorted((r for r in records if r.role == HIDDEN), key=lambda r: r.index)
    public = [r for r in records if r.role == PUBLIC]
    n_hidden = len(task.tests) if task.kind != "humaneval" else 1
    failing = [r.verdict for r in hidden if r.verdict != Verdict.AC.value]
    passed = not failing and len(hidden) == n_hidden
    only_timeouts = bool(failing) and all(v == Verdict.TLE.value for v in failing) and len(hidden) == n_hidden
    passed_some = len(failing) < len(hidden)
    public_passed = public_with_timeouts = None
    if task.public_tests:
        verdicts = [r.verdict for r in public]
        complete = len(public) == len(task.public_tests)
        public_passed = complete and all(v == Verdict.AC.value for v in verdicts)
        public_with_timeouts = complete and all(v in (Verdict.AC.value, Verdict.TLE.value) for v in verdicts)
    return ProgramOutcome(failing[0] if failing else Verdict.AC.value, passed, only_timeouts and passed_some,
                          public_passed, public_with_timeouts, records, internal_errors, only_timeouts and not passed_some)


def judge_programs(judge: Judge, task: Task, programs: list[tuple[int, str]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(program id, outcome as a dict) for each program, in order; should the judge itself fail on
    one, that program's outcome is an internal error naming the failure."""
    for program_id, source in programs:
        try:
            yield program_id, judge.judge(task, source).to_dict()
        except Exception:
            last = traceback.format_exc(limit=8).strip().splitlines()[-1]
            yield program_id, internal_error(f"judge error: {last}")


def internal_error(detail: str) -> dict[str, Any]:
    """The outcome of a program that could not be judged (as a dict, like ProgramOutcome.to_dict)."""
    return ProgramOutcome(Verdict.IE.value, False, False, None, None,
                          [TestRecord(HIDDEN, 0, Verdict.IE.value, detail)], 1).to_dict()


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
            self.numpy = ZygoteClient(self.index, self.options, self.limits, numpy=True)
        return self.numpy

    def info(self) -> dict[str, Any]:
        return self.lean.info

    def close(self) -> None:
        for zygote in (self.lean, self.numpy, self._checker):
            if zygote is not None:
                zygote.close()
