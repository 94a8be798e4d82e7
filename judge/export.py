"""Per-sample records of a run, for users who analyse verdicts themselves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from judge.store import RunStore

_TEST_FIELDS = ("role", "index", "verdict", "detail", "accepted_by", "cpu", "wall", "memory_kb", "output", "strict")


def _test(row: tuple[Any, ...]) -> dict[str, Any]:
    test = dict(zip(_TEST_FIELDS, row))
    test["output"] = test["output"] or ""
    test["strict"] = None if test["strict"] is None else bool(test["strict"])
    return test


def export_samples(store: RunStore) -> Iterator[dict[str, Any]]:
    """One dict per judged sample, in task then sample order; per-test records come with it."""
    db = store.db
    rows = db.execute(
        "SELECT s.task_id, s.sample_index, p.id, p.verdict, p.passed, p.timeout_only, p.all_timeout, p.public_passed, "
        "p.public_passed_with_timeouts, p.internal_errors, p.digest, p.source FROM samples s "
        "JOIN programs p ON p.id = s.program_id JOIN tasks t ON t.task_id = s.task_id "
        "WHERE p.done ORDER BY t.position, s.sample_index")
    cached_id, cached_tests = None, []
    for task_id, index, program_id, verdict, passed, timeout_only, all_timeout, public, public_t, ie, digest, source in rows:
        if program_id != cached_id:
            cached_id = program_id
            cached_tests = [_test(r) for r in db.execute(
                "SELECT role, test_index, verdict, detail, accepted_by, cpu, wall, memory_kb, output, strict_accepts "
                "FROM results "
                "WHERE program_id=? ORDER BY role, test_index", (program_id,))]
        yield {"task_id": task_id, "sample_index": index, "passed": bool(passed), "verdict": verdict,
               "timeout_only": bool(timeout_only), "all_timeout": bool(all_timeout), "public_passed": None if public is None else bool(public),
               "public_passed_with_timeouts": None if public_t is None else bool(public_t),
               "internal_errors": ie, "program_sha256": digest, "program": source, "tests": cached_tests}
