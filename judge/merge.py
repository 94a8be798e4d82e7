"""``judge merge``: runs of disjoint shards (``--shard i/n``) into one run, for any scheduler.

The runs must have been made with the same dataset selection (apart from the shard), the same
judging settings and, if sampled, the same sampling settings; a task may appear in one run only.
Programs keep their verdicts and per-test records; only their ids change.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from judge.store import OUTCOME_FIELDS, RunStore, StoreError

KEYS = ("dataset", "judging", "sampling", "runtime")
TASK_COLUMNS = "task_id, position, difficulty, kind, n_tests, n_public, public_source, defect, checker, multi_answer"


def _meta(db: sqlite3.Connection, key: str) -> Any:
    import json
    row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    return json.loads(row[0]) if row else None


def merge(out_dir: str, runs: list[str]) -> dict[str, int]:
    paths = [os.path.join(run, "run.sqlite") for run in runs]
    for run, path in zip(runs, paths):
        if not os.path.isfile(path):
            raise StoreError(f"{run}: not a run directory (no run.sqlite)")
    if os.path.exists(os.path.join(out_dir, "run.sqlite")):
        raise StoreError(f"{out_dir}: already a run; merge into a new directory")
    for run in runs:  # brings a store made by an earlier version to the current schema
        RunStore(run).close()
    sources = [sqlite3.connect(f"file:{p}?mode=ro", uri=True) for p in paths]
    try:
        first: dict[str, Any] = {}
        for run, db in zip(runs, sources):
            for key in KEYS:
                value = _meta(db, key)
                if key == "dataset" and value:
                    value = {k: v for k, v in value.items() if k != "shard"}
                if key not in first:
                    first[key] = value
                elif value != first[key]:
                    raise StoreError(f"{run}: made with other {key} settings than {runs[0]}; only shards of one "
                                     "run (same command, different --shard) can be merged")
        owner: dict[str, str] = {}
        for run, db in zip(runs, sources):
            for (task_id,) in db.execute("SELECT task_id FROM tasks"):
                if task_id in owner:
                    raise StoreError(f"task {task_id} is in both {owner[task_id]} and {run}; merge disjoint shards")
                owner[task_id] = run
        k = _meta(sources[0], "k")
        provenance = _meta(sources[0], "provenance") or {}
    finally:
        for db in sources:
            db.close()

    store = RunStore(out_dir)
    try:
        for key in KEYS:
            if first.get(key) is not None:
                store.set_meta(key, first[key])
        store.set_meta("k", k)
        store.set_meta("provenance", dict(provenance, merged_from=[os.path.abspath(r) for r in runs]))
        db = store.db
        counts = {"runs": len(runs), "tasks": 0, "samples": 0}
        for path in paths:
            offset = db.execute("SELECT COALESCE(MAX(id), 0) FROM programs").fetchone()[0]
            db.execute("ATTACH DATABASE ? AS src", (f"file:{path}?mode=ro",))
            try:
                db.execute("BEGIN")
                db.execute(f"INSERT INTO tasks({TASK_COLUMNS}) SELECT {TASK_COLUMNS} FROM src.tasks")
                columns = ", ".join(OUTCOME_FIELDS)
                db.execute(f"INSERT INTO programs(id, task_id, digest, source, done, {columns}) "
                           f"SELECT id + ?, task_id, digest, source, done, {columns} FROM src.programs", (offset,))
                db.execute("INSERT INTO samples SELECT task_id, sample_index, program_id + ?, tokens, finish_reason, "
                           "sum_logprob, mean_logprob FROM src.samples", (offset,))
                db.execute("INSERT INTO results SELECT program_id + ?, role, test_index, verdict, detail, accepted_by, "
                           "cpu, wall, memory_kb, output, strict_accepts FROM src.results", (offset,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            finally:
                db.execute("DETACH DATABASE src")
        counts["tasks"] = db.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]
        counts["samples"] = db.execute("SELECT COUNT(*) FROM samples").fetchone()[0]
    finally:
        store.close()
    return counts
