"""APPS (Hendrycks et al. 2021) in the codeparrot/apps schema.

Sources: a JSONL / JSONL.gz / JSON / parquet file, a folder in the original release layout
(``NNNN/question.txt``, ``input_output.json``, ``solutions.json``, ``metadata.json``,
``starter_code.py``), ``bundled`` (the demo problems inside the package) or the Hugging Face
hub (the raw ``train.jsonl`` / ``test.jsonl`` of codeparrot/apps; its loading script no longer
runs on datasets >= 4).
"""

from __future__ import annotations

import gzip
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from typing import Any

from judge.checkers import says_any_answer
from judge.datasets import Dataset, DatasetError, Selection, Task, Test
from judge.jsonl import read_objects
from judge.kinds import kind_of

HUB_REPO = "codeparrot/apps"
BUNDLED = "apps_demo.jsonl.gz"


def difficulty_of_test_id(problem_id: int) -> str:
    """The APPS test split is ordered: 0-2999 interview, 3000-3999 competition, 4000-4999 introductory."""
    return "interview" if problem_id < 3000 else "competition" if problem_id < 4000 else "introductory"


def _rows_from_file(path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    name = path[:-3] if path.endswith(".gz") else path
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq
        for i, row in enumerate(pq.read_table(path).to_pylist()):
            yield f"{path}:row {i}", row
    elif name.endswith(".json"):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as fh:
            try:
                data = json.load(fh)
            except ValueError as err:
                raise DatasetError(f"{path}: not valid JSON ({err})") from None
        rows = data if isinstance(data, list) else list(data.values()) if isinstance(data, dict) else None
        if rows is None:
            raise DatasetError(f"{path}: expected a JSON list of problems")
        for i, row in enumerate(rows):
            yield f"{path}:item {i}", row
    else:
        yield from read_objects(path, DatasetError, "one problem per line")


def _read_text(path: str, default: str = "") -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        return default


def _rows_from_folder(root: str) -> Iterator[tuple[str, dict[str, Any]]]:
    # The release layout: one directory per problem, possibly under train/ and test/.
    dirs = []
    for base, subdirs, files in os.walk(root):
        if "question.txt" in files:
            dirs.append(base)
            subdirs.clear()
    for path in sorted(dirs):
        meta = json.loads(_read_text(os.path.join(path, "metadata.json"), "{}") or "{}")
        name = os.path.basename(path.rstrip("/"))
        split = os.path.basename(os.path.dirname(path.rstrip("/")))
        yield path, {
            "problem_id": int(name) if name.isdigit() else name,
            "question": _read_text(os.path.join(path, "question.txt")),
            "solutions": _read_text(os.path.join(path, "solutions.json"), "[]"),
            "input_output": _read_text(os.path.join(path, "input_output.json"), ""),
            "difficulty": meta.get("difficulty"),
            "url": meta.get("url", ""),
            "starter_code": _read_text(os.path.join(path, "starter_code.py")),
            "_split": split if split in ("train", "test") else None,
        }


def _rows_from_hub(split: str) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        import datasets
        ds = datasets.load_dataset("json", data_files=f"hf://datasets/{HUB_REPO}/{split}.jsonl", split="train")
    except Exception as err:  # offline, no credentials, hub down
        raise DatasetError(
            f"could not load APPS ({HUB_REPO}, split {split}) from the Hugging Face hub: {type(err).__name__}. "
            "Offline? Pass a local copy with --data PATH (codeparrot JSONL/parquet or an APPS folder), "
            "or --data bundled for the demo problems shipped with judge.") from None
    for i, row in enumerate(ds):
        yield f"hf://{HUB_REPO}/{split}.jsonl:{i + 1}", row


def _bundled_rows() -> Iterator[tuple[str, dict[str, Any]]]:
    ref = resources.files("judge.data").joinpath(BUNDLED)
    with resources.as_file(ref) as path:
        yield from _rows_from_file(str(path))


def _public(task: Task, spec: str) -> None:
    if spec.startswith("first:"):
        count = int(spec.split(":", 1)[1])
        task.public_tests, task.public_source = task.tests[:count], spec
        return
    if spec != "statement":
        raise DatasetError(f"--public-tests must be 'statement' or 'first:N', not {spec!r}")
    task.public_tests = kind_of(task).statement_examples(task.statement)
    if task.public_tests:
        task.public_source = "statement"
    else:  # no examples in the statement (e.g. Codewars prose): fall back to the first test
        task.public_tests, task.public_source = task.tests[:1], "first:1"


def _as_text(value: Any) -> str:
    return "\n".join(map(str, value)) if isinstance(value, list) else str(value)


def _solutions(value: Any) -> list[str]:
    """A JSON list in a string (codeparrot/apps, the TACO parquet), or already a list (some JSON
    exports); nothing when empty or not valid JSON."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value else []
        except ValueError:
            return []
    return [s for s in value if isinstance(s, str)] if isinstance(value, list) else []


def row_to_task(where: str, row: dict[str, Any], difficulty: str | None, public_tests: str) -> Task:
    """A task from a row in the APPS schema (TACO's too): question, solutions and input_output
    (JSON strings), starter_code."""
    pid = row["problem_id"]
    starter = row.get("starter_code") or ""
    statement = row.get("question") or ""
    task = Task(task_id=str(pid), kind="stdio", difficulty=difficulty, statement=statement,
                starter_code=starter, solutions=_solutions(row.get("solutions")),
                multi_answer=says_any_answer(statement))
    try:
        io = row.get("input_output") or ""
        io = json.loads(io) if isinstance(io, str) else io  # already parsed in some JSON exports
        inputs, outputs = io["inputs"], io["outputs"]
        if not isinstance(inputs, list) or not isinstance(outputs, list) or len(inputs) != len(outputs):
            raise ValueError("inputs and outputs must be lists of equal length")
        if not inputs:
            raise ValueError("no tests")
    except (ValueError, KeyError, TypeError) as err:
        task.defect = f"{where}: problem {pid} has unusable input_output ({type(err).__name__}: {err})"
        return task
    if io.get("fn_name"):
        task.kind, task.fn_name = "call", str(io["fn_name"])
        task.solution_class = "class Solution" in starter
        task.tests = [Test(list(i) if isinstance(i, list) else [i], o) for i, o in zip(inputs, outputs)]
    else:
        task.tests = [Test(_as_text(i), _as_text(o)) for i, o in zip(inputs, outputs)]
    _public(task, public_tests)
    return task


def _apps_difficulty(row: dict[str, Any], split: str) -> str | None:
    pid = str(row.get("problem_id"))
    return row.get("difficulty") or (difficulty_of_test_id(int(pid)) if split == "test" and pid.isdigit() else None)


def _rows(data: str | None, split: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if data is None:
        return _rows_from_hub(split)
    if data == "bundled":
        return _bundled_rows()
    if os.path.isdir(data):
        return _rows_from_folder(data)
    if os.path.isfile(data):
        return _rows_from_file(data)
    raise DatasetError(f"{data}: no such file or folder (give an APPS JSONL/JSON/parquet file or folder, or 'bundled')")


def select(rows: Iterable[tuple[str, dict[str, Any]]], selection: Selection, public_tests: str,
           difficulty_of: Callable[[dict[str, Any]], str | None], folder: bool = False) -> list[Task]:
    """The selected tasks of rows in the APPS schema, each with a unique ``problem_id``."""
    sys.set_int_max_str_digits(0)  # APPS tests hold integers of 9000+ digits
    tasks: list[Task] = []
    seen: set[str] = set()
    for where, row in rows:
        if not isinstance(row, dict) or "problem_id" not in row:
            raise DatasetError(f"{where}: missing field 'problem_id' (the APPS schema expected)")
        split = row.pop("_split", None)
        if split and split != selection.split and folder:
            continue
        pid, difficulty = str(row["problem_id"]), difficulty_of(row)
        if not selection.wants(pid, difficulty):
            continue
        if pid in seen:
            raise DatasetError(f"{where}: problem_id {pid} appears twice; ids must be unique")
        seen.add(pid)
        tasks.append(row_to_task(where, row, difficulty, public_tests))
        if selection.limit is not None and len(tasks) >= selection.limit:
            break
    return tasks


def load(data: str | None, selection: Selection, public_tests: str = "statement") -> list[Task]:
    return select(_rows(data, selection.split), selection, public_tests,
                  lambda row: _apps_difficulty(row, selection.split), folder=data is not None and os.path.isdir(data))


DATASET = Dataset(
    name="apps", summary="APPS (Hendrycks et al. 2021): 10,000 problems, stdin/stdout and call-based",
    load=load, kinds=("stdio", "call"), difficulties=("introductory", "interview", "competition"),
    splits=("test", "train"), default_template="codex-1shot", default_checker="strict",
    bundled_split="train", bundled_checkers="checkers",
    data_help="a codeparrot/apps JSONL/JSON/parquet file, an APPS release folder, or 'bundled'")
