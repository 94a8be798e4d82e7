"""Faults from outside: a sandbox worker killed mid-test, Ctrl-C, a full disk under the run store.
(`kill -9` of the judge itself is in tests/test_cli.py; benchmarks/kill9.py repeats it at 10 moments.)"""

import json
import os
import signal
import subprocess
import time

import psutil
import pytest

from conftest import ROOT, humaneval_samples, judge_cmd, stable

from judge.store import RunStore, progress


def sum_dataset(path):
    path.write_text(json.dumps({"problem_id": "sum", "question": "a+b", "difficulty": "introductory", "solutions": "[]",
                                "starter_code": "", "input_output": json.dumps({"inputs": ["1 2\n", "5 5\n"],
                                                                                "outputs": ["3\n", "10\n"]})}) + "\n")


def wait_for(predicate, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def judge_slow_sums(tmp_path, seconds):
    """Start judging 12 distinct a+b programs that each burn ``seconds`` of CPU per test, on 1 worker."""
    data = tmp_path / "apps.jsonl"
    sum_dataset(data)
    samples = tmp_path / "s.jsonl"
    burn = f"import time\nt = time.process_time()\nwhile time.process_time() - t < {seconds}:\n    pass\n"
    samples.write_text("".join(json.dumps({"task_id": "sum", "completion": burn + f"print(sum(map(int, input().split())))  # {i}"})
                               + "\n" for i in range(12)))
    return subprocess.Popen(judge_cmd("evaluate", str(samples), "--dataset", "apps", "--data", str(data), "--run",
                                      str(tmp_path / "run"), "--workers", "1", "--k", "1", "--json", str(tmp_path / "r.json")),
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def is_zygote(p):
    return "judge.sandbox.zygote" in " ".join(p.cmdline())


def first_match(processes, match):
    """The first non-false ``match(p)`` over processes, skipping those that end meanwhile."""
    for p in processes:
        try:
            found = match(p)
        except psutil.NoSuchProcess:
            continue
        if found:
            return found
    return None


def ended(p):
    try:
        return p.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def finished_report(proc, tmp_path):
    """Wait for the judge started by ``judge_slow_sums`` to finish; its report."""
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    return json.loads((tmp_path / "r.json").read_text())


def test_a_sandbox_worker_killed_mid_test_is_retried_and_counted(tmp_path):
    proc = judge_slow_sums(tmp_path, 0.3)

    def zygote_running_a_test(p):
        return is_zygote(p) and p.children() and (p, p.children()[0])
    time.sleep(2)
    zygote, test_child = wait_for(lambda: first_match(psutil.Process(proc.pid).children(recursive=True),
                                                      zygote_running_a_test))
    zygote.kill()
    report = finished_report(proc, tmp_path)
    assert report["counts"]["verdicts"] == {"AC": 12}  # the interrupted test ran again, on a new zygote
    assert report["counts"]["internal_errors"] >= 1   # and the failure is on record
    wait_for(lambda: ended(test_child), 10)


def test_a_referee_killed_mid_unit_is_replaced_and_nothing_is_lost(tmp_path):
    proc = judge_slow_sums(tmp_path, 0.1)

    def referee_judging(p):  # the driver's child whose zygote runs a test
        zygotes = [z for z in p.children() if is_zygote(z)]
        return any(z.children() for z in zygotes) and (p, zygotes)
    time.sleep(1)
    referee, zygotes = wait_for(lambda: first_match(psutil.Process(proc.pid).children(), referee_judging))
    referee.kill()
    report = finished_report(proc, tmp_path)
    # Its unreported programs were judged again by a new referee; one death is not held against any.
    assert report["counts"]["verdicts"] == {"AC": 12}
    assert report["counts"]["internal_errors"] == 0
    store = RunStore(str(tmp_path / "run"), readonly=True)
    per_program = {s.program_id: len(store.tests_of(s.program_id)) for s in store.judged_samples()}
    store.close()
    assert list(per_program.values()) == [3] * 12  # both hidden tests and the public one, for every program
    for zygote in zygotes:  # the dead referee's sandboxes end with it
        wait_for(lambda z=zygote: ended(z), 10)


def test_sigint_stops_cleanly_and_the_rerun_completes_the_same_report(tmp_path):
    samples = tmp_path / "s.jsonl"
    humaneval_samples(samples, per_task=4, tasks=164)
    common = ["evaluate", str(samples), "--dataset", "humaneval", "--k", "1,2", "--workers", "2"]
    subprocess.run(judge_cmd(*common, "--run", str(tmp_path / "full"), "--json", str(tmp_path / "full.json")),
                   check=True, capture_output=True, cwd=ROOT)
    run = tmp_path / "interrupted"
    proc = subprocess.Popen(judge_cmd(*common, "--run", str(run)), cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    # the first outcomes committed (~0.5 s in): most of the run is still ahead
    wait_for(lambda: progress(str(run))[1] >= 1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "run the same command again to resume" in " ".join(err.split())
    total, done = progress(str(run))
    assert 1 <= done < total
    assert RunStore(str(run), readonly=True).intact()
    subprocess.run(judge_cmd(*common, "--run", str(run), "--json", str(tmp_path / "resumed.json")),
                   check=True, capture_output=True, cwd=ROOT)
    assert stable(json.loads((tmp_path / "resumed.json").read_text())) == \
        stable(json.loads((tmp_path / "full.json").read_text()))


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small file system needs root")
def test_a_full_disk_gives_one_clear_error_and_no_corruption(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "judge-test", str(disk)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        samples = tmp_path / "s.jsonl"
        filler = "# " + "x" * 20000 + "\n"
        samples.write_text("".join(json.dumps({"task_id": f"HumanEval/{i % 20}", "completion": f"    return None  # {i}\n"
                                               + filler}) + "\n" for i in range(120)))
        args = ["evaluate", str(samples), "--dataset", "humaneval", "--run", str(disk / "run"), "--workers", "1", "--k", "1"]
        first = subprocess.run(judge_cmd(*args), capture_output=True, text=True, cwd=ROOT)
        assert first.returncode == 2, first.stderr[-2000:]
        errors = [line for line in first.stderr.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1 and "full" in errors[0] and "rerun the same command" in errors[0]
        assert RunStore(str(disk / "run"), readonly=True).intact()
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)
        second = subprocess.run(judge_cmd(*args, "--json", str(tmp_path / "r.json")), capture_output=True, text=True,
                                cwd=ROOT)
        assert second.returncode == 0, second.stderr[-2000:]
        assert json.loads((tmp_path / "r.json").read_text())["counts"]["samples"] == 120
    finally:
        subprocess.run(["umount", "-l", str(disk)])
