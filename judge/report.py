"""Metrics from a run store: raw / filtered pass@k, with and without timeouts, by difficulty.

The numbers "with timeouts" (in brackets in every rendering) count timeout-only samples as
passing: programs that may be correct but too slow.  With ``timeout_only="some"`` (the
default) a sample is timeout-only when it fails no hidden test, times out on at least one and
passes at least one; a sample that times out on every test it ran (a loop, most often) is
counted apart (``counts.all_timeout_samples``) and not as passing.  ``"any"`` is the literal
reading (fails no test, times out on at least one), for comparison with harnesses that use it.
A run judged with ``--after-timeout stop`` has no bracket numbers: a TLE ended its programs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from judge.kinds import get_kind
from judge.metrics import mean_pass_at_k, pass_at_k
from judge.render import Context
from judge.store import RunStore

VIEWS = ("raw", "filtered", "raw_with_timeouts", "filtered_with_timeouts")
TIMEOUT_ONLY = ("some", "any")

@dataclass
class ProblemCounts:
    task_id: str
    difficulty: str | None
    kind: str
    public_source: str
    checker: str | None    # the task's own checker (None: the run's rule)
    multi_answer: bool     # the statement accepts any of several answers
    n: int                 # judged samples
    c: int                 # passing samples
    timeout_only: int      # timeout-only samples (in the report's sense)
    n_filtered: int        # samples passing the public tests
    c_filtered: int
    n_filtered_t: int      # ... counting public timeouts as passes
    c_filtered_t: int
    all_timeout: int       # samples that time out on every hidden test they ran
    pending: int

    def pairs(self) -> dict[str, tuple[int, int]]:
        return {"raw": (self.n, self.c), "filtered": (self.n_filtered, self.c_filtered),
                "raw_with_timeouts": (self.n, self.c + self.timeout_only),
                "filtered_with_timeouts": (self.n_filtered_t, self.c_filtered_t)}


def problem_counts(store: RunStore, timeout_only: str = "some") -> list[ProblemCounts]:
    """Per-problem counts; with ``timeout_only="any"`` the all-timeout samples are timeout-only too."""
    out = []
    for r in store.problem_rows():
        (n, c, t_only, n_f, c_f, n_ft, c_ft, all_t, all_t_f), total = (int(x or 0) for x in r[6:15]), int(r[15])
        if timeout_only == "any":
            t_only, c_ft = t_only + all_t, c_ft + all_t_f
        out.append(ProblemCounts(r[0], r[1], r[2], r[3], r[4], bool(r[5]), n, c, t_only, n_f, c_f, n_ft, c_ft, all_t,
                                 total - n))
    return out


def _metrics(problems: list[ProblemCounts], ks: list[int], filtered: bool,
             with_timeouts: bool = True) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for view in VIEWS:
        if (view.startswith("filtered") and not filtered) or (view.endswith("_with_timeouts") and not with_timeouts):
            out[view] = {}
            continue
        pairs = [p.pairs()[view] for p in problems]
        out[view] = {f"pass@{k}": mean_pass_at_k(pairs, k) for k in ks}
    return out


def build_report(store: RunStore, exclude: frozenset[str] = frozenset(), timeout_only: str = "some") -> dict[str, Any]:
    """The run's numbers as plain data (the JSON report); ``exclude`` drops problems (e.g. broken
    ones); ``timeout_only``: which samples the bracket numbers count as passing (module docstring)."""
    config = {**(store.get_meta("dataset") or {}), **(store.get_meta("judging") or {}),
              "k": store.get_meta("k") or [1, 5, 10, 100, 1000]}
    if store.get_meta("sampling"):
        config["sampling"] = store.get_meta("sampling")
    with_timeouts = config.get("after_timeout", "continue") == "continue"
    config["timeout_only"] = timeout_only if with_timeouts else None
    problems = [p for p in problem_counts(store, timeout_only) if p.n > 0 and p.task_id not in exclude]
    min_n = min((p.n for p in problems), default=0)
    ks = [k for k in config["k"] if k <= min_n]
    dropped = [k for k in config["k"] if k > min_n]
    filtered = any(get_kind(p.kind).filterable for p in problems)
    report: dict[str, Any] = dict(_metrics(problems, ks, filtered, with_timeouts))
    by_difficulty: dict[str, Any] = {}
    for difficulty in sorted({p.difficulty for p in problems if p.difficulty}):
        subset = [p for p in problems if p.difficulty == difficulty]
        by_difficulty[difficulty] = dict(_metrics(subset, ks, filtered, with_timeouts), problems=len(subset))
    report["by_difficulty"] = by_difficulty
    unchecked = [p for p in problems if p.multi_answer and p.checker is None]
    report["multi_answer"] = {
        "problems": sum(p.multi_answer for p in problems),
        "with_checker": sum(p.multi_answer and p.checker is not None for p in problems),
        "without_checker": [p.task_id for p in unchecked]}
    if unchecked and len(unchecked) < len(problems):
        # What the numbers are without the problems a correct program may fail (its answer is
        # one of several, compared with one stored answer).
        plain = [p for p in problems if not (p.multi_answer and p.checker is None)]
        report["multi_answer"]["without_them"] = dict(_metrics(plain, ks, filtered, with_timeouts), problems=len(plain))
    report["counts"] = {
        "problems": len(problems),
        "samples": sum(p.n for p in problems),
        "unique_programs": store.count_judged_programs(),
        "tests_run": store.count_results(),
        "verdicts": store.sample_verdicts(),
        "test_verdicts": store.test_verdicts(),
        "timeout_only_samples": sum(p.timeout_only for p in problems) if with_timeouts else None,
        "all_timeout_samples": sum(p.all_timeout for p in problems) if with_timeouts else None,
        "filtered_survivors": sum(p.n_filtered for p in problems) if filtered else None,
        "pending_samples": sum(p.pending for p in problems),
        "internal_errors": store.count_internal_errors(),
        "unjudgeable_problems": store.defects_with_samples(),
        "accepted_by": store.accepted_by(),
    }
    report["per_problem"] = [
        {"task_id": p.task_id, "difficulty": p.difficulty, "n": p.n, "c": p.c,
         "timeout_only": p.timeout_only if with_timeouts else None,
         "all_timeout": p.all_timeout if with_timeouts else None,
         "n_filtered": p.n_filtered if filtered else None, "c_filtered": p.c_filtered if filtered else None,
         "n_filtered_with_timeouts": p.n_filtered_t if filtered else None,
         "c_filtered_with_timeouts": p.c_filtered_t if filtered else None,
         "public_tests": p.public_source, "checker": p.checker, "multi_answer": p.multi_answer} for p in problems]
    report["excluded"] = sorted(exclude)
    if dropped and problems:
        fewest = min(problems, key=lambda p: p.n)
        report["k_not_reported"] = {"k": dropped, "smallest_n": min_n, "problem": fewest.task_id}
    ranked = ranked_pass_at_1(store, {p.task_id: p for p in problems})
    if ranked:
        report["ranked_pass@1"] = ranked
    if config.get("compare", "strict") != "strict":
        report["lenient_only"] = lenient_only(store, exclude)
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
    for task_id, mean, total, passed in store.logprob_rows():
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


def per_problem_pairs(entry: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """(n, c) of one ``per_problem`` entry of a report, per view."""
    with_timeouts = entry.get("timeout_only") is not None
    pairs = {"raw": (entry["n"], entry["c"])}
    if with_timeouts:
        pairs["raw_with_timeouts"] = (entry["n"], entry["c"] + entry["timeout_only"])
    if entry.get("n_filtered") is not None:
        pairs["filtered"] = (entry["n_filtered"], entry["c_filtered"])
        if with_timeouts:
            pairs["filtered_with_timeouts"] = (entry["n_filtered_with_timeouts"], entry["c_filtered_with_timeouts"])
    return pairs


def curve_ks(max_k: int) -> list[int]:
    """k for pass@k curves: 1, 2, 3, 5, 10, 20, 30, 50, 100, ... up to ``max_k`` (and ``max_k`` itself)."""
    ks, scale = [], 1
    while scale <= max_k:
        ks += [k for k in (scale, 2 * scale, 3 * scale, 5 * scale) if k <= max_k]
        scale *= 10
    return sorted(set(ks + ([max_k] if max_k >= 1 else [])))


def pass_at_k_curves(report: dict[str, Any], difficulty: str | None = None) -> dict[str, list[tuple[int, float]]]:
    """view -> [(k, pass@k)] over the report's problems (of one difficulty, if given)."""
    entries = [e for e in report["per_problem"] if difficulty is None or e["difficulty"] == difficulty]
    if not entries:
        return {}
    ks = curve_ks(min(e["n"] for e in entries))
    views = [v for v in VIEWS if v in per_problem_pairs(entries[0])]
    out = {}
    for view in views:
        pairs = [per_problem_pairs(e)[view] for e in entries]
        out[view] = [(k, sum(pass_at_k(n, c, k) for n, c in pairs) / len(pairs)) for k in ks]
    return out


def failing_examples(store: RunStore, per_task: int = 3) -> dict[str, list[dict[str, Any]]]:
    """Per problem, a few failing samples with their first failing hidden test (verdict, output excerpt)
    and the program as it ran."""
    out: dict[str, list[dict[str, Any]]] = {}
    for task_id, sample_index, program_id, verdict, source in store.failing_programs():
        examples = out.setdefault(task_id, [])
        if len(examples) >= per_task:
            continue
        test = store.first_failing_hidden_test(program_id)
        examples.append({"sample_index": sample_index, "verdict": verdict,
                         "test_index": test[0] if test else None, "detail": test[2] if test else "",
                         "output": (test[3] or "") if test else "", "source": source})
    return out


def lenient_only(store: RunStore, exclude: frozenset[str] = frozenset(), limit: int = 20) -> dict[str, Any]:
    """Samples that pass under the run's lenient rule but not under ``strict`` (the audit of a rule)."""
    count, passed, found = store.lenient_only_samples(sorted(exclude), limit)
    examples = [{"task_id": task_id, "sample_index": sample_index, "accepted_by": steps}
                for task_id, sample_index, steps in found]
    return {"samples": count, "passing_samples": passed, "examples": examples}


def load_report(run: str, exclude: frozenset[str] = frozenset(), timeout_only: str = "some",
                examples: bool = False) -> tuple[dict[str, Any], Context]:
    """A run's report, and what a rendering shows beside it: with ``examples``, a few failing
    samples per problem and the run's tasks (None when its dataset cannot be loaded here)."""
    store = RunStore.existing(run)
    try:
        report = build_report(store, exclude, timeout_only)
        context = Context(title=run)
        if examples:
            from judge.evaluation import tasks_of_run
            context.failing = failing_examples(store)
            loaded = tasks_of_run(store)
            context.tasks = {t.task_id: t for t in loaded} if loaded is not None else None
    finally:
        store.close()
    return report, context
