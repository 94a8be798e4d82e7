"""The hostile-program corpus, judged the way users judge: `judge evaluate` in a subprocess, 2 workers,
hostile samples interleaved with correct ones.  Afterwards: every verdict is one that means the
attempt failed, correct samples still pass, and nothing happened outside the sandbox (no file,
no connection, no surviving process, no secret printed).
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time

import psutil
import pytest

from judge.sandbox.client import COMPILER_UID_OFFSET

from corpus import CORPUS, CORRECT, SUM

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The folder the judge package is imported from: this checkout, or site-packages (wheel install).
PACKAGE_ROOT = subprocess.run([sys.executable, "-c", "import judge, os; print(os.path.dirname(os.path.dirname("
                               "os.path.abspath(judge.__file__))))"], capture_output=True, text=True, cwd="/",
                              check=True).stdout.strip()
IPC_KEYS = ("0x4a554447", "0x4a554448", "0x4a554449", "0x4a55444a")
STORE_BOUND = 8 << 20  # bytes: the run store of the whole corpus (a 15 MiB exception name alone would exceed it)
GOOD_SUM = [SUM + f"# correct {i}\n" for i in range(12)]
GOOD_HUMANEVAL = ["    for i, a in enumerate(numbers):\n        for j, b in enumerate(numbers):\n"
                  f"            if i != j and abs(a - b) < threshold:\n                return True\n    return False  # {i}\n"
                  for i in range(4)]


class Listener:
    """TCP and UDP on one loopback port, counting whatever reaches them."""

    def __init__(self) -> None:
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        self.udp.settimeout(0.2)
        self.tcp.settimeout(0.2)
        self.hits = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop:
            for sock in (self.tcp, self.udp):
                try:
                    if sock is self.tcp:
                        conn, _ = sock.accept()
                        conn.close()
                    else:
                        sock.recv(100)
                    self.hits += 1
                except OSError:
                    pass

    def close(self) -> None:
        self.stop = True
        self.thread.join()
        self.tcp.close()
        self.udp.close()


def _fill(source: str, values: dict[str, str]) -> str:
    return source.format(**values)


def _ipcs() -> str:
    try:
        return subprocess.run(["ipcs"], capture_output=True, text=True).stdout
    except OSError:
        return ""


def _run_judge(args, env):
    # Not from the checkout's folder: `python -m` would import the checkout's copy even when the
    # judge under test is a wheel install.
    proc = subprocess.Popen([sys.executable, "-m", "judge", "evaluate", *args], cwd=os.path.dirname(args[0]), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base_uid = 2_000_000 + (proc.pid % 100_000) * 64
    out, err = proc.communicate(timeout=900)
    return proc.returncode, out, err, base_uid


def _export(run):
    done = subprocess.run([sys.executable, "-m", "judge", "export", run], cwd=run, capture_output=True, text=True,
                          env=dict(os.environ, **_pythonpath()), check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]


def _pythonpath() -> dict[str, str]:
    # A checkout imports itself (as the tests do); a wheel install is found without help.
    return {"PYTHONPATH": ROOT} if PACKAGE_ROOT == ROOT else {}


def _earlier_run(folder) -> None:
    """A sibling runs/ folder with an earlier run whose store holds a passing program."""
    import sqlite3
    (folder / "old").mkdir(parents=True)
    db = sqlite3.connect(folder / "old" / "run.sqlite")
    db.execute("CREATE TABLE programs (task_id TEXT, source TEXT)")
    db.execute("INSERT INTO programs VALUES ('sum', ?)", (SUM,))
    db.commit()
    db.close()


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    work = tmp_path_factory.mktemp("adversarial")
    mark = f"judge-escape-{secrets.token_hex(6)}"
    secret = secrets.token_hex(16)
    listener = Listener()
    data = work / "apps.jsonl"
    _earlier_run(work / "runs")
    problems = [("sum", ["1 2\n", "10 20\n"], ["3\n", "30\n"], None), ("secret", ["x\n"], [secret + "\n"], None),
                ("float", ["1 3\n"], ["0.333333333\n"], None), ("add", [[1, 2], [20, 22]], [[3], [42]], "add"),
                ("big", [[]], [[10 ** 400]], "big")]
    data.write_text("".join(json.dumps({
        "problem_id": pid, "question": "hostile corpus problem", "difficulty": "introductory", "solutions": "[]",
        "starter_code": "", "input_output": json.dumps(dict({"inputs": ins, "outputs": outs},
                                                            **({"fn_name": fn} if fn else {})))}) + "\n"
        for pid, ins, outs, fn in problems))
    values = {"MARK": mark, "PORT": str(listener.port), "RUN": str(work / "apps-run"), "DATA": str(data),
              "SECRET": secret, "ROOT": PACKAGE_ROOT, "RUNS": str(work / "runs"), "MARKHEX": secrets.token_hex(16)}
    apps_rows, humaneval_rows = [], []
    good = iter(GOOD_SUM)
    for _, task, source, verdicts in CORPUS:
        rows = humaneval_rows if task.startswith("HumanEval") else apps_rows
        rows.append({"task_id": task, "completion": _fill(source, values)})
        if verdicts == {"AC"}:  # a correct entry (a marked one is followed by its scanner at once)
            continue
        if task == "sum" and len(apps_rows) % 7 == 0:  # correct programs between the hostile ones
            rows.append({"task_id": "sum", "completion": next(good, GOOD_SUM[0])})
        elif task in CORRECT and task != "sum":  # and after each hostile one of the other tasks
            rows.append({"task_id": task, "completion": CORRECT[task] + f"# correct {len(rows)}\n"})
    apps_rows += [{"task_id": "sum", "completion": code} for code in good]
    humaneval_rows = ([{"task_id": "HumanEval/0", "completion": GOOD_HUMANEVAL[0]}] + humaneval_rows
                      + [{"task_id": "HumanEval/0", "completion": c} for c in GOOD_HUMANEVAL[1:]])
    names = {}  # (task, sample number) -> corpus entry
    for rows in (apps_rows, humaneval_rows):
        seen = {}
        for row in rows:
            index = seen.get(row["task_id"], 0)
            seen[row["task_id"]] = index + 1
            match = [n for n, t, s, v in CORPUS if t == row["task_id"] and _fill(s, values) == row["completion"]
                     and v != {"AC"}]
            names[(row["task_id"], index)] = match[0] if match else "correct"
    (work / "apps.samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in apps_rows))
    (work / "he.samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in humaneval_rows))
    env = dict(os.environ, JUDGE_TEST_SECRET=secret, **_pythonpath())
    ipcs_before = _ipcs()
    before = time.time()
    results = {}
    for label, args in (("apps", [str(work / "apps.samples.jsonl"), "--dataset", "apps", "--data", str(data),
                                  "--run", str(work / "apps-run")]),
                        ("humaneval", [str(work / "he.samples.jsonl"), "--dataset", "humaneval", "--ids",
                                       "HumanEval/0", "--run", str(work / "he-run")])):
        code, out, err, base_uid = _run_judge(args + ["--workers", "2", "--timeout", "1", "--memory", "256",
                                                      "--k", "1"], env)
        results[label] = {"code": code, "out": out, "err": err, "base_uid": base_uid,
                          "samples": _export(str(work / f"{'apps' if label == 'apps' else 'he'}-run"))}
    time.sleep(1)
    listener.close()
    return {"work": work, "mark": mark, "secret": secret, "names": names, "results": results,
            "hits": listener.hits, "started": before, "ipcs": (ipcs_before, _ipcs())}


def test_the_corpus_is_large_and_covers_humaneval():
    assert len(CORPUS) >= 130
    assert sum(1 for entry in CORPUS if entry[1].startswith("HumanEval")) >= 8


def test_every_hostile_program_fails_with_an_expected_verdict(judged):
    expected = {name: verdicts for name, _, _, verdicts in CORPUS}
    wrong = []
    for result in judged["results"].values():
        assert result["code"] == 0, result["err"][-2000:]  # the judge survived all of it
        for sample in result["samples"]:
            name = judged["names"][(sample["task_id"], sample["sample_index"])]
            if name == "correct":
                assert sample["verdict"] == "AC", sample  # other samples' verdicts unaffected
            elif sample["verdict"] not in expected[name]:
                wrong.append((name, sample["verdict"], [t["detail"] for t in sample["tests"]]))
    assert not wrong


def test_no_side_effects_outside_the_sandbox(judged):
    mark = judged["mark"]
    places = ["/tmp", os.path.expanduser("~"), "/dev/shm", "/dev/mqueue", ROOT, PACKAGE_ROOT, str(judged["work"]),
              str(judged["work"] / "apps-run"), str(judged["work"] / "runs"), os.path.dirname(ROOT)]
    leftovers = [os.path.join(p, f) for p in places if os.path.isdir(p) for f in os.listdir(p) if mark in f]
    assert not leftovers
    before, after = judged["ipcs"]  # no SysV segment, semaphore or queue left behind
    assert [k for k in IPC_KEYS if k in after and k not in before] == []
    assert judged["hits"] == 0  # no connection or datagram reached the loopback listener
    survivors = []
    for proc in psutil.process_iter(["pid", "cmdline", "uids", "create_time"]):
        info = proc.info
        if info["create_time"] and info["create_time"] >= judged["started"] - 1:
            cmdline = " ".join(info["cmdline"] or [])
            uid = info["uids"].real if info["uids"] else -1
            bases = [r["base_uid"] for r in judged["results"].values()]
            # programs run as the workers' uids, their compilers as those plus COMPILER_UID_OFFSET
            if "7777.5" in cmdline or mark in cmdline or any(b <= uid % COMPILER_UID_OFFSET < b + 64 for b in bases):
                survivors.append((info["pid"], cmdline, uid))
    assert not survivors


def test_hostile_samples_grow_the_store_by_a_bounded_amount(judged):
    """Stored strings are truncated: the whole corpus's run store stays small, 15 MiB exception
    names and 16 MiB outputs included."""
    assert os.path.getsize(judged["work"] / "apps-run" / "run.sqlite") < STORE_BOUND
    for sample in judged["results"]["apps"]["samples"]:
        for test in sample["tests"]:
            assert len(test["detail"]) <= 201 and len(test["output"] or "") <= 301


def test_the_secret_expected_output_never_comes_out(judged):
    secret = judged["secret"]
    for sample in judged["results"]["apps"]["samples"]:
        if sample["task_id"] == "secret":
            assert sample["verdict"] != "AC"
            assert all(secret not in (t["output"] or "") for t in sample["tests"])
