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
    cached_id, cached_tests = None, []
    for row in store.judged_samples():
        if row["program_id"] != cached_id:
            cached_id = row["program_id"]
            cached_tests = [_test(r) for r in store.tests_of(cached_id)]
        public, public_t = row["public_passed"], row["public_passed_with_timeouts"]
        yield {"task_id": row["task_id"], "sample_index": row["sample_index"], "passed": bool(row["passed"]),
               "verdict": row["verdict"], "timeout_only": bool(row["timeout_only"]), "all_timeout": bool(row["all_timeout"]),
               "public_passed": None if public is None else bool(public),
               "public_passed_with_timeouts": None if public_t is None else bool(public_t),
               "internal_errors": row["internal_errors"], "program_sha256": row["digest"], "program": row["source"],
               "tests": cached_tests}
