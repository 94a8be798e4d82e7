"""The report as Markdown, for papers, pull requests and notebooks."""

from __future__ import annotations

from typing import Any


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}"


def summary_rows(report: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the pass@k table: one row per difficulty and "all"; cells "x (with timeouts)"."""
    keys = list(report.get("raw", {}))
    views = ["raw"] + (["filtered"] if report.get("filtered") else [])
    header = ["difficulty", "problems"] + [f"{view} {key}" for view in views for key in keys]
    groups = [(d, r, r["problems"]) for d, r in report.get("by_difficulty", {}).items()]
    groups.append(("all", report, report["counts"]["problems"]))
    rows = []
    for name, data, count in groups:
        cells = [name, str(count)]
        for view in views:
            for key in keys:
                plain, with_t = data.get(view, {}).get(key), data.get(f"{view}_with_timeouts", {}).get(key)
                cells.append(_pct(plain) if plain is None else f"{_pct(plain)} ({_pct(with_t)})")
        rows.append(cells)
    return header, rows


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def render(report: dict[str, Any], title: str = "") -> str:
    out = [f"## {title or 'pass@k'}", ""]
    out += _table(*summary_rows(report))
    out += ["", "pass@k in %; in brackets: timeout-only samples counted as passing. filtered: only samples that pass "
            "the statement's examples.", ""]
    counts = report["counts"]
    out += [f"- samples {counts['samples']}, unique programs {counts['unique_programs']}, tests run "
            f"{counts['tests_run']}, timeout-only samples {counts['timeout_only_samples']}"
            + (f", passing the statement's examples {counts['filtered_survivors']}"
               if counts.get("filtered_survivors") is not None else ""),
            "- sample verdicts: " + ", ".join(f"{k} {v}" for k, v in counts["verdicts"].items())]
    ranked = report.get("ranked_pass@1")
    if ranked:
        out.append(f"- ranked pass@1 over {ranked['problems']} problems: highest mean log-prob "
                   f"{_pct(ranked['mean_logprob'])}, highest sum log-prob {_pct(ranked['sum_logprob'])}, "
                   f"random {_pct(ranked['random'])}")
    lenient = report.get("lenient_only")
    if lenient:
        out.append(f"- passing only under the lenient rule, not under strict: {lenient['samples']} of "
                   f"{lenient['passing_samples']} passing samples")
    if report.get("excluded"):
        out.append(f"- excluded problems: {', '.join(report['excluded'])}")
    if counts.get("pending_samples"):
        out.append(f"- **{counts['pending_samples']} samples not judged yet**")
    return "\n".join(out) + "\n"
