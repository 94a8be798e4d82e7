"""The report as a rich table in the terminal."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.table import Table

from judge.render import Context, caption, facts, warnings

EXAMPLES = False


def _cell(report_views: dict[str, Any], view: str, key: str) -> str:
    plain = report_views.get(view, {}).get(key)
    with_t = report_views.get(f"{view}_with_timeouts", {}).get(key)
    if plain is None:
        return "-"
    return f"{100 * plain:.2f}" if with_t is None else f"{100 * plain:.2f} ({100 * with_t:.2f})"


def render(report: dict[str, Any], console: Console, title: str = "") -> None:
    """One table per view (raw, then filtered), k across: at the usual three k a view fits 80
    columns, and cells never lose digits (a cell that does not fit wraps, it is not cut)."""
    views = ["raw"] + (["filtered"] if report.get("filtered") else [])
    keys = list(report.get("raw", {}))
    rows = [(d, r, r["problems"]) for d, r in report.get("by_difficulty", {}).items()]
    rows.append(("all", report, report["counts"]["problems"]))
    for view in views:
        table = Table(title=" · ".join(filter(None, [title, view])))
        table.add_column("difficulty", no_wrap=True)
        table.add_column("problems", justify="right", no_wrap=True)
        for key in keys:
            table.add_column(key, justify="right", overflow="fold")
        for name, views_of, count in rows:
            table.add_row(name, str(count), *[_cell(views_of, view, k) for k in keys])
        console.print(table)
    console.print(f"  {caption(report)}")
    for line in facts(report):
        console.print(f"  {line}")
    for line in warnings(report):
        console.print(f"  [yellow]{line}[/]")


def text(report: dict[str, Any], context: Context) -> str:
    """The terminal's table as plain text (for ``--out``)."""
    console = Console(width=200, color_system=None, record=True, file=io.StringIO())
    render(report, console, title=context.title)
    return console.export_text()
