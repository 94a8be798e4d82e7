import gzip
import json
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "judge", "data")
SHARED = os.environ.get("JUDGE_SHARED_DATA") or os.path.join(ROOT, "..", "shared", "data")
sys.path.insert(0, ROOT)


def shared(*parts: str) -> str:
    path = os.path.join(SHARED, *parts)
    if not os.path.exists(path):
        pytest.skip(f"benchmark data not found at {path} (set JUDGE_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def zygote(tmp_path_factory):
    from judge.sandbox.client import Limits, SandboxOptions, ZygoteClient
    uid = 2_100_000 if os.geteuid() == 0 else None
    client = ZygoteClient(0, SandboxOptions(str(tmp_path_factory.mktemp("sandbox")), uid=uid,
                                            hidden=[os.path.join(ROOT, "tests"), SHARED]), Limits())
    yield client
    client.close()


@pytest.fixture(scope="session")
def judge_factory(tmp_path_factory):
    """Build a Judge (referee logic + zygotes) for a comparison rule and limits."""
    from judge.checkers import get_rule
    from judge.execution.judging import Judge, ZygotePair
    from judge.sandbox.client import Limits, SandboxOptions
    pairs = []

    def make(rule: str = "strict", limits: Limits | None = None) -> Judge:
        uid = 2_100_010 + len(pairs) if os.geteuid() == 0 else None
        pair = ZygotePair(len(pairs) + 1, SandboxOptions(str(tmp_path_factory.mktemp("sandbox")), uid=uid), limits or Limits())
        pairs.append(pair)
        return Judge(pair, get_rule(rule))

    yield make
    for pair in pairs:
        pair.close()


# -- shared by several test modules ---------------------------------------------------------
def humaneval_samples(path, per_task=3, tasks=60):
    rows = [json.loads(line) for line in gzip.open(os.path.join(DATA, "demo_samples_humaneval.jsonl.gz"), "rt")]
    keep, seen = [], {}
    for row in rows:
        n = int(row["task_id"].split("/")[1])
        if n < tasks and seen.get(n, 0) < per_task:
            seen[n] = seen.get(n, 0) + 1
            keep.append(row)
    path.write_text("".join(json.dumps(r) + "\n" for r in keep))
    return keep


def judge_cmd(*args):
    return [sys.executable, "-m", "judge", *args]


def stable(report):
    return {k: v for k, v in report.items() if k not in ("provenance",)}


@pytest.fixture(scope="module")
def apps_tasks():
    from judge.datasets import Selection, load_tasks
    tasks = load_tasks("apps", "bundled", Selection(split="train"))
    # stdin problems whose first reference holds no stop sequence of the templates
    return [t for t in tasks if t.kind == "stdio" and t.solutions and "open(" not in t.solutions[0]
            and not any(stop in t.solutions[0] for stop in ('"""', "'''", "\n\n\n\n"))][:4]


def answers(tasks, style):
    """Per task: its reference program (likely, mean log-prob -0.2) and two wrong ones (less likely)."""
    by_id = {t.task_id: t for t in tasks}

    def wrap(code: str) -> str:
        if style == "chat":
            return f"Here is a solution.\n```python\n{code}```\nIt reads the input and prints the answer."
        return code + '\n"""\nQUESTION: the model goes on with another problem'

    def for_task(task_id):
        return [{"text": wrap(by_id[task_id].solutions[0]), "logprob": -0.2},
                {"text": wrap("print(0)\n"), "logprob": -0.9},
                {"text": wrap("import sys\nprint(sys.stdin.read()[::-1])\n"), "logprob": -1.5}]
    return for_task


def bank_file(tmp_path, tasks, template_name):
    from judge import prompting
    from openai_server import build_bank
    template = prompting.load(template_name)
    bank = build_bank([template.render(t) for t in tasks], answers(tasks, template.style))
    path = tmp_path / f"bank-{template_name}.json"
    path.write_text(json.dumps(bank))
    return str(path)


def dataset_args(tasks):
    return ["--dataset", "apps", "--data", "bundled", "--split", "train", "--ids", ",".join(t.task_id for t in tasks)]
