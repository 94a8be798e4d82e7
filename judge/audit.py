"""``judge audit``: judge a dataset's own reference solutions; problems whose references fail are
suspect (broken tests, answers that are one of many valid ones: "print any").

The result lists, per problem with references: how many of the first N passed and the verdicts of
the others; the ids of problems where none passed can be passed to ``--exclude``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

from rich.console import Console

from judge.datasets import DatasetError, load_tasks
from judge.evaluation import EvaluateOptions, attach_checkers, evaluate
from judge.kinds import kind_of


def audit(opts: EvaluateOptions, references: int, console: Console | None = None) -> dict[str, Any]:
    tasks = load_tasks(opts.dataset, opts.data, opts.selection, opts.public_tests)
    attach_checkers(tasks, opts)
    os.makedirs(opts.run_dir, exist_ok=True)
    samples = os.path.join(opts.run_dir, "references.jsonl")
    with_refs = [t for t in tasks if not t.defect and any(s.strip() for s in t.solutions)]
    if not with_refs:
        defects = [t.defect for t in tasks if t.defect]
        raise DatasetError(f"none of the {len(tasks)} selected problems has a reference solution to judge"
                           + (f" ({len(defects)} cannot be judged; the first: {defects[0]})" if defects else ""))
    with open(samples, "w", encoding="utf-8") as fh:
        for task in with_refs:
            for i, solution in enumerate([s for s in task.solutions if s.strip()][:references]):
                code = kind_of(task).completion_of(task, solution)
                fh.write(json.dumps({"task_id": task.task_id, "sample_id": i, "completion": code}) + "\n")
    opts.samples = [samples]
    report = evaluate(opts, console)
    per_problem = {e["task_id"]: e for e in report["per_problem"]}
    from judge.store import RunStore
    store = RunStore(opts.run_dir)
    try:
        verdicts: dict[str, Counter[str]] = {}
        for task_id, verdict in store.failing_sample_verdicts():
            verdicts.setdefault(task_id, Counter())[verdict] += 1
        # References that pass only because their problem has its own checker: the stored
        # answer is one of several and theirs is another.
        by_checker = store.passing_only_by_checker()
    finally:
        store.close()
    broken: list[dict[str, Any]] = []
    partly: list[dict[str, Any]] = []
    checked: list[dict[str, Any]] = []
    for task in with_refs:
        entry = per_problem.get(task.task_id)
        if entry is None:
            continue
        note = "; ".join(filter(None, ["statement accepts several answers" if task.multi_answer else "",
                                       f"own checker {task.checker.label}" if task.checker else ""]))
        row = {"task_id": task.task_id, "difficulty": task.difficulty, "references": entry["n"], "passed": entry["c"],
               "passed_only_by_checker": by_checker.get(task.task_id, 0),
               "verdicts": dict(verdicts.get(task.task_id, {})), "note": note}
        if task.checker is not None:
            checked.append(row)
        if entry["c"] < entry["n"]:
            (broken if entry["c"] == 0 else partly).append(row)
    return {"problems": len(tasks), "with_references": len(with_refs), "without_references": len(tasks) - len(with_refs),
            "unjudgeable": [t.defect for t in tasks if t.defect], "broken": broken, "partly": partly,
            "checked": checked, "multi_answer": [t.task_id for t in tasks if t.multi_answer],
            "compare": opts.compare}


def write_exclude(path: str, result: dict[str, Any], references: int, dataset: str) -> None:
    """The ids of the problems whose references all fail, one per line (for ``--exclude``)."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(f"# problems whose {references} reference solutions all fail ({dataset}, {result['compare']})\n")
        fh.writelines(f"{row['task_id']}\n" for row in result["broken"])
