"""Reports in every format, run comparison, the lenient-rule and dataset audits, the temperature sweep."""

import json
import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from typer.testing import CliRunner

from judge.cli import app
from judge.compare import compare, paired_interval
from openai_server import ServerProcess
from conftest import bank_file

runner = CliRunner()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    run = str(tmp_path_factory.mktemp("reports") / "demo")
    result = runner.invoke(app, ["run", "demo", "--run", run, "--limit", "12"])
    assert result.exit_code == 0, result.output
    return run


def report_json(run, *extra):
    return json.loads(runner.invoke(app, ["report", run, "--json", "-", *extra]).output)


def test_markdown_and_html_show_the_json_numbers(demo_run, tmp_path):
    data = report_json(demo_run)
    md = runner.invoke(app, ["report", demo_run, "--format", "md"]).output
    html_path = tmp_path / "r.html"
    assert runner.invoke(app, ["report", demo_run, "--format", "html", "--out", str(html_path)]).exit_code == 0
    html = html_path.read_text()
    groups = [(d, v) for d, v in data["by_difficulty"].items()] + [("all", data)]
    for name, values in groups:
        cells = [f"{100 * values[view][key]:.2f} ({100 * values[view + '_with_timeouts'][key]:.2f})"
                 for view in ("raw", "filtered") for key in data["raw"]]
        assert "| " + name + " | " + str(values.get("problems", data["counts"]["problems"])) + " | " + \
            " | ".join(cells) + " |" in md
        assert "".join(f"<td>{c}</td>" for c in cells) in html
    for entry in data["per_problem"]:  # the per-problem table
        assert f">{entry['task_id']}<" in html
    assert f"samples {data['counts']['samples']}" in md and f"samples {data['counts']['samples']}" in html
    # failing samples carry the first failing test's input, expected and actual output
    assert "<div>input</div><pre>" in html and "<div>expected</div><pre>" in html and "<div>actual</div><pre>" in html


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium (Debian package chromium) is not installed")
def test_html_report_opens_in_headless_chromium_and_shows_its_plots(demo_run, tmp_path):
    page = tmp_path / "report.html"
    assert runner.invoke(app, ["report", demo_run, "--format", "html", "--out", str(page)]).exit_code == 0
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
             f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,1400"]
    dom = subprocess.run(flags + ["--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0 and "Uncaught" not in dom.stderr
    # every plot made it into the rendered page: pass@k panels (all + each difficulty), verdicts, survivors
    panels = 1 + len(report_json(demo_run)["by_difficulty"])
    assert dom.stdout.count("<svg") == panels + 2 and dom.stdout.count('class="series"') == 4 * panels
    shot = tmp_path / "report.png"
    subprocess.run(flags + [f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120, check=True)
    import matplotlib.image
    pixels = matplotlib.image.imread(str(shot))[..., :3]
    assert pixels.shape[:2] == (1400, 1200)
    plot_area = pixels[400:1100]  # where the plots are drawn: coloured lines and bars, not a blank page
    coloured = (np.abs(plot_area - plot_area.mean(axis=2, keepdims=True)).max(axis=2) > 0.15).mean()
    assert coloured > 0.01
    os.makedirs("test-artifacts", exist_ok=True)  # kept for people who want to look at it
    shutil.copy(shot, os.path.join("test-artifacts", "report-screenshot.png"))


def test_static_plots_are_written(demo_run, tmp_path):
    result = runner.invoke(app, ["report", demo_run, "--plots", str(tmp_path / "plots")])
    assert result.exit_code == 0, result.output
    for name in ("pass_at_k", "verdicts", "filter_survivors"):
        for ext in ("png", "svg"):
            assert (tmp_path / "plots" / f"{name}.{ext}").stat().st_size > 5000


def _synthetic(cs, n=10):
    return {"per_problem": [{"task_id": str(i), "difficulty": None, "n": n, "c": c, "timeout_only": 0,
                             "n_filtered": None, "c_filtered": None} for i, c in enumerate(cs)]}


def test_compare_intervals_on_runs_with_a_known_difference():
    rng = np.random.default_rng(1)
    base = rng.integers(0, 11, size=300)
    better = np.minimum(base + 2, 10)             # two more correct samples of 10 on every problem
    result = compare([_synthetic(base), _synthetic(better)], ks=[1])
    d = result["differences"][0]["differences"][0]
    true = float(np.mean(better - base) / 10)
    assert d["delta"] == pytest.approx(true)
    assert d["low"] < true < d["high"] and d["low"] > 0
    same = compare([_synthetic(base), _synthetic(base)], ks=[1])["differences"][0]["differences"][0]
    assert same["delta"] == same["low"] == same["high"] == 0
    # no real difference, only noise: the interval covers 0 in about 95% of independent draws
    covered = 0
    for seed in range(200):
        r = np.random.default_rng(seed)
        a, b = r.random(80), r.random(80)
        low, high = paired_interval(a, b, samples=2000, seed=seed)
        covered += low <= 0 <= high
    assert 0.88 <= covered / 200 <= 0.99


def test_compare_cli_on_real_runs(demo_run, tmp_path):
    other = str(tmp_path / "fewer")
    assert runner.invoke(app, ["run", "demo", "--run", other, "--limit", "6"]).exit_code == 0
    result = runner.invoke(app, ["compare", demo_run, other, "--k", "1,5", "--json", "-"])
    data = json.loads(result.output)
    assert data["problems"] == 6 and len(data["only_in_some"]) == 6
    # same programs on the common problems: no difference at all
    assert all(d["delta"] == 0 for d in data["differences"][0]["differences"])
    table = runner.invoke(app, ["compare", demo_run, other])
    assert table.exit_code == 0 and "95% interval" in table.output


def test_lenient_only_samples_are_counted(tmp_path):
    problem = {"problem_id": 1, "question": "Print 1 2 3.\n\n-----Example-----\nInput\n3\n\nOutput\n1 2 3\n",
               "input_output": json.dumps({"inputs": ["3\n"], "outputs": ["1 2 3\n"]}), "difficulty": "introductory",
               "solutions": "[]", "starter_code": ""}
    data = tmp_path / "apps.jsonl"
    data.write_text(json.dumps(problem) + "\n")
    samples = tmp_path / "s.jsonl"
    samples.write_text("".join(json.dumps({"task_id": 1, "completion": code}) + "\n" for code in
                               ['print("1 2 3")', 'print("3 2 1")', 'print("3 1 2")', 'print("1 2")']))
    run = str(tmp_path / "r")
    result = runner.invoke(app, ["evaluate", str(samples), "--dataset", "apps", "--data", str(data), "--run", run,
                                 "--compare", "apps-compat", "--workers", "1", "--k", "1"])
    assert result.exit_code == 0, result.output
    lenient = report_json(run)["lenient_only"]
    assert lenient["passing_samples"] == 3 and lenient["samples"] == 2
    assert {tuple(e["accepted_by"]) for e in lenient["examples"]} == {("token-sets",)}


def test_audit_lists_problems_whose_references_fail_and_exclude_drops_them(tmp_path):
    out = tmp_path / "broken.txt"
    result = runner.invoke(app, ["audit", "--dataset", "apps", "--data", "bundled", "--split", "train",
                                 "--ids", "2000-2040,2398-2406", "--run", str(tmp_path / "audit"), "--out", str(out),
                                 "--json", str(tmp_path / "audit.json")])
    assert result.exit_code == 0, result.output
    audit = json.loads((tmp_path / "audit.json").read_text())
    broken = {row["task_id"] for row in audit["broken"]}
    assert {"2404", "2406"} <= broken  # every reference crashes on these
    assert all(row["passed"] == 0 for row in audit["broken"]) and all(0 < row["passed"] for row in audit["partly"])
    ids = [line for line in out.read_text().splitlines() if not line.startswith("#")]
    assert set(ids) == broken
    # the list excludes them from a report, and from judging
    report = report_json(str(tmp_path / "audit"), "--exclude", str(out))
    assert not broken & {e["task_id"] for e in report["per_problem"]}
    assert report["excluded"] == sorted(broken)


def test_temperature_sweep_reports_the_best_temperature_per_k(tmp_path, apps_tasks):  # noqa: F811
    ids = ",".join(t.task_id for t in apps_tasks[:3])
    with ServerProcess(bank_file(tmp_path, apps_tasks[:3], "codex-1shot"), "--temperature-weights") as server:
        preset = tmp_path / "sweep.toml"
        preset.write_text(f'[dataset]\nname = "apps"\ndata = "bundled"\nsplit = "train"\nids = "{ids}"\n'
                          f'[sampling]\nbackend = "openai"\nbase_url = "{server.url}"\nmodel = "test-model"\nn = 20\n'
                          f'max_per_request = 20\n[judge]\nworkers = 1\n[report]\nk = [1, 5]\n')
        result = runner.invoke(app, ["sweep", str(preset), "--temperatures", "0.2,1.0", "--run", str(tmp_path / "s"),
                                     "--json", str(tmp_path / "sweep.json"), "--plot", str(tmp_path / "sweep")])
    assert result.exit_code == 0, result.output
    sweep = json.loads((tmp_path / "sweep.json").read_text())
    rows = {r["temperature"]: r["raw"] for r in sweep["rows"]}
    for key in ("pass@1", "pass@5"):
        assert sweep["best"][key] == max(rows, key=lambda t: (rows[t][key], -t))
    assert rows[0.2]["pass@1"] > rows[1.0]["pass@1"]  # likely answers dominate at low temperature
    assert (tmp_path / "sweep.png").stat().st_size > 5000
    assert re.search(r"best temperature: pass@1 at T=0\.2", " ".join(result.output.split()))


def test_the_terminal_table_never_cuts_numbers_at_80_columns():
    import io

    from rich.console import Console

    from judge.render.table import render
    views = {"pass@1": 0.45123, "pass@10": 0.62345, "pass@100": 0.81234}
    group = {v: dict(views) for v in ("raw", "filtered", "raw_with_timeouts", "filtered_with_timeouts")}
    report = dict(group, by_difficulty={"introductory": dict(group, problems=12), "competition": dict(group, problems=3)},
                  counts={"problems": 15, "samples": 1500, "unique_programs": 1400, "tests_run": 9000,
                          "timeout_only_samples": 3, "all_timeout_samples": 1, "filtered_survivors": 700,
                          "verdicts": {"AC": 700, "WA": 800}}, config={"timeout_only": "some"})
    out = io.StringIO()
    render(report, Console(file=out, width=80), title="apps · runs/a-long-run-directory-name")
    text = out.getvalue()
    assert "…" not in text and "introductory" in text and "45.12 (45.12)" in text and "81.23 (81.23)" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_a_sweep_over_imported_generations_is_refused(tmp_path):
    preset = tmp_path / "p.toml"
    preset.write_text('[dataset]\nname = "humaneval"\n[sampling]\nbackend = "file"\nn = 1\npath = "x.jsonl"\n')
    result = runner.invoke(app, ["sweep", str(preset), "--temperatures", "0.2,0.8", "--run", str(tmp_path / "s")])
    assert result.exit_code == 2 and "a sweep needs a model to sample from" in result.output
    assert not list(tmp_path.glob("s-T*"))
