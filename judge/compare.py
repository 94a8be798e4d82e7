"""``judge compare``: runs side by side, with paired bootstrap confidence intervals over problems.

For runs A, B, ... on the same problems, each k and view gets every run's pass@k and B - A with a
95% interval from resampling the problems (the same resample for both runs: the comparison is
paired, so problem difficulty cancels out).  Problems solved (c > 0) by one run and not the
other are listed.
"""

from __future__ import annotations

import json

from dataclasses import dataclass
from typing import Any

import numpy as np

from judge.errors import JudgeError
from judge.metrics import pass_at_k
from judge.report import VIEWS, per_problem_pairs


class CompareError(JudgeError, ValueError):
    """Runs that cannot be compared."""


BOOTSTRAP = 10_000


@dataclass
class Difference:
    view: str
    k: int
    base: float
    other: float
    delta: float
    low: float      # 95% interval of delta
    high: float


def problem_scores(report: dict[str, Any], problems: list[str], view: str, k: int) -> np.ndarray:
    by_id = {e["task_id"]: e for e in report["per_problem"]}
    return np.array([pass_at_k(*per_problem_pairs(by_id[p])[view], k) for p in problems])


def paired_interval(a: np.ndarray, b: np.ndarray, samples: int = BOOTSTRAP, seed: int = 0) -> tuple[float, float]:
    """95% percentile interval of mean(b - a) over problems resampled with replacement."""
    rng = np.random.default_rng(seed)
    diff = b - a
    means = np.empty(samples)
    for start in range(0, samples, 1000):  # chunks bound the memory for large problem sets
        idx = rng.integers(0, len(diff), size=(min(1000, samples - start), len(diff)))
        means[start:start + len(idx)] = diff[idx].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def compare(reports: list[dict[str, Any]], ks: list[int] | None = None, samples: int = BOOTSTRAP) -> dict[str, Any]:
    """Compare ``reports[1:]`` with ``reports[0]`` on the problems all of them have."""
    sets = [{e["task_id"] for e in r["per_problem"]} for r in reports]
    common = sorted(set.intersection(*sets), key=lambda p: (len(p), p))
    if not common:
        raise CompareError("the runs have no problem in common")
    min_n = min(e["n"] for r in reports for e in r["per_problem"] if e["task_id"] in common)
    ks = [k for k in (ks or [1, 10, 100]) if k <= min_n] or [1]
    views = [v for v in VIEWS if all(v in per_problem_pairs(r["per_problem"][0]) for r in reports)]
    base = reports[0]
    result: dict[str, Any] = {"problems": len(common), "only_in_some": sorted(set.union(*sets) - set(common)),
                              "k": ks, "runs": [], "differences": []}
    scores = {(i, v, k): problem_scores(r, common, v, k) for i, r in enumerate(reports) for v in views for k in ks}
    for i in range(len(reports)):
        result["runs"].append({v: {f"pass@{k}": float(scores[(i, v, k)].mean()) for k in ks} for v in views})
    for i in range(1, len(reports)):
        diffs = []
        for view in views:
            for k in ks:
                a, b = scores[(0, view, k)], scores[(i, view, k)]
                low, high = paired_interval(a, b, samples)
                diffs.append(Difference(view, k, float(a.mean()), float(b.mean()), float((b - a).mean()), low, high).__dict__)
        solved = [{e["task_id"] for e in r["per_problem"] if e["task_id"] in common and e["c"] > 0}
                  for r in (base, reports[i])]
        result["differences"].append({"differences": diffs, "solved_only_by_base": sorted(solved[0] - solved[1]),
                                      "solved_only_by_other": sorted(solved[1] - solved[0]),
                                      "setting_differences": setting_differences(base, reports[i])})
    return result


# Judging settings that change verdicts: runs that differ in one compare different things.
SETTINGS = ("limits", "compare", "stop", "after_timeout", "timeout_only", "public_tests", "dataset", "split")


def setting_differences(base: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """The verdict-changing settings in which two reports differ, as "name: base vs other"."""
    a, b = base.get("config", {}), other.get("config", {})
    out = [f"{key}: {json.dumps(a.get(key))} vs {json.dumps(b.get(key))}" for key in SETTINGS if a.get(key) != b.get(key)]
    ra, rb = (r.get("provenance", {}).get("sandbox", {}).get("runtime") for r in (base, other))
    if ra and rb and ra != rb:
        out.append(f"runtime: {json.dumps(ra)} vs {json.dumps(rb)}")
    return out


def compare_runs(runs: list[str], ks: list[int], exclude: frozenset[str] = frozenset(), samples: int = BOOTSTRAP,
                 timeout_only: str = "some") -> dict[str, Any]:
    """:func:`compare` on the reports of run directories (the first is the baseline)."""
    from judge.report import build_report
    from judge.store import RunStore
    if len(runs) < 2:
        raise CompareError("give at least two run directories")
    reports = []
    for run in runs:
        store = RunStore.existing(run)
        try:
            reports.append(build_report(store, exclude, timeout_only))
        finally:
            store.close()
    return dict(compare(reports, ks, samples), run_dirs=runs)
