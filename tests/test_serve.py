"""`judge serve` driven by a real HTTP client (requests), as users and RL reward workers do."""

import json
import signal
import subprocess
import sys
import threading
import time

import psutil
import pytest
import requests

TOKEN = "s3cret-token"
ADD = "a, b = map(int, input().split())\nprint(a + b)\n"


def start(tmp_path, *options):
    token = tmp_path / "token"
    token.write_text(TOKEN + "\n")
    proc = subprocess.Popen([sys.executable, "-m", "judge", "serve", "--port", "0", "--token-file", str(token), *options],
                            stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    assert line.startswith("serving on http://127.0.0.1:"), line + proc.stderr.read()
    url = line.split()[2]
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    return proc, url


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc, url = start(tmp_path_factory.mktemp("serve"), "--workers", "2", "--dataset", "apps", "--data", "bundled",
                      "--ids", "4184,2400", "--max-body", "1")
    yield proc, url
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def post(url, body, path="/v1/judge", token=TOKEN, **kw):
    return requests.post(url + path, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=120, **kw)


def stdio(tests):
    return {"kind": "stdio", "tests": [{"input": i, "output": o} for i, o in tests]}


def test_inline_and_dataset_tasks(server):
    _, url = server
    task = stdio([("1 2\n", "3\n"), ("2 2\n", "4\n")])
    from judge.datasets import Selection, load_tasks
    (ref,) = load_tasks("apps", "bundled", Selection(ids=("2400",)))
    reply = post(url, {"items": [{"program": ADD, "task": task}, {"program": "print(3)", "task": task},
                                 {"program": "import os\nos.fork()", "task": task},
                                 {"program": ref.solutions[0], "task_id": "2400"},
                                 {"program": "def is_prime(n):\n    return n > 1\n", "task_id": 4184}]})
    assert reply.status_code == 200, reply.text
    results = reply.json()["results"]
    assert [r["status"] for r in results] == ["judged"] * 5
    assert [r["verdict"] for r in results] == ["AC", "WA", "SV", "AC", "WA"]
    assert results[3]["tests"][0]["accepted_by"] == "python:2400.py"  # the bundled checker came along
    assert results[1]["tests"][-1]["output"] == "3\n"


def test_bad_requests_get_one_clear_json_error(server):
    _, url = server
    good = {"items": [{"program": "print(1)", "task": stdio([("", "1\n")])}]}
    cases = [
        (post(url, good, token="wrong"), 401, "bearer token"),
        (requests.get(url + "/v1/health", timeout=10), 401, "bearer token"),
        (requests.post(url + "/v1/judge", data=b"{not json", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10),
         400, "not valid JSON"),
        (post(url, {"items": [{"program": "print(1)", "task_id": "99999"}]}), 404, "unknown task_id"),
        (post(url, {"items": [{"program": "print(1)", "task": {"kind": "stdio", "tests": []}}]}), 400, "bad task"),
        (post(url, {"items": []}), 400, "items"),
        (post(url, {"items": [{"program": "x" * (2 << 20), "task": stdio([("", "")])}]}), 413, "limit is"),
        (post(url, good, path="/v2/nothing"), 404, "no such endpoint"),
    ]
    for reply, status, message in cases:
        assert reply.status_code == status and message in reply.json()["error"], (status, reply.status_code, reply.text)
    health = requests.get(url + "/v1/health", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).json()
    assert health["status"] == "ok" and health["workers"] == 2


def test_many_clients_at_once(server):
    _, url = server
    failures = []

    def client(n):
        for k in range(4):
            a, b = n, k * 7
            body = {"items": [{"program": ADD, "task": stdio([(f"{a} {b}\n", f"{a + b}\n")])},
                              {"program": "print(-1)", "task": stdio([(f"{a} {b}\n", f"{a + b}\n")])}]}
            reply = post(url, body)
            verdicts = [r["verdict"] for r in reply.json()["results"]] if reply.ok else reply.text
            if verdicts != ["AC", "WA"]:
                failures.append((n, k, verdicts))
    threads = [threading.Thread(target=client, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


def test_request_ids_are_idempotent_and_identical_programs_are_judged_once(server):
    _, url = server
    body = {"request_id": "abc-1", "items": [{"program": "import time\nt = time.process_time()\n"
                                                         "while time.process_time() - t < 0.3:\n    pass\nprint(5)",
                                              "task": stdio([("", "5\n")])}]}
    def judged():
        return requests.get(url + "/v1/health", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).json()["judged"]
    first = post(url, body).json()
    count = judged()
    again = post(url, body).json()
    assert again == first and first["request_id"] == "abc-1" and judged() == count  # answered, not judged again
    other = post(url, dict(body, request_id="abc-2")).json()  # another request, the same program: from the cache
    assert other["results"] == first["results"] and judged() == count


def test_streaming_gives_results_as_they_finish(server):
    _, url = server
    slow = "import time\nt = time.process_time()\nwhile time.process_time() - t < 1.0:\n    pass\nprint(1)"
    body = {"items": [{"program": slow, "task": stdio([("", "1\n")])}, {"program": "print(2)", "task": stdio([("", "2\n")])}]}
    with post(url, body, path="/v1/judge/stream", stream=True) as reply:
        assert reply.status_code == 200
        lines = [json.loads(line) for line in reply.iter_lines() if line]
    assert lines[-1]["done"] is True
    assert [line["index"] for line in lines[:-1]] == [1, 0]  # the fast one first
    assert all(line["verdict"] == "AC" for line in lines[:-1])


def test_a_full_queue_answers_429(tmp_path):
    proc, url = start(tmp_path, "--workers", "1", "--max-queue", "2")
    try:
        body = {"items": [{"program": f"print({i})", "task": stdio([("", f"{i}\n")])} for i in range(3)]}
        reply = post(url, body)
        assert reply.status_code == 429 and int(reply.headers["Retry-After"]) >= 1 and "queue is full" in reply.json()["error"]
        assert post(url, dict(body, items=body["items"][:2])).status_code == 200
        # a request id whose first try was refused is judged when it comes again
        fresh = [{"program": f"print({i})", "task": stdio([("", f"{i}\n")])} for i in range(10, 13)]  # not cached
        assert post(url, {"request_id": "r1", "items": fresh}).status_code == 429
        again = post(url, {"request_id": "r1", "items": fresh[:1]})
        assert again.status_code == 200 and again.json()["results"][0]["verdict"] == "AC"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_a_worker_killed_mid_request_never_gives_a_wrong_verdict(tmp_path):
    proc, url = start(tmp_path, "--workers", "2")
    try:
        busy = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.5:\n    pass\nprint(int(input()) * 2)"
        body = {"items": [{"program": busy + f"\n# {i}", "task": stdio([(f"{i}\n", f"{2 * i}\n")])} for i in range(6)]}
        answer = {}
        request = threading.Thread(target=lambda: answer.update(reply=post(url, body)))
        request.start()
        time.sleep(1.0)
        # the server's children are its referees (and, when they were spawned, multiprocessing's resource tracker)
        referees = [p for p in psutil.Process(proc.pid).children() if "resource_tracker" not in " ".join(p.cmdline())]
        assert referees
        referees[0].kill()
        request.join(timeout=120)
        results = answer["reply"].json()["results"]
        assert all(r["status"] == "infrastructure_error" or r["verdict"] == "AC" for r in results), results
        assert sum(r["status"] == "judged" for r in results) >= 5
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def test_shutdown_finishes_the_requests_in_flight(tmp_path):
    proc, url = start(tmp_path, "--workers", "1")
    slow = "import time\nt = time.process_time()\nwhile time.process_time() - t < 1.5:\n    pass\nprint(7)"
    answer = {}
    request = threading.Thread(target=lambda: answer.update(reply=post(url, {"items": [{"program": slow, "task": stdio([("", "7\n")])}]})))
    request.start()
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    request.join(timeout=60)
    assert answer["reply"].status_code == 200 and answer["reply"].json()["results"][0]["verdict"] == "AC"
    assert proc.wait(timeout=30) in (0, 143)
    assert not psutil.pid_exists(proc.pid)
