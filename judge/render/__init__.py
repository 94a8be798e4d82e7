"""Renderings of a report (the JSON data of :func:`judge.report.build_report`): one module per format.

A format module has ``text(report, context) -> str`` and ``EXAMPLES``: whether it shows failing
samples (then ``context`` carries them and the run's tasks).  ``FORMATS`` is the one list of
them; ``judge report --format`` offers exactly these.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

FORMATS = {"table": "judge.render.table", "json": "judge.render.json_", "md": "judge.render.markdown",
           "html": "judge.render.html"}


@dataclass
class Context:
    """What a rendering may show beside the report."""

    title: str = ""
    failing: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # per problem, a few failing samples
    tasks: dict[str, Any] | None = None  # the run's tasks (inputs, expected outputs), when they can be loaded


def get_format(name: str) -> ModuleType:
    from judge.errors import JudgeError
    if name not in FORMATS:
        raise JudgeError(f"unknown report format {name!r}: use one of {', '.join(FORMATS)}")
    return importlib.import_module(FORMATS[name])


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}"


def caption(report: dict[str, Any]) -> str:
    """What the numbers of the pass@k table mean, shared by every format."""
    config = report.get("config", {})
    mode = config.get("timeout_only")
    if mode is None:
        brackets = ("no numbers in brackets: judged with --after-timeout stop (a timeout ended each program), so "
                    "timeout-only samples are not known")
    elif mode == "any":
        brackets = ("in brackets: timeout-only samples counted as passing (any sample that fails no test and times "
                    "out on at least one)")
    else:
        brackets = ("in brackets: timeout-only samples counted as passing (they fail no test, time out on at least "
                    "one and pass at least one)")
    out = f"pass@k in %; {brackets}."
    if report.get("filtered"):
        out += " filtered: only samples that pass the statement's examples."
    return out


def facts(report: dict[str, Any]) -> list[str]:
    """The report's counts and side results as sentences, shared by every format."""
    counts = report["counts"]
    timeouts = "" if counts.get("timeout_only_samples") is None else (
        f", timeout-only samples {counts['timeout_only_samples']}, timing out on every test "
        f"{counts.get('all_timeout_samples', 0)}")
    out = [f"samples {counts['samples']}, unique programs {counts['unique_programs']}, tests run {counts['tests_run']}"
           + timeouts
           + (f", passing the statement's examples {counts['filtered_survivors']}"
              if counts.get("filtered_survivors") is not None else ""),
           "sample verdicts: " + ", ".join(f"{k} {v}" for k, v in counts["verdicts"].items())]
    multi = report.get("multi_answer") or {}
    if multi.get("problems"):
        line = (f"problems that accept any of several answers: {multi['problems']}, {multi['with_checker']} of them "
                "judged by their own checker")
        without = multi.get("without_them")
        if without:
            first = next(iter(without["raw"]), None)
            line += (f"; without the {len(multi['without_checker'])} others (compared with one stored answer), over "
                     f"{without['problems']} problems: raw {first} {pct(without['raw'][first])}" if first else "")
        out.append(line)
    ranked = report.get("ranked_pass@1")
    if ranked:
        out.append(f"ranked pass@1 over {ranked['problems']} problems: highest mean log-prob {pct(ranked['mean_logprob'])}, "
                   f"highest sum log-prob {pct(ranked['sum_logprob'])}, random {pct(ranked['random'])}")
    lenient = report.get("lenient_only")
    if lenient:
        out.append(f"passing only under the lenient rule ({report.get('config', {}).get('compare')}), not under strict: "
                   f"{lenient['samples']} of {lenient['passing_samples']} passing samples")
    if report.get("excluded"):
        out.append(f"excluded problems: {', '.join(report['excluded'])}")
    return out


def warnings(report: dict[str, Any]) -> list[str]:
    """What is not finished or not judged: said in every format, highlighted where possible."""
    counts = report["counts"]
    out = [f"{counts['pending_samples']} samples not judged yet: rerun the command to finish"] \
        if counts.get("pending_samples") else []
    dropped = report.get("k_not_reported")
    if dropped:
        out.append(f"pass@k for k = {', '.join(map(str, dropped['k']))} not reported: problem {dropped['problem']} has "
                   f"only {dropped['smallest_n']} samples (k must not exceed any problem's n)")
    return out + [f"not judged: {defect}" for defect in counts.get("unjudgeable_problems", [])]
