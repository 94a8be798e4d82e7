"""Per-sample records of a run, for users who analyse verdicts themselves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from judge.outcomes import OUTCOME_FIELDS
from judge.store import RunStore


def export_samples(store: RunStore) -> Iterator[dict[str, Any]]:
    """One dict per judged sample, in task then sample order: its outcome's fields, the program
    and its sha256, and its per-test records."""
    cached_id, cached_tests = None, []
    for sample in store.judged_samples():
        if sample.program_id != cached_id:
            cached_id = sample.program_id
            cached_tests = [dict(vars(t)) for t in store.tests_of(cached_id)]
        outcome = sample.outcome
        yield {"task_id": sample.task_id, "sample_index": sample.sample_index,
               **{name: getattr(outcome, name) for name in OUTCOME_FIELDS},
               "program_sha256": sample.digest, "program": sample.source, "tests": cached_tests}
