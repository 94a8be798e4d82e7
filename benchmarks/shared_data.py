"""Readers for the benchmark data kept beside a checkout in ../shared/data (see its SOURCES.md)."""

from __future__ import annotations

import ast
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


def apps_problems() -> dict[int, dict]:
    """The APPS train problems with tests here: the 153 with full tests and the 49 stdin problems
    rebuilt from MapCoder's test lists (the 153's rows win where both have a problem)."""
    problems = {r["problem_id"]: r for r in jsonl("apps/apps_train_mapcoder_recon_49.jsonl.gz")}
    problems.update({r["problem_id"]: r for r in jsonl("apps/apps_train_153.jsonl.gz")})
    return problems


def apps_generations(problems: dict[int, dict], skip: frozenset[int] | set[int] = frozenset()) -> list[dict]:
    """Real model programs for those problems, as samples: CodeRL's samples for 5 problems (both
    kinds, all difficulties), and the final program of each GPT-4-Turbo / ChatGPT prompting
    method published with MapCoder, for its stdin problems (MapCoder ran every problem as
    stdin/stdout); ``skip``: problem ids left out."""
    samples = []
    for pid in ("0001", "0111", "2287", "2404", "4184"):
        with open(path("generations/apps/coderl_train5", pid, "gen_solutions.json")) as fh:
            for item in json.load(fh):
                samples.append({"task_id": int(pid), "completion": item["code"], "source": "CodeRL"})
    for model in ("ChatGPT", "GPT4"):
        folder = path("generations/apps/mapcoder", model)
        for name in sorted(os.listdir(folder)):
            seen = set()
            for row in jsonl(folder, name):
                pid = int(row["id"])
                io = json.loads(problems[pid]["input_output"]) if pid in problems else None
                if io is None or io.get("fn_name") or pid in seen or pid in skip:
                    continue
                seen.add(pid)
                codes = row.get("source_codes")
                codes = json.loads(codes) if isinstance(codes, str) and codes.startswith("[\"") else codes
                if isinstance(codes, str):
                    codes = ast.literal_eval(codes)
                samples.append({"task_id": pid, "completion": codes[-1], "source": f"MapCoder/{name.split('-APPS')[0]}"})
    return samples
