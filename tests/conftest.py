import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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
