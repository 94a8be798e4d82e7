"""Verdicts do not depend on what is installed beside the judge.

The CodeGen-Mono-16B HumanEval samples that import third-party packages (pandas, torch,
matplotlib, scipy, requests, sklearn, django, ...) are judged twice: in the judge's
environment as it is, and with those packages installed beside the judge (importable by the
judge's own interpreter).  The packages installed here are small stand-ins that import
without error and define what a sample's first use needs to fail differently: were they
visible to programs, a sample's verdict or detail would change (ModuleNotFoundError becomes
something else).  Every per-test verdict and detail must be identical.
"""

import json
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, SHARED

sys.path.insert(0, ROOT)
from benchmarks.shared_data import codegen16b_humaneval  # noqa: E402
from judge.samples import CODEX_STOPS, truncate  # noqa: E402

EXTRA = ("pandas", "torch", "matplotlib", "scipy", "requests", "sklearn", "django", "tensorflow", "keras", "cv2")
IMPORTS = re.compile(r"^\s*(?:import|from)\s+(%s)\b" % "|".join(EXTRA), re.M)


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    if not os.path.isdir(os.path.join(SHARED, "generations", "humaneval", "codet")):
        pytest.fail(f"CodeGen HumanEval samples not found under {SHARED} (set JUDGE_SHARED_DATA)")
    rows = []
    for task_id, completions in codegen16b_humaneval():
        for index, raw in enumerate(completions):
            code = truncate(raw, CODEX_STOPS)
            if index == 0 or IMPORTS.search(code):
                rows.append({"task_id": task_id, "sample_id": index, "completion": code})
    path = tmp_path_factory.mktemp("samples") / "codegen.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path, rows


def _install_stand_ins(folder):
    for name in EXTRA:
        package = folder / name
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(f"__version__ = '99.0'\nname = {name!r}\n")
        info = folder / f"{name}-99.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 99.0\n")
        (info / "RECORD").write_text(f"{name}/__init__.py,,\n")


def _verdicts(tmp_path, samples, run, env):
    out = tmp_path / f"{run}.jsonl"
    subprocess.run([sys.executable, "-m", "judge", "evaluate", str(samples), "--dataset", "humaneval",
                    "--run", str(tmp_path / run), "--k", "1"], check=True, capture_output=True, env=env, cwd=tmp_path)
    subprocess.run([sys.executable, "-m", "judge", "export", str(tmp_path / run), "--out", str(out)],
                   check=True, capture_output=True, env=env, cwd=tmp_path)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    return {(r["task_id"], r["sample_index"]): [(t["verdict"], t["detail"]) for t in r["tests"]] for r in rows}


def test_codegen_verdicts_are_identical_with_packages_installed_beside_the_judge(tmp_path, samples):
    path, rows = samples
    importing = [r for r in rows if IMPORTS.search(r["completion"])]
    assert len(importing) >= 100  # 161 of the 16,400 import one of these before truncation
    plain = _verdicts(tmp_path, path, "plain", dict(os.environ))

    extra = tmp_path / "site"
    _install_stand_ins(extra)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(extra), os.environ.get("PYTHONPATH")])))
    probe = subprocess.run([sys.executable, "-c", "import pandas, torch, matplotlib; print(torch.__version__)"],
                           env=env, capture_output=True, text=True)
    assert probe.stdout.strip() == "99.0", probe.stderr  # the judge's interpreter does see them
    with_extra = _verdicts(tmp_path, path, "extra", env)

    assert len(plain) == len(rows)
    differing = {k: (plain[k], with_extra.get(k)) for k in plain if plain[k] != with_extra.get(k)}
    assert differing == {}
    # the importing samples fail as programs without those packages do
    details = {d for r in importing for v, d in plain[(r["task_id"], r["sample_id"])]}
    assert "ModuleNotFoundError" in details
