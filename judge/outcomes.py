"""What judging a program produces: its per-test records and its outcome, defined once.

The referee builds these, the store writes them (its columns are these fields), and the API,
the service, export and reports read them back as the same records.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from judge.verdicts import Verdict

HIDDEN, PUBLIC = "hidden", "public"

EXCERPT = 300  # characters of a failing test's output kept for reports
DETAIL = 200   # characters of a verdict's detail (exception names come from programs)


@dataclass
class TestRecord:
    """One test's verdict.  Every string is bounded here, whatever a program made of it: a
    stored record is at most ~2 KiB (EXCERPT + DETAIL characters, UTF-8, plus numbers)."""

    __test__ = False  # not a pytest class
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

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> TestRecord:
        """A record from a stored row (TEST_FIELDS' order; SQLite gives 0/1 and NULL)."""
        values = dict(zip(TEST_FIELDS, row))
        values["detail"] = values["detail"] or ""
        values["accepted_by"] = values["accepted_by"] or ""
        values["output"] = values["output"] or ""
        values["strict"] = None if values["strict"] is None else bool(values["strict"])
        return cls(**values)


@dataclass
class ProgramOutcome:
    verdict: str                        # "AC", or the first failing hidden test's verdict
    passed: bool
    timeout_only: bool                  # no failure other than TLE, at least one TLE, at least one hidden AC
    public_passed: bool | None          # None: the task has no public tests
    public_passed_with_timeouts: bool | None
    internal_errors: int = 0
    all_timeout: bool = False           # no failure other than TLE, and no hidden test passed (a loop)
    tests: list[TestRecord] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        # Not dataclasses.asdict: its deep copy costs more than judging a fast test.
        values = {name: getattr(self, name) for name in OUTCOME_FIELDS}
        values["tests"] = [dict(vars(record)) for record in self.tests]
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ProgramOutcome:
        return cls(**{name: values[name] for name in OUTCOME_FIELDS},
                   tests=[TestRecord(**t) for t in values["tests"]])

    @classmethod
    def from_row(cls, row: tuple[Any, ...], tests: list[TestRecord]) -> ProgramOutcome:
        """An outcome from stored columns (OUTCOME_FIELDS' order; SQLite gives 0/1 and NULL)."""
        values = dict(zip(OUTCOME_FIELDS, row))
        for name in ("passed", "timeout_only", "all_timeout"):
            values[name] = bool(values[name])
        for name in ("public_passed", "public_passed_with_timeouts"):
            values[name] = None if values[name] is None else bool(values[name])
        values["internal_errors"] = values["internal_errors"] or 0
        return cls(**values, tests=tests)


# The stored columns, in this order: the store's tables are made of exactly these fields.
TEST_FIELDS = tuple(f.name for f in fields(TestRecord))
OUTCOME_FIELDS = tuple(f.name for f in fields(ProgramOutcome) if f.name != "tests")


def outcome_of(records: list[TestRecord], n_hidden: int, n_public: int, internal_errors: int) -> ProgramOutcome:
    """A program's outcome from its test records: passed when every one of the ``n_hidden`` hidden
    tests is AC; timeout-only when the only failures are TLEs and some hidden test passed; the
    public verdicts (None without public tests) with and without TLEs counted as passes."""
    hidden = sorted((r for r in records if r.role == HIDDEN), key=lambda r: r.index)
    public = [r for r in records if r.role == PUBLIC]
    failing = [r.verdict for r in hidden if r.verdict != Verdict.AC.value]
    complete = len(hidden) == n_hidden
    passed = not failing and complete
    only_timeouts = bool(failing) and all(v == Verdict.TLE.value for v in failing) and complete
    passed_some = len(failing) < len(hidden)
    public_passed = public_with_timeouts = None
    if n_public:
        verdicts = [r.verdict for r in public]
        public_complete = len(public) == n_public
        public_passed = public_complete and all(v == Verdict.AC.value for v in verdicts)
        public_with_timeouts = public_complete and all(v in (Verdict.AC.value, Verdict.TLE.value) for v in verdicts)
    return ProgramOutcome(failing[0] if failing else Verdict.AC.value, passed, only_timeouts and passed_some,
                          public_passed, public_with_timeouts, internal_errors, only_timeouts and not passed_some,
                          records)


def internal_error(detail: str) -> dict[str, Any]:
    """The outcome of a program that could not be judged (as a dict, like ProgramOutcome.to_dict)."""
    return ProgramOutcome(Verdict.IE.value, False, False, None, None, 1,
                          tests=[TestRecord(HIDDEN, 0, Verdict.IE.value, detail)]).to_dict()


def excerpt(text: str, tail: bool = False) -> str:
    """The start (or end) of a program's output, for people: UTF-8, at most EXCERPT characters."""
    # Program output may be any bytes (kept as surrogates).
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if len(text) <= EXCERPT:
        return text
    return "…" + text[-EXCERPT:] if tail else text[:EXCERPT] + "…"


def safe_repr(value: Any) -> str:
    """repr of a program's result for a report; never fails (huge integers, deep nesting)."""
    try:
        return repr(value)
    except Exception as err:  # ValueError: an integer beyond the digit limit; RecursionError
        return f"<{type(value).__name__}: not shown ({type(err).__name__})>"
