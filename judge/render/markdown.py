"""The report as Markdown, for papers, pull requests and notebooks."""

from __future__ import annotations

from typing import Any

from judge.render import Context, caption, facts, pct, warnings

EXAMPLES = False


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
                cells.append(pct(plain) if plain is None or with_t is None else f"{pct(plain)} ({pct(with_t)})")
        rows.append(cells)
    return header, rows


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def render(report: dict[str, Any], title: str = "") -> str:
    out = [f"## {title or 'pass@k'}", ""]
    out += _table(*summary_rows(report))
    out += ["", caption(report), ""]
    out += [f"- {line}" for line in facts(report)] + [f"- **{line}**" for line in warnings(report)]
    return "\n".join(out) + "\n"


def text(report: dict[str, Any], context: Context) -> str:
    return render(report, title=context.title)
