"""The report as one self-contained HTML file: tables, inline SVG plots, and the failing samples
of each problem with the first failing test's input, expected and actual output.  No script and
no network are needed to view it."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from judge.datasets import get_dataset
from judge.errors import JudgeError
from judge.kinds import get_kind
from judge.render import Context, caption, facts, svg, warnings
from judge.render.markdown import summary_rows
from judge.report import pass_at_k_curves

EXCERPT = 300
VIEW_NAMES = {"raw": "raw", "filtered": "filtered", "raw_with_timeouts": "raw + timeouts",
              "filtered_with_timeouts": "filtered + timeouts"}
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1150px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f3f3; }
.plots { display: flex; flex-wrap: wrap; gap: 12px; }
.plots svg { border: 1px solid #eee; }
pre { background: #f7f7f7; padding: 6px; max-height: 12em; overflow: auto; white-space: pre-wrap; margin: 2px 0; }
details { margin: 4px 0; } summary { cursor: pointer; }
.muted { color: #777; } .AC { color: #2a7; } .bad { color: #c33; }
"""


def _cut(value: Any, limit: int = EXCERPT) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _table(header: list[str], rows: list[list[str]], raw_html: bool = False) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c if raw_html else escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _plots(report: dict[str, Any]) -> str:
    charts = []
    groups = [(None, "all problems")] + [(d, d) for d in report.get("by_difficulty", {})]
    for difficulty, name in groups:
        curves = pass_at_k_curves(report, difficulty)
        charts.append(svg.line_chart(f"pass@k, {name}", {VIEW_NAMES[v]: pts for v, pts in curves.items()}))
    verdicts = report["counts"]["verdicts"]
    charts.append(svg.bar_chart("sample verdicts", list(verdicts.items())))
    survivors = [(e["task_id"], e["n_filtered"] / e["n"]) for e in report["per_problem"]
                 if e.get("n_filtered") is not None and e["n"]]
    if survivors:
        survivors.sort(key=lambda item: -item[1])
        charts.append(svg.bar_chart("samples passing the statement's examples, per problem", survivors, percent=True,
                                    label_every=max(1, len(survivors) // 12)))
    return '<div class="plots">' + "".join(charts) + "</div>"


def _problems(report: dict[str, Any], failing: dict[str, list[dict[str, Any]]]) -> str:
    header = ["problem", "difficulty", "n", "c", "n′", "c′", "timeout-only", "public tests"]
    rows = []
    for e in report["per_problem"]:
        link = f'<a href="#p-{escape(e["task_id"])}">{escape(e["task_id"])}</a>' if e["task_id"] in failing \
            else escape(e["task_id"])
        rows.append([link, escape(e["difficulty"] or ""), str(e["n"]), str(e["c"]),
                     "" if e.get("n_filtered") is None else str(e["n_filtered"]),
                     "" if e.get("c_filtered") is None else str(e["c_filtered"]), "" if e.get("timeout_only") is None else str(e["timeout_only"]),
                     escape(e["public_tests"] or "")])
    return _table(header, rows, raw_html=True)


def _failures(report: dict[str, Any], failing: dict[str, list[dict[str, Any]]], tasks: dict[str, Any] | None) -> str:
    parts = []
    shown = {e["task_id"] for e in report["per_problem"]}
    for task_id, examples in failing.items():
        if task_id not in shown:
            continue
        task = (tasks or {}).get(task_id)
        items = []
        for ex in examples:
            head = (f'sample {ex["sample_index"]}: <span class="bad">{escape(ex["verdict"])}</span>'
                    + (f' on test {ex["test_index"]}' if ex["test_index"] is not None else "")
                    + (f' ({escape(ex["detail"])})' if ex["detail"] else ""))
            body = ""
            if task is not None and ex["test_index"] is not None and get_kind(task.kind).io_tests \
                    and ex["test_index"] < len(task.tests):
                test = task.tests[ex["test_index"]]
                body += f"<div>input</div><pre>{escape(_cut(test.input))}</pre>"
                body += f"<div>expected</div><pre>{escape(_cut(test.output))}</pre>"
            if ex["output"]:
                body += f"<div>{'stderr' if ex['verdict'] == 'RE' else 'actual'}</div><pre>{escape(ex['output'])}</pre>"
            if not ex["output"]:
                body += "<p class=muted>no output recorded</p>"
            if ex.get("source"):
                body += f"<div>program</div><pre>{escape(_cut(ex['source'], 20_000))}</pre>"
            items.append(f"<details><summary>{head}</summary>{body}</details>")
        parts.append(f'<h3 id="p-{escape(task_id)}">{escape(task_id)}</h3>' + "".join(items))
    if tasks is None:
        parts.insert(0, '<p class="muted">The dataset could not be loaded here: inputs and expected outputs are not '
                        "shown.</p>")
    return "".join(parts)


def _has_splits(name: Any) -> bool:
    try:
        return len(get_dataset(str(name)).splits) > 1
    except JudgeError:  # a run of a dataset this version does not know
        return False


def render(report: dict[str, Any], failing: dict[str, list[dict[str, Any]]], tasks: dict[str, Any] | None,
           title: str) -> str:
    config = report.get("config", {})
    sampling = config.get("sampling") or {}
    limits = config.get("limits") or {}
    setting = [f"dataset {config.get('dataset')}" + (f" ({config.get('split')})" if _has_splits(config.get("dataset")) else ""),
             f"comparison rule {config.get('compare')}",
             f"{limits['cpu']:g} s CPU and {limits['memory'] >> 20} MiB per test" if limits else "",
             f"model {sampling.get('model')} · template {sampling.get('template')} · T={sampling.get('temperature')} · "
             f"top_p={sampling.get('top_p')}" if sampling and sampling.get("backend") != "file" else "",
             "generations imported from a file" if sampling.get("backend") == "file" else ""]
    notes = "".join(f"<p>{escape(line)}</p>" for line in facts(report))
    notes += "".join(f'<p class="bad">{escape(line)}</p>' for line in warnings(report))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title><style>{STYLE}</style></head>
<body>
<h1>{escape(title)}</h1>
<p class="muted">{escape(" · ".join(s for s in setting if s))}</p>
<h2>pass@k</h2>
{_table(*summary_rows(report))}
<p class="muted">{escape(caption(report))}{" (n′ of them, c′ correct)" if report.get("filtered") else ""}</p>
{notes}
<h2>Plots</h2>
{_plots(report)}
<h2>Problems</h2>
{_problems(report, failing)}
<h2>Failing samples</h2>
<p class="muted">A few failing samples per problem, with the first hidden test they fail.</p>
{_failures(report, failing, tasks)}
</body></html>
"""


EXAMPLES = True


def text(report: dict[str, Any], context: Context) -> str:
    return render(report, context.failing, context.tasks, title=f"judge report · {context.title}")
