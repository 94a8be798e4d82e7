"""Metrics from a run store: raw / filtered pass@k, with and without timeouts, by difficulty."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from judge.metrics import mean_pass_at_k
from judge.store import RunStore

VIEWS = ("raw", "filtered", "raw_with_timeouts", "filtered_with_timeouts")

_PER_PROBLEM = """
SELECT t.task_id, t.difficulty, t.kind, t.public_source,
       SUM(p.done), SUM(p.done AND p.passed), SUM(p.done AND p.timeout_only),
       SUM(p.done AND p.public_passed), SUM(p.done AND p.passed AND p.public_passed),
       SUM(p.done AND p.public_passed_with_timeouts),
       SUM(p.done AND (p.passed OR p.timeout_only) AND p.public_passed_with_timeouts),
       COUNT(*)
FROM tasks t JOIN samples s USING(task_id) JOIN programs p ON p.id = s.program_id
WHERE t.defect IS NULL
GROUP BY t.task_id ORDER BY t.position
"""


@dataclass
class ProblemCounts:
    task_id: str
    difficulty: str | None
    kind: str
    public_source: str
    n: int                 # judged samples
    c: int                 # passing samples
    timeout_only: int
    n_filtered: int        # samples passing the public tests
    c_filtered: int
    n_filtered_t: int      # ... counting public timeouts as passes
    c_filtered_t: int
    pending: int

    def pairs(self) -> dict[str, tuple[int, int]]:
        return {"raw": (self.n, self.c), "filtered": (self.n_filtered, self.c_filtered),
                "raw_with_timeouts": (self.n, self.c + self.timeout_only),
                "filtered_with_timeouts": (self.n_filtered_t, self.c_filtered_t)}


def problem_counts(store: RunStore) -> list[ProblemCounts]:
    return [ProblemCounts(r[0], r[1], r[2], r[3], *(int(x or 0) for x in r[4:11]), int(r[11]) - int(r[4] or 0))
            for r in store.db.execute(_PER_PROBLEM)]


def _metrics(problems: list[ProblemCounts], ks: list[int], filtered: bool) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for view in VIEWS:
        if view.startswith("filtered") and not filtered:
            out[view] = {}
            continue
        pairs = [p.pairs()[view] for p in problems]
        out[view] = {f"pass@{k}": mean_pass_at_k(pairs, k) for k in ks}
    return out


def build_report(store: RunStore) -> dict[str, Any]:
    config = {**(store.get_meta("dataset") or {}), **(store.get_meta("judging") or {}),
              "k": store.get_meta("k") or [1, 5, 10, 100, 1000]}
    if store.get_meta("sampling"):
        config["sampling"] = store.get_meta("sampling")
    problems = [p for p in problem_counts(store) if p.n > 0]
    min_n = min((p.n for p in problems), default=0)
    ks = [k for k in config["k"] if k <= min_n]
    filtered = any(p.kind != "humaneval" for p in problems)
    report: dict[str, Any] = dict(_metrics(problems, ks, filtered))
    by_difficulty: dict[str, Any] = {}
    for difficulty in sorted({p.difficulty for p in problems if p.difficulty}):
        subset = [p for p in problems if p.difficulty == difficulty]
        by_difficulty[difficulty] = dict(_metrics(subset, ks, filtered), problems=len(subset))
    report["by_difficulty"] = by_difficulty
    db = store.db
    verdicts = dict(db.execute("SELECT p.verdict, COUNT(*) FROM samples s JOIN programs p ON p.id=s.program_id "
                               "WHERE p.done GROUP BY p.verdict ORDER BY 2 DESC").fetchall())
    test_verdicts = dict(db.execute("SELECT verdict, COUNT(*) FROM results GROUP BY verdict ORDER BY 2 DESC").fetchall())
    defects = [r[0] for r in db.execute("SELECT defect FROM tasks WHERE defect IS NOT NULL "
                                        "AND task_id IN (SELECT task_id FROM samples)")]
    report["counts"] = {
        "problems": len(problems),
        "samples": sum(p.n for p in problems),
        "unique_programs": db.execute("SELECT COUNT(*) FROM programs WHERE done").fetchone()[0],
        "tests_run": db.execute("SELECT COUNT(*) FROM results").fetchone()[0],
        "verdicts": verdicts,
        "test_verdicts": test_verdicts,
        "timeout_only_samples": sum(p.timeout_only for p in problems),
        "filtered_survivors": sum(p.n_filtered for p in problems) if filtered else None,
        "pending_samples": sum(p.pending for p in problems),
        "internal_errors": db.execute("SELECT COALESCE(SUM(internal_errors), 0) FROM programs").fetchone()[0],
        "unjudgeable_problems": defects,
        "accepted_by": dict(db.execute("SELECT accepted_by, COUNT(*) FROM results WHERE verdict='AC' "
                                       "GROUP BY accepted_by ORDER BY 2 DESC").fetchall()),
    }
    report["per_problem"] = [
        {"task_id": p.task_id, "difficulty": p.difficulty, "n": p.n, "c": p.c, "timeout_only": p.timeout_only,
         "n_filtered": p.n_filtered if filtered else None, "c_filtered": p.c_filtered if filtered else None,
         "public_tests": p.public_source} for p in problems]
    ranked = ranked_pass_at_1(store, {p.task_id: p for p in problems})
    if ranked:
        report["ranked_pass@1"] = ranked
    report["config"] = config
    report["provenance"] = store.get_meta("provenance") or {}
    return report


def ranked_pass_at_1(store: RunStore, problems: dict[str, ProblemCounts]) -> dict[str, Any] | None:
    """Pass rate when one sample per problem is picked by the model's log-probs (Codex, Fig. 7).

    Over the problems whose judged samples carry log-probs: the sample with the highest mean
    token log-prob, the one with the highest sum, and a random one (its expectation, c/n).
    Ties go to the lowest sample number.
    """
    best: dict[str, dict[str, tuple[float, bool]]] = {}
    rows = store.db.execute(
        "SELECT s.task_id, s.mean_logprob, s.sum_logprob, p.passed FROM samples s JOIN programs p ON p.id=s.program_id "
        "WHERE p.done AND s.mean_logprob IS NOT NULL ORDER BY s.task_id, s.sample_index")
    for task_id, mean, total, passed in rows:
        entry = best.setdefault(task_id, {})
        for key, value in (("mean_logprob", mean), ("sum_logprob", total)):
            if value is not None and (key not in entry or value > entry[key][0]):
                entry[key] = (value, bool(passed))
    chosen = [t for t in best if t in problems]
    if not chosen:
        return None
    out: dict[str, Any] = {"problems": len(chosen)}
    for key in ("mean_logprob", "sum_logprob"):
        out[key] = sum(best[t][key][1] for t in chosen if key in best[t]) / len(chosen)
    out["random"] = sum(problems[t].c / problems[t].n for t in chosen) / len(chosen)
    return out


def _cell(report_views: dict[str, Any], view: str, key: str) -> str:
    plain = report_views.get(view, {}).get(key)
    with_t = report_views.get(f"{view}_with_timeouts", {}).get(key)
    if plain is None:
        return "-"
    return f"{100 * plain:.2f} ({100 * with_t:.2f})"


def render(report: dict[str, Any], console: Console, title: str = "") -> None:
    views = ["raw"] + (["filtered"] if report.get("filtered") else [])
    keys = list(report.get("raw", {}))
    table = Table(title=title or None, caption="pass@k in %; in brackets: timeout-only samples counted as passing")
    table.add_column("difficulty")
    table.add_column("problems", justify="right")
    for view in views:
        for key in keys:
            table.add_column(f"{view} {key}", justify="right")
    rows = [(d, r, r["problems"]) for d, r in report.get("by_difficulty", {}).items()]
    rows.append(("all", report, report["counts"]["problems"]))
    for name, views_of, count in rows:
        table.add_row(name, str(count), *[_cell(views_of, v, k) for v in views for k in keys])
    console.print(table)
    counts = report["counts"]
    parts = [f"samples {counts['samples']}", f"unique programs {counts['unique_programs']}",
             f"tests run {counts['tests_run']}", f"timeout-only {counts['timeout_only_samples']}"]
    if counts.get("filtered_survivors") is not None:
        parts.append(f"pass the statement's examples {counts['filtered_survivors']}")
    console.print("  " + " · ".join(parts))
    console.print("  sample verdicts: " + ", ".join(f"{k} {v}" for k, v in counts["verdicts"].items()))
    ranked = report.get("ranked_pass@1")
    if ranked:
        console.print(f"  ranked pass@1 ({ranked['problems']} problems): highest mean log-prob "
                      f"{100 * ranked['mean_logprob']:.2f} · highest sum log-prob {100 * ranked['sum_logprob']:.2f} · "
                      f"random {100 * ranked['random']:.2f}")
    if counts["pending_samples"]:
        console.print(f"  [yellow]{counts['pending_samples']} samples not judged yet: rerun the command to finish[/]")
    for defect in counts["unjudgeable_problems"]:
        console.print(f"  [yellow]not judged: {defect}[/]")
