"""``judge sweep``: one preset at several temperatures; the best temperature for each k.

The Codex paper (Fig. 5) found the best temperature grows with k: low for pass@1, high for
pass@100, because diversity pays only when many samples may be submitted.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console

from judge import pipeline, runconfig
from judge.errors import JudgeError


class SweepError(JudgeError, ValueError):
    """A sweep that cannot run as asked."""


def parse_temperatures(spec: str) -> list[float]:
    try:
        return [float(t) for t in spec.split(",") if t.strip()]
    except ValueError:
        raise SweepError(f"--temperatures must be comma-separated numbers, not {spec!r}") from None


def sweep(config: str, temperatures: list[float], run: str | None, overrides: dict[str, dict[str, Any]],
          console: Console | None = None) -> dict[str, Any]:
    if not temperatures:
        raise SweepError("give at least one temperature")
    rows, problems = [], 0
    first = runconfig.load(config, None, overrides)
    if first.sampling.backend == "file":
        raise SweepError(f"{config}: a sweep needs a model to sample from; with [sampling] backend = \"file\" every "
                         "temperature imports the same programs")
    base_dir = run or first.evaluate.run_dir
    for temperature in temperatures:
        options = {section: dict(values) for section, values in overrides.items()}
        options.setdefault("sampling", {})["temperature"] = temperature
        run_dir = f"{base_dir}-T{temperature:g}"
        result = pipeline.run(runconfig.load(config, run_dir, options), console)
        if result.errors:
            raise SweepError(f"sampling at T={temperature:g} stopped early: {result.errors[0]}")
        report = result.report
        problems = report["counts"]["problems"]
        rows.append({"temperature": temperature, "run": run_dir, "raw": report["raw"],
                     "filtered": report.get("filtered", {})})
    keys = [key for key in rows[0]["raw"] if all(key in r["raw"] for r in rows)]
    best = {key: max(rows, key=lambda r: (r["raw"][key], -r["temperature"]))["temperature"] for key in keys}
    return {"problems": problems, "k": keys, "rows": rows, "best": best}
