"""Fast unit tests of the pieces every verdict goes through: the wire codec, verdict priority,
test planning and outcomes (no sandbox is started here)."""

import math
import signal

import pytest

from judge.datasets import Task, Test
from judge.execution.judging import _plan
from judge.outcomes import (DETAIL, EXCERPT, HIDDEN, OUTCOME_FIELDS, PUBLIC, TEST_FIELDS, ProgramOutcome,
                            TestRecord, excerpt, internal_error, outcome_of, safe_repr)
from judge.sandbox import wire
from judge.sandbox.client import Limits, RunResult
from judge.verdicts import Verdict, execution_verdict


# -- the wire codec --------------------------------------------------------------------------
@pytest.mark.parametrize("value", [
    None, True, 0, -7, 10 ** 300, 1.5, "text", "\udcff surrogate", b"\x00\xff", [1, [2, [3]]], (1, "a"),
    {"k": [1, 2], 3: None}, {1, 2}, frozenset({"a"}), [], {}, ""])
def test_plain_values_round_trip(value):
    assert wire.decode(wire.encode(value)) == value
    assert type(wire.decode(wire.encode(value))) is type(value)


def test_non_finite_floats_round_trip():
    inf, nan = wire.decode(wire.encode([math.inf, math.nan]))
    assert inf == math.inf and math.isnan(nan)


def test_objects_that_are_not_data_equal_nothing():
    class Liar:
        def __eq__(self, other):
            return True
    decoded = wire.decode(wire.encode(Liar()))
    assert decoded != decoded.__class__ and decoded != 1 and decoded != "anything"
    assert isinstance(decoded, wire.Opaque)


def test_an_iterator_is_not_a_list():
    decoded = wire.decode(wire.encode(iter([1, 2])))
    assert list(decoded) == [1, 2] and decoded != [1, 2]


def test_too_deep_a_value_is_refused_when_encoded():
    deep: list = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(ValueError):
        wire.encode(deep)


@pytest.mark.parametrize("data", [b"{", b'{"x": 1}', b'{"f": "1", "t": []}', b'{"d": 5}', b"\xff", b'{"b": 3}'])
def test_malformed_input_is_a_value_error(data):
    with pytest.raises(ValueError):
        wire.decode(data)


@pytest.mark.parametrize("data", [
    b"[" * (wire.MAX_CONTAINERS + 1),
    b"[" + b"0," * (wire.MAX_ITEMS + 1) + b"0]",
    b"1" * (wire.MAX_DIGITS + 1),
    b"[" + b",".join([b"9" * wire.MAX_DIGITS] * 60) + b"]",  # each allowed, too many together
])
def test_the_budget_refuses_costly_values_before_decoding(data):
    with pytest.raises(ValueError):
        wire.check_budget(data)


def test_the_budget_lets_ordinary_values_through():
    wire.check_budget(wire.encode([list(range(1000)), 10 ** 900, "x" * 10_000]))


# -- verdict priority ------------------------------------------------------------------------
LIMITS = Limits(cpu=1.0, memory=1 << 28, output=1000)


def ended(exit=0, sig=None, cpu=0.1, watchdog=False, status=None, stdout_size=0):
    return RunResult(exit, sig, cpu, cpu, 1000, watchdog, status or {}, b"", stdout_size)


@pytest.mark.parametrize("run, verdict", [
    (ended(), None),
    (ended(exit=1, status={"phase": "run", "exc": "ValueError"}), Verdict.RE),
    (ended(exit=None, sig=signal.SIGSEGV), Verdict.RE),
    (ended(exit=1, status={"phase": "run", "exc": "MemoryError"}), Verdict.MLE),
    (ended(stdout_size=1001), Verdict.OLE),
    (ended(exit=None, sig=signal.SIGXFSZ), Verdict.OLE),
    (ended(cpu=1.2), Verdict.TLE),
    (ended(exit=None, sig=signal.SIGXCPU), Verdict.TLE),
    (ended(watchdog=True, cpu=0.0), Verdict.TLE),
    (ended(exit=None, sig=signal.SIGSYS), Verdict.SV),
    (ended(exit=1, status={"phase": "compile", "exc": "SyntaxError"}), Verdict.CE),
    (ended(exit=125, status={"phase": "setup", "exc": "OSError"}), Verdict.IE),
])
def test_how_a_child_ended_gives_one_verdict(run, verdict):
    assert execution_verdict(run, LIMITS)[0] is verdict


def test_the_priority_order_holds_when_several_apply():
    # SV > TLE > MLE > OLE > RE, whatever else the child did
    assert execution_verdict(ended(exit=None, sig=signal.SIGSYS, cpu=5, stdout_size=10 ** 6), LIMITS)[0] is Verdict.SV
    assert execution_verdict(ended(exit=1, cpu=5, status={"exc": "MemoryError"}, stdout_size=10 ** 6),
                             LIMITS)[0] is Verdict.TLE
    assert execution_verdict(ended(exit=1, status={"exc": "MemoryError"}, stdout_size=10 ** 6), LIMITS)[0] is Verdict.MLE
    assert execution_verdict(ended(exit=1, stdout_size=10 ** 6), LIMITS)[0] is Verdict.OLE


def test_a_limit_hit_while_compiling_is_a_compile_error_not_a_timeout():
    verdict, detail = execution_verdict(ended(exit=None, sig=signal.SIGXCPU, status={"phase": "compile"}), LIMITS)
    assert verdict is Verdict.CE and detail.startswith("TLE while compiling")


def test_a_forged_status_note_cannot_pass_a_failing_child():
    # The note is the program's to write; the exit status is the kernel's.
    assert execution_verdict(ended(exit=3, status={"phase": "done"}), LIMITS)[0] is Verdict.RE


# -- test planning ---------------------------------------------------------------------------
def test_shared_inputs_run_once_hidden_first():
    task = Task("t", "stdio", tests=[Test("1\n", "a"), Test("2\n", "b")], public_tests=[Test("2\n", "b"), Test("3\n", "c")])
    plan = _plan(task)
    assert [e.input for e in plan] == ["1\n", "2\n", "3\n"]
    assert plan[1].roles == [(HIDDEN, 1, "b"), (PUBLIC, 0, "b")]
    assert plan[2].roles == [(PUBLIC, 1, "c")]


def test_call_arguments_are_planned_by_value():
    task = Task("t", "call", tests=[Test([1, {"a": 2, "b": 3}], 1)], public_tests=[Test([1, {"b": 3, "a": 2}], 1)])
    assert len(_plan(task)) == 1


# -- outcomes --------------------------------------------------------------------------------
def record(role, index, verdict):
    return TestRecord(role, index, verdict)


@pytest.mark.parametrize("verdicts, passed, timeout_only, all_timeout, first", [
    (["AC", "AC", "AC"], True, False, False, "AC"),
    (["AC", "TLE", "AC"], False, True, False, "TLE"),
    (["TLE", "TLE", "TLE"], False, False, True, "TLE"),
    (["AC", "TLE", "WA"], False, False, False, "TLE"),
    (["AC", "WA"], False, False, False, "WA"),   # stopped at the failure: not all tests ran
    (["AC", "TLE"], False, False, False, "TLE"),  # incomplete: not timeout-only
])
def test_outcome_flags(verdicts, passed, timeout_only, all_timeout, first):
    records = [record(HIDDEN, i, v) for i, v in enumerate(verdicts)]
    outcome = outcome_of(records, 3, 0, 0)
    assert (outcome.passed, outcome.timeout_only, outcome.all_timeout, outcome.verdict) == \
        (passed, timeout_only, all_timeout, first)
    assert outcome.public_passed is None


def test_public_verdicts_with_and_without_timeouts():
    hidden = [record(HIDDEN, 0, "AC")]
    assert outcome_of(hidden + [record(PUBLIC, 0, "AC"), record(PUBLIC, 1, "AC")], 1, 2, 0).public_passed is True
    with_tle = outcome_of(hidden + [record(PUBLIC, 0, "AC"), record(PUBLIC, 1, "TLE")], 1, 2, 0)
    assert with_tle.public_passed is False and with_tle.public_passed_with_timeouts is True
    missing = outcome_of(hidden + [record(PUBLIC, 0, "AC")], 1, 2, 0)  # stopped before the second
    assert missing.public_passed is False and missing.public_passed_with_timeouts is False


def test_records_bound_what_a_program_made():
    big = TestRecord(HIDDEN, 0, "WA", detail="x" * 10 ** 6, output="y" * 10 ** 6)
    assert len(big.detail) == DETAIL + 1 and len(big.output) == EXCERPT + 1
    assert len(excerpt("z" * 10 ** 6, tail=True)) == EXCERPT + 1
    assert excerpt("bad \udcff byte") == "bad \ufffd byte"
    assert "not shown" in safe_repr(type("Bad", (), {"__repr__": lambda self: 1 / 0})())


def test_an_outcome_survives_its_dict_and_its_stored_row():
    outcome = outcome_of([record(HIDDEN, 0, "AC"), record(HIDDEN, 1, "TLE"), record(PUBLIC, 0, "AC")], 2, 1, 1)
    assert ProgramOutcome.from_dict(outcome.to_dict()) == outcome
    row = tuple(int(v) if isinstance(v, bool) else v for v in (getattr(outcome, f) for f in OUTCOME_FIELDS))
    assert ProgramOutcome.from_row(row, outcome.tests) == outcome
    test_row = tuple(getattr(outcome.tests[0], f) for f in TEST_FIELDS)
    assert TestRecord.from_row(test_row) == outcome.tests[0]


def test_an_internal_error_is_a_complete_outcome():
    outcome = ProgramOutcome.from_dict(internal_error("worker died"))
    assert outcome.verdict == "IE" and not outcome.passed and outcome.internal_errors == 1
    assert outcome.tests[0].detail == "worker died"


# --- multi-answer wording -------------------------------------------------------------------

@pytest.mark.parametrize("statement, accepts_any", [
    ("If there are multiple answers, print any of them.", True),
    ("If there are several possible answers, you may output any.", True),
    ("Print any.\n", True),
    ("print\n  any valid answer", True),
    ("Any one of them will be accepted.", True),
    ("... output any one of them", True),
    ("When there exist many ways, any of them is accepted.", True),
    ("Print any two numbers whose sum is n.", False),
    ("If there are several answers, print the smallest one.", False),
    ("If there are several ways to do it, find the minimum number of moves.", False),
    ("There are many of them. In such a case, output the smallest one.", False),
    ("So many of them like to make a reservation, print anything.", False),
    # the first "if there are several" takes the words after it (up to 150, no full stop): the
    # second one is inside them and is not read on its own
    ("if there are several answers choose the smallest if there are several ways accept either", False),
    ("If there are several answers, accept either.", True),
])
def test_multi_answer_wording(statement, accepts_any):
    from judge.checkers import says_any_answer
    assert says_any_answer(statement) is accepts_any


# --- the result frame -----------------------------------------------------------------------

def test_a_result_frame_larger_than_its_limits_breaks_the_channel_before_allocating():
    import socket

    from judge.sandbox import protocol
    ours, theirs = socket.socketpair()
    with ours, theirs:
        fields = (7, 0, 0, 0.1, 0.1, 1000, 0, 3)
        theirs.sendall(protocol.RESULT_KIND + protocol.RESULT.pack(*fields, 3, 0, 0) + b"ok\n")
        assert protocol.recv_result(ours, limit=16) == (fields, b"ok\n", b"", b"")
        for sizes in ((17, 0, 0), (0, protocol.STDERR_TAIL + 1, 0), (0, 0, protocol.STATUS_NOTE + 1)):
            theirs.sendall(protocol.RESULT_KIND + protocol.RESULT.pack(*fields, *sizes))  # no body follows
            with pytest.raises(protocol.ChannelClosed):
                protocol.recv_result(ours, limit=16)
