"""``judge serve``: the judge as an HTTP JSON service for many clients (reward workers of an RL
run, notebooks, other machines).

Endpoints (every one needs ``Authorization: Bearer <token>``):
- ``POST /v1/judge``: ``{"items": [{"program": ..., "task": {...}} or {"program": ..., "task_id": ...}],
  "limits": {"timeout": s, "memory": MiB}, "request_id": ...}`` -> ``{"request_id", "results": [...]}``,
  results in item order;
- ``POST /v1/judge/stream``: the same, answered as JSON lines as items finish (``{"index": i, ...}``),
  then ``{"done": true}``;
- ``GET /v1/health``: workers, queue depth and capacity.

A result is ``{"status": "judged", "verdict", "passed", "tests": [...]}`` or ``{"status":
"infrastructure_error", "detail"}`` (the judge could not judge it: retry; never a wrong answer).
Tasks inline: ``{"kind": "stdio", "tests": [{"input", "output"}], "checker": {"name", "params"}}``,
``{"kind": "call", "fn_name", "tests": [{"input": [args], "output"}]}``, ``{"kind": "humaneval",
"prompt", "test", "entry_point"}``; or by id from the dataset the server loaded.

Bounded: bodies up to ``max_body`` bytes (413), at most ``max_queue`` programs waiting (429 with
Retry-After); requested limits are clamped to the server's.  A ``request_id`` seen before gets
the same answer without judging again, and identical (program, task, limits) are judged once
(a cache keyed by all of them and the runtime).  Loopback only unless told otherwise; a token is
required (no open endpoint).  SIGTERM / Ctrl-C: stop accepting, finish what is in flight, exit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import signal
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from judge.api import Judge, Result
from judge.checkers import CheckerSpec, get_rule
from judge.datasets import Task
from judge.errors import JudgeError
from judge.kinds import get_kind
from judge.outcomes import TestRecord

MAX_ITEMS = 4096      # programs in one request
CACHE_SIZE = 100_000  # results kept for identical (program, task, limits)
REQUESTS_KEPT = 10_000


class BadRequest(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.headers = status, headers or {}


def _result_json(result: Result) -> dict[str, Any]:
    if result.infrastructure_error:
        return {"status": "infrastructure_error", "detail": result.tests[-1].detail if result.tests else "internal error"}
    return {"status": "judged", "task_id": result.task_id, "verdict": result.verdict, "passed": result.passed,
            "timeout_only": result.timeout_only, "tests": [asdict(t) for t in result.tests]}


class _Lane:
    """One set of limits: a warm Judge fed from a queue by a thread of its own; programs reach the
    workers as they arrive (no batch waits for its slowest program)."""

    def __init__(self, judge: Judge) -> None:
        self.judge = judge
        self.queue: queue.Queue[tuple[Task, str, Callable[[Result], None]] | None] = queue.Queue()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def put(self, task: Task, program: str, done: Callable[[dict[str, Any]], None]) -> None:
        self.queue.put((task, program, lambda result: done(_result_json(result))))
        self.judge.wake()

    def _serve(self) -> None:
        try:
            self.judge.serve(self.queue)
        except Exception as err:  # the workers failed as a whole: what is left is an infrastructure error
            while True:
                try:
                    item = self.queue.get_nowait()
                except queue.Empty:
                    return
                if item is not None:
                    _fail(item, err)

    def close(self) -> None:
        self.queue.put(None)
        self.judge.wake()
        self.thread.join()
        self.judge.close()


def _fail(item: tuple[Task, str, Callable[[Result], None]], err: Exception) -> None:
    item[2](Result(item[0].task_id, "IE", False, False, False, None,
                   [TestRecord("hidden", 0, "IE", f"{type(err).__name__}: {err}")], 1))


class Service:
    def __init__(self, token: str, tasks: dict[str, Task], workers: int = 0, timeout: float = 3.0, memory: int = 1024,
                 max_queue: int = 10_000, max_body: int = 64 << 20, **judge_options: Any) -> None:
        if not token:
            raise JudgeError("judge serve needs a token (--token-file FILE or $JUDGE_TOKEN): it never runs an open endpoint")
        self.token, self.tasks = token, tasks
        self.workers, self.caps, self.options = workers, (timeout, memory), judge_options
        self.max_queue, self.max_body = max_queue, max_body
        self.lanes: OrderedDict[tuple[float, int], _Lane] = OrderedDict()
        self.lock = threading.Lock()
        self.waiting = 0  # programs queued or being judged
        self.judged = 0   # programs judged since the start (not answered from the cache)
        self.cache: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.answers: OrderedDict[str, tuple[threading.Event, list[Any]]] = OrderedDict()
        self.runtime = ""
        self.draining = False
        self._lane(self.caps)  # workers start now, not on the first request

    def _lane(self, limits: tuple[float, int]) -> _Lane:
        with self.lock:
            lane = self.lanes.get(limits)
            if lane is None:
                lane = self.lanes[limits] = _Lane(Judge(workers=self.workers, timeout=limits[0], memory=limits[1],
                                                        **self.options))
                self.runtime = json.dumps(lane.judge.runtime, sort_keys=True)
                while len(self.lanes) > 3:  # at most three sets of limits stay warm
                    _, old = self.lanes.popitem(last=False)
                    threading.Thread(target=old.close, daemon=True).start()
            self.lanes.move_to_end(limits)
            return lane

    # -- requests -------------------------------------------------------------------------
    def authorized(self, header: str | None) -> bool:
        scheme, _, given = (header or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token.encode())

    def health(self) -> dict[str, Any]:
        return {"status": "draining" if self.draining else "ok", "workers": sum(len(l.judge._pool.slots) for l in self.lanes.values()
                                                                                  if l.judge._pool),
                "queued": self.waiting, "capacity": self.max_queue, "judged": self.judged, "limits": {"timeout": self.caps[0], "memory": self.caps[1]}}

    def _task(self, item: Any, where: str) -> Task:
        if not isinstance(item, dict) or not isinstance(item.get("program"), str):
            raise BadRequest(400, f"{where}: an item is an object with a \"program\" string")
        if "task_id" in item:
            task = self.tasks.get(str(item["task_id"]))
            if task is None:
                raise BadRequest(404, f"{where}: unknown task_id {item['task_id']!r}"
                                      + ("" if self.tasks else " (this server loaded no dataset)"))
            return task
        spec = item.get("task")
        if not isinstance(spec, dict):
            raise BadRequest(400, f"{where}: give \"task\" (an object) or \"task_id\"")
        try:
            kind = spec.get("kind", "stdio")
            checker = spec.get("checker")
            if checker is not None:
                get_rule(checker["name"]) if checker["name"] != "python" else None
                checker = CheckerSpec(checker["name"], tuple(sorted((checker.get("params") or {}).items())),
                                      source=checker.get("source", ""), where="request")
            return get_kind(str(kind)).from_request(spec, checker)
        except (KeyError, TypeError, ValueError, JudgeError) as err:
            raise BadRequest(400, f"{where}: bad task: {err}") from None

    def _key(self, task: Task, program: str, limits: tuple[float, int]) -> str:
        parts = [program, task.kind, [[t.input, t.output] for t in task.tests], task.fn_name, task.solution_class,
                 task.prompt, task.test_code, task.entry_point, repr(task.checker), limits, self.runtime]
        return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()

    def judge(self, body: dict[str, Any], on_item: Callable[[int, dict[str, Any]], None] | None = None) -> dict[str, Any]:
        request_id = body.get("request_id")
        known: tuple[threading.Event, list[Any]] | None = None
        if request_id is not None:
            request_id = str(request_id)[:200]
            with self.lock:
                known = self.answers.get(request_id)
                if known is None:
                    self.answers[request_id] = known = (threading.Event(), [])
                    while len(self.answers) > REQUESTS_KEPT:
                        self.answers.popitem(last=False)
                    first = True
                else:
                    first = False
            assert known is not None
            if not first:  # the same request again: the same answer, judged once
                known[0].wait()
                if not known[1]:  # the first one was refused (a bad request, a full queue): judge this one
                    return self._judge(body, on_item)
                answer = known[1][0]
                if on_item:
                    for i, r in enumerate(answer["results"]):
                        on_item(i, r)
                return answer
        try:
            answer = self._judge(body, on_item)
        except BaseException:
            if known is not None and request_id is not None:
                with self.lock:
                    self.answers.pop(request_id, None)
                known[0].set()
            raise
        if known is not None:
            answer["request_id"] = request_id
            known[1].append(answer)
            known[0].set()
        return answer

    def _judge(self, body: dict[str, Any], on_item: Callable[[int, dict[str, Any]], None] | None) -> dict[str, Any]:
        if self.draining:
            raise BadRequest(503, "the server is shutting down", {"Retry-After": "5"})
        items = body.get("items")
        if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
            raise BadRequest(400, f"\"items\" must be a list of 1 to {MAX_ITEMS} programs")
        asked = body.get("limits") or {}
        try:
            limits = (min(float(asked.get("timeout", self.caps[0])), self.caps[0]),
                      min(int(asked.get("memory", self.caps[1])), self.caps[1]))
        except (TypeError, ValueError, AttributeError):
            raise BadRequest(400, "\"limits\" is {\"timeout\": seconds, \"memory\": MiB}") from None
        if limits[0] <= 0 or limits[1] < 1:
            raise BadRequest(400, "limits must be positive")
        tasks = [self._task(item, f"items[{i}]") for i, item in enumerate(items)]
        results: list[dict[str, Any] | None] = [None] * len(items)
        keys = [self._key(t, item["program"], limits) for t, item in zip(tasks, items)]
        todo = []
        with self.lock:
            for i, key in enumerate(keys):
                if key in self.cache:
                    self.cache.move_to_end(key)
                    results[i] = self.cache[key]
                else:
                    todo.append(i)
            if self.waiting + len(todo) > self.max_queue:
                raise BadRequest(429, f"the queue is full ({self.waiting} programs waiting, capacity {self.max_queue})",
                                 {"Retry-After": str(max(1, min(60, self.waiting // 100)))})
            self.waiting += len(todo)
        for i, r in enumerate(results):
            if r is not None and on_item:
                on_item(i, r)
        done = threading.Semaphore(0)

        def finished(index: int) -> Callable[[dict[str, Any]], None]:
            def store(result: dict[str, Any]) -> None:
                results[index] = result
                with self.lock:
                    self.judged += 1
                if result["status"] == "judged":
                    with self.lock:
                        self.cache[keys[index]] = result
                        while len(self.cache) > CACHE_SIZE:
                            self.cache.popitem(last=False)
                if on_item:
                    on_item(index, result)
                done.release()
            return store
        lane = self._lane(limits)
        try:
            for i in todo:
                lane.put(tasks[i], items[i]["program"], finished(i))
            for _ in todo:
                done.acquire()
        finally:
            with self.lock:
                self.waiting -= len(todo)
        return {"results": results}

    def close(self) -> None:
        for lane in self.lanes.values():
            lane.close()


def make_handler(service: Service) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "judge"
        protocol_version = "HTTP/1.1"
        timeout = 5  # seconds a kept-alive connection may idle: shutdown waits for no idle client
        # Headers and body leave in two writes: with Nagle's algorithm and the client's delayed
        # ACK, every answer waited ~40 ms (p50 of a small request 56 ms; without it, below 10).
        disable_nagle_algorithm = True

        def handle_one_request(self) -> None:
            super().handle_one_request()
            if service.draining:
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:  # one line per request, on stderr
            pass

        def _send(self, status: int, data: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(raw)

        def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
            self._send(status, {"error": message}, headers)

        def _body(self) -> dict[str, Any]:
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                raise BadRequest(411, "a Content-Length header is required") from None
            if length > service.max_body:
                raise BadRequest(413, f"the body is {length} bytes; the limit is {service.max_body}")
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError as err:
                raise BadRequest(400, f"the body is not valid JSON ({err})") from None
            if not isinstance(body, dict):
                raise BadRequest(400, "the body must be a JSON object")
            return body

        def do_GET(self) -> None:
            if not service.authorized(self.headers.get("Authorization")):
                return self._error(401, "missing or wrong bearer token", {"WWW-Authenticate": "Bearer"})
            if self.path.rstrip("/") == "/v1/health":
                return self._send(200, service.health())
            self._error(404, f"no such endpoint: GET {self.path}")

        def do_POST(self) -> None:
            if not service.authorized(self.headers.get("Authorization")):
                self.close_connection = True
                return self._error(401, "missing or wrong bearer token", {"WWW-Authenticate": "Bearer"})
            path = self.path.rstrip("/")
            if path not in ("/v1/judge", "/v1/judge/stream"):
                self.close_connection = True
                return self._error(404, f"no such endpoint: POST {self.path}")
            try:
                body = self._body()
                if path == "/v1/judge":
                    return self._send(200, service.judge(body))
                self._stream(body)
            except BadRequest as err:
                self.close_connection = True
                self._error(err.status, str(err), err.headers)

        def _stream(self, body: dict[str, Any]) -> None:
            lock, started = threading.Lock(), list[bool]()

            def line(data: dict[str, Any]) -> None:
                raw = (json.dumps(data) + "\n").encode()
                with lock:
                    if not started:
                        self.send_response(200)
                        self.send_header("Content-Type", "application/x-ndjson")
                        self.send_header("Transfer-Encoding", "chunked")
                        self.end_headers()
                        started.append(True)
                    self.wfile.write(f"{len(raw):x}\r\n".encode() + raw + b"\r\n")
                    self.wfile.flush()
            answer = service.judge(body, on_item=lambda i, r: line(dict(r, index=i)))
            line({"done": True, "request_id": answer.get("request_id")})
            with lock:
                self.wfile.write(b"0\r\n\r\n")

    return Handler


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # the listen backlog: 64 clients connecting at once overflowed the default 5


def serve(service: Service, host: str = "127.0.0.1", port: int = 8080, ready: Callable[[int], None] | None = None) -> None:
    """Serve until SIGTERM or Ctrl-C, then stop accepting, let the requests in flight finish, and close."""
    server = _Server((host, port), make_handler(service))
    server.daemon_threads = False  # shutdown waits for the requests in flight
    stopping = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        if not stopping.is_set():
            stopping.set()
            service.draining = True
            threading.Thread(target=server.shutdown, daemon=True).start()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if ready:
            ready(server.server_address[1])
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()  # joins the request threads
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        service.close()
