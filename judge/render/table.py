"""The report as a rich table in the terminal."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


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
    lenient = report.get("lenient_only")
    if lenient:
        console.print(f"  passing only under the lenient rule ({report['config'].get('compare')}), not under strict: "
                      f"{lenient['samples']} of {lenient['passing_samples']} passing samples")
    if counts["pending_samples"]:
        console.print(f"  [yellow]{counts['pending_samples']} samples not judged yet: rerun the command to finish[/]")
    for defect in counts["unjudgeable_problems"]:
        console.print(f"  [yellow]not judged: {defect}[/]")
