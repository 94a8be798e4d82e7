"""Static PNG and SVG figures of a report (matplotlib), for users who paste figures into papers."""

from __future__ import annotations

import os
from typing import Any

from judge.errors import JudgeError
from judge.report import pass_at_k_curves

NAMES = {"raw": "raw", "filtered": "filtered", "raw_with_timeouts": "raw + timeouts",
         "filtered_with_timeouts": "filtered + timeouts"}


class PlotError(JudgeError, RuntimeError):
    """Figures were asked for without matplotlib."""


def pyplot() -> Any:
    """matplotlib's pyplot (headless), or one clear line saying how to get it."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotError("plots need matplotlib: pip install 'judge-codegen[plots]' (or leave the plot option out)") from None
    return plt


def write_plots(report: dict[str, Any], folder: str) -> list[str]:
    """pass_at_k (one panel per difficulty and all), verdicts and filter survivors; returns the files written."""
    plt = pyplot()
    os.makedirs(folder, exist_ok=True)
    written = []
    groups = [(None, "all problems")] + [(d, d) for d in report.get("by_difficulty", {})]
    fig, axes = plt.subplots(1, len(groups), figsize=(4.2 * len(groups), 3.6), squeeze=False, sharey=True)
    for ax, (difficulty, name) in zip(axes[0], groups):
        for view, points in pass_at_k_curves(report, difficulty).items():
            ax.plot([k for k, _ in points], [100 * v for _, v in points], marker="o", ms=3, label=NAMES[view])
        ax.set_xscale("log")
        ax.set_title(name)
        ax.set_xlabel("k")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("pass@k (%)")
    axes[0][-1].legend(fontsize=8)
    written += _save(fig, folder, "pass_at_k")
    verdicts = report["counts"]["verdicts"]
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ax.bar(list(verdicts), list(verdicts.values()))
    ax.set_title("sample verdicts")
    written += _save(fig, folder, "verdicts")
    survivors = sorted((e["n_filtered"] / e["n"] for e in report["per_problem"] if e.get("n_filtered") is not None
                        and e["n"]), reverse=True)
    if survivors:
        fig, ax = plt.subplots(figsize=(6, 3.4))
        ax.bar(range(len(survivors)), [100 * s for s in survivors])
        ax.set_title("samples passing the statement's examples, per problem")
        ax.set_xlabel("problems, sorted")
        ax.set_ylabel("%")
        written += _save(fig, folder, "filter_survivors")
    plt.close("all")
    return written


def _save(fig: Any, folder: str, name: str) -> list[str]:
    fig.tight_layout()
    paths = [os.path.join(folder, f"{name}.{ext}") for ext in ("png", "svg")]
    for path in paths:
        fig.savefig(path, dpi=120)
    return paths


def write_sweep_plot(result: dict[str, Any], stem: str) -> list[str]:
    """pass@k against temperature (a sweep's result), as PNG and SVG at ``stem``."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    temps = [r["temperature"] for r in result["rows"]]
    for key in result["k"]:
        ax.plot(temps, [100 * r["raw"][key] for r in result["rows"]], marker="o", label=key)
        ax.axvline(result["best"][key], color=ax.lines[-1].get_color(), alpha=0.25, linestyle="--")
    ax.set_xlabel("sampling temperature")
    ax.set_ylabel("raw pass@k (%)")
    ax.set_title("pass@k against temperature (dashed: best)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    paths = [f"{stem}.png", f"{stem}.svg"]
    for path in paths:
        fig.savefig(path, dpi=120)
    plt.close(fig)
    return paths
