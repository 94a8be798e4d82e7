"""HumanEval (Chen et al. 2021): 164 function-completion tasks.

A task's program is ``prompt + completion``; its test code (``check(candidate)``) is trusted
dataset content and runs in the referee, calling into the sandboxed program.
"""

from __future__ import annotations

from importlib import resources

from judge.datasets import Dataset, DatasetError, Selection, Task
from judge.jsonl import read_objects

BUNDLED = "HumanEval.jsonl.gz"
HUB_REPO = "openai/openai_humaneval"
FIELDS = ("task_id", "prompt", "test", "entry_point")


def _from_rows(rows, selection: Selection) -> list[Task]:
    tasks = []
    for where, row in rows:
        missing = [f for f in FIELDS if not isinstance(row.get(f), str)]
        if missing:
            raise DatasetError(f"{where}: missing field(s) {', '.join(missing)} (HumanEval schema expected)")
        if not selection.wants(row["task_id"], None):
            continue
        tasks.append(Task(task_id=row["task_id"], kind="humaneval", prompt=row["prompt"], test_code=row["test"],
                          entry_point=row["entry_point"], solutions=[row.get("canonical_solution") or ""],
                          statement=row["prompt"]))
        if selection.limit is not None and len(tasks) >= selection.limit:
            break
    return tasks


def load(data: str | None, selection: Selection, public_tests: str = "statement") -> list[Task]:
    # public_tests: HumanEval has no examples apart from its test (no filtered pass@k).
    if data is None or data == "bundled":
        # HumanEval is small and fixed: the bundled copy is the dataset (byte-identical to the release).
        with resources.as_file(resources.files("judge.data").joinpath(BUNDLED)) as path:
            return _from_rows(read_objects(str(path), DatasetError, "one task per line"), selection)
    if data == "hub":
        try:
            import datasets
            ds = datasets.load_dataset(HUB_REPO, split="test")
        except Exception as err:
            raise DatasetError(f"could not load {HUB_REPO} from the Hugging Face hub ({type(err).__name__}); "
                               "the bundled copy is used when --data is omitted") from None
        return _from_rows(((f"hf://{HUB_REPO}:{i + 1}", row) for i, row in enumerate(ds)), selection)
    return _from_rows(read_objects(data, DatasetError, "one task per line"), selection)


DATASET = Dataset(
    name="humaneval", summary="HumanEval (Chen et al. 2021): 164 function completions, checked by test code",
    load=load, kinds=("humaneval",), default_template="humaneval", default_checker="strict",
    data_help="a HumanEval JSONL(.gz) file, 'bundled' (the default: the release, byte for byte) or 'hub'")
