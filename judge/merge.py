"""``judge merge``: runs of disjoint shards (``--shard i/n``) into one run, for any scheduler.

The runs must have been made with the same dataset selection (apart from the shard), the same
judging settings and, if sampled, the same sampling settings; a task may appear in one run only.
Programs keep their verdicts and per-test records; only their ids change.
"""

from __future__ import annotations

import os
from typing import Any

from judge.store import RunStore, StoreError, read_meta, read_task_ids

KEYS = ("dataset", "judging", "sampling", "runtime")


def merge(out_dir: str, runs: list[str]) -> dict[str, int]:
    paths = [os.path.join(run, "run.sqlite") for run in runs]
    for run, path in zip(runs, paths):
        if not os.path.isfile(path):
            raise StoreError(f"{run}: not a run directory (no run.sqlite)")
    if os.path.exists(os.path.join(out_dir, "run.sqlite")):
        raise StoreError(f"{out_dir}: already a run; merge into a new directory")
    for run in runs:  # brings a store made by an earlier version to the current schema
        RunStore(run).close()
    first: dict[str, Any] = {}
    for run, path in zip(runs, paths):
        for key in KEYS:
            value = read_meta(path, key)
            if key == "dataset" and value:
                value = {k: v for k, v in value.items() if k != "shard"}
            if key not in first:
                first[key] = value
            elif value != first[key]:
                raise StoreError(f"{run}: made with other {key} settings than {runs[0]}; only shards of one "
                                 "run (same command, different --shard) can be merged")
    owner: dict[str, str] = {}
    for run, path in zip(runs, paths):
        for task_id in read_task_ids(path):
            if task_id in owner:
                raise StoreError(f"task {task_id} is in both {owner[task_id]} and {run}; merge disjoint shards")
            owner[task_id] = run
    k = read_meta(paths[0], "k")
    provenance = read_meta(paths[0], "provenance") or {}

    store = RunStore(out_dir)
    try:
        for key in KEYS:
            if first.get(key) is not None:
                store.set_meta(key, first[key])
        store.set_meta("k", k)
        store.set_meta("provenance", dict(provenance, merged_from=[os.path.abspath(r) for r in runs]))
        for path in paths:
            store.absorb(path)
        counts = {"runs": len(runs), "tasks": store.count_tasks(), "samples": store.count_samples()}
    finally:
        store.close()
    return counts
