"""TACO (Li et al. 2023, BAAI/TACO): 26,443 problems from Codeforces, CodeChef, AtCoder, Kattis,
HackerRank, GeeksforGeeks, Codewars and others, in the APPS schema (question, solutions,
input_output, starter_code) with more fields (source, difficulty, skill_types, tags, limits).

Its rows have no id: a task's id is its row number in the split (0-based), or in the file
given with --data, unless the row carries a ``problem_id``.  Difficulty is TACO's own
(EASY .. VERY_HARD, UNKNOWN_DIFFICULTY).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from judge.datasets import Dataset, DatasetError, Selection, Task
from judge.datasets.apps import _rows_from_file, select

HUB_REPO = "BAAI/TACO"
DIFFICULTIES = ("EASY", "MEDIUM", "MEDIUM_HARD", "HARD", "VERY_HARD", "UNKNOWN_DIFFICULTY")


def _rows_from_hub(split: str) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        import datasets
        # The repository's parquet files (config ALL), not its loading script, which datasets >= 4
        # no longer runs.
        ds = datasets.load_dataset("parquet", data_files=f"hf://datasets/{HUB_REPO}/ALL/{split}-*.parquet",
                                   split="train")
    except Exception as err:  # offline, no credentials, hub down
        raise DatasetError(f"could not load TACO ({HUB_REPO}, split {split}) from the Hugging Face hub: "
                           f"{type(err).__name__}. Offline? Pass a local copy with --data PATH (JSONL/JSON/parquet)") from None
    for i, row in enumerate(ds):
        yield f"hf://{HUB_REPO}/{split}:{i}", row


def _numbered(rows: Iterator[tuple[str, dict[str, Any]]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for number, (where, row) in enumerate(rows):
        if isinstance(row, dict) and "problem_id" not in row:
            row = dict(row, problem_id=number)
        yield where, row


def load(data: str | None, selection: Selection, public_tests: str = "statement") -> list[Task]:
    if data == "bundled":
        raise DatasetError("TACO has no bundled copy: give --data PATH (a JSONL/JSON/parquet file) or omit it (the hub)")
    rows = _rows_from_hub(selection.split) if data is None else _rows_from_file(data)
    return select(_numbered(rows), selection, public_tests, lambda row: row.get("difficulty") or None)


DATASET = Dataset(
    name="taco", summary="TACO (Li et al. 2023): 26,443 contest problems in the APPS schema",
    load=load, kinds=("stdio", "call"), difficulties=DIFFICULTIES, splits=("test", "train"),
    default_template="codex-1shot", default_checker="strict",
    data_help="a BAAI/TACO JSONL/JSON/parquet file")
