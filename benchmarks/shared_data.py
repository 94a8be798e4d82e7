"""Readers for the benchmark data kept beside a checkout in ../shared/data (see its SOURCES.md)."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator

SHARED = os.environ.get("JUDGE_SHARED_DATA") or os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")


def path(*parts: str) -> str:
    return os.path.normpath(os.path.join(SHARED, *parts))


def jsonl(*parts: str) -> Iterator[dict]:
    p = path(*parts)
    with (gzip.open(p, "rt", encoding="utf-8") if p.endswith(".gz") else open(p, encoding="utf-8")) as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def codegen16b_humaneval() -> list[tuple[str, list[str]]]:
    """CodeGen-Mono-16B HumanEval samples (100 per task, raw), as (task_id, completions) in task order.

    The file is sorted by task_id as text and keyed by CodeT's prompt: map it back through
    CodeT's prompt file.
    """
    by_prompt = {r["prompt"]: r["task_id"] for r in jsonl("generations/humaneval/codet/HumanEval_for_code_generation.jsonl")}
    rows = jsonl("generations/humaneval/codet/HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_code_solution.jsonl")
    out = [(by_prompt[r["prompt"]], r["samples"]) for r in rows]
    return sorted(out, key=lambda item: int(item[0].split("/")[1]))
