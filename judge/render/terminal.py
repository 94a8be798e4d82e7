"""What the commands other than ``report`` print on a terminal: comparisons, audits, sweeps,
sampling statistics.  (A report's own table is :mod:`judge.render.table`.)"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def comparison(result: dict[str, Any], console: Console, warn: Console) -> None:
    runs = result["run_dirs"]
    for i, block in enumerate(result["differences"], 1):
        for line in block["setting_differences"]:
            warn.print(f"[yellow]warning: {runs[i]} and {runs[0]} were judged with other settings: {line}[/]",
                       soft_wrap=True)
        table = Table(title=f"{runs[i]} vs {runs[0]} · {result['problems']} problems",
                      caption="pass@k in %; difference with its paired bootstrap 95% interval; * = interval excludes 0")
        for name in ("view", "k", runs[0], runs[i], "difference", "95% interval"):
            table.add_column(name, justify="right" if name != "view" else "left")
        for d in block["differences"]:
            significant = "*" if d["low"] > 0 or d["high"] < 0 else ""
            table.add_row(d["view"], str(d["k"]), f"{100 * d['base']:.2f}", f"{100 * d['other']:.2f}",
                          f"{100 * d['delta']:+.2f}{significant}", f"[{100 * d['low']:+.2f}, {100 * d['high']:+.2f}]")
        console.print(table)
        console.print(f"  solved only by {runs[0]}: {', '.join(block['solved_only_by_base']) or 'none'}")
        console.print(f"  solved only by {runs[i]}: {', '.join(block['solved_only_by_other']) or 'none'}")
    if result["only_in_some"]:
        console.print(f"  [yellow]{len(result['only_in_some'])} problems are not in every run and were left out[/]")


def audit(result: dict[str, Any], console: Console) -> None:
    table = Table(title=f"references of {result['problems']} problems ({result['without_references']} without references)"
                        f" · {len(result['broken'])} with every reference failing")
    for name in ("problem", "difficulty", "references passing", "verdicts of failing references", "note"):
        table.add_column(name)
    for row in result["broken"] + result["partly"]:
        table.add_row(row["task_id"], row["difficulty"] or "", f"{row['passed']}/{row['references']}",
                      ", ".join(f"{v} {n}" for v, n in row["verdicts"].items()), row["note"])
    console.print(table)
    if result["checked"]:
        fixed = [r for r in result["checked"] if r["passed_only_by_checker"]]
        console.print(f"  {len(result['checked'])} problems have their own checker; on {len(fixed)} of them references "
                      "pass that a plain comparison with the stored answer rejects: "
                      + ", ".join(f"{r['task_id']} ({r['passed_only_by_checker']} of {r['references']})" for r in fixed))
    unchecked = sorted(set(result["multi_answer"]) - {r["task_id"] for r in result["checked"]}, key=lambda t: (len(t), t))
    if unchecked:
        console.print(f"  {len(unchecked)} problems accept several answers and have no checker: {', '.join(unchecked)}")


def sweep(result: dict[str, Any], console: Console) -> None:
    keys = result["k"]
    table = Table(title=f"temperature sweep · {result['problems']} problems",
                  caption="raw pass@k in %; * = best temperature for that k")
    table.add_column("temperature", justify="right")
    for key in keys:
        table.add_column(key, justify="right")
    for row in result["rows"]:
        table.add_row(f"{row['temperature']:g}", *[f"{100 * row['raw'][key]:.2f}"
                                                     + ("*" if result["best"][key] == row["temperature"] else "")
                                                     for key in keys])
    console.print(table)
    console.print("  best temperature: " + ", ".join(f"{key} at T={result['best'][key]:g}" for key in keys))


def sampling(stats: Any) -> str:
    return (f"sampled {stats.received} of {stats.requested} missing samples in {stats.seconds:.1f} s "
            f"({stats.per_second:.1f} samples/s, {stats.retries} retried requests)")
