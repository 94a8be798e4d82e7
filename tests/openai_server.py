"""A small OpenAI-compatible HTTP server for tests and benchmarks (stdlib only).

It speaks the parts of the protocol the sampler uses, as vLLM does: ``POST /v1/completions`` and
``/v1/chat/completions`` with ``n``, ``stop``, ``max_tokens``, ``seed``, ``temperature`` and
log-probs; JSON errors; ``GET /v1/models``.  The "model" answers from a bank: for a prompt (the
completion prompt, or a chat request's last user message) it draws answers from a list given
for that prompt's SHA-256, reproducibly from the seed; tokens are whitespace-separated pieces and
each answer's per-token log-prob is the bank's value for it.

``--unique`` tags every answer with its seed and number, so that no two samples are the same
program.  Faults on demand: every K-th request refused with 429 (Retry-After), answered 500, or its
connection dropped without a response; a fixed delay per request; ``--max-n``; ``--no-logprobs``.
``GET /stats`` counts requests and faults.

    python tests/openai_server.py --bank bank.json [--port 0] [--rate-limit-every 7] ...
prints ``listening PORT`` once ready.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = re.compile(r"\s+|\S+")


def prompt_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class State:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.bank: dict[str, list[dict]] = {}
        if args.bank:
            with open(args.bank, encoding="utf-8") as fh:
                self.bank = json.load(fh)
        self.lock = threading.Lock()
        self.counts = {"requests": 0, "rate_limited": 0, "server_errors": 0, "dropped": 0, "choices": 0}

    def fault(self) -> str | None:
        with self.lock:
            self.counts["requests"] += 1
            number = self.counts["requests"]
        for name, every in (("dropped", self.args.drop_every), ("rate_limited", self.args.rate_limit_every),
                            ("server_errors", self.args.fail_every)):
            if every and number % every == 0:
                with self.lock:
                    self.counts[name] += 1
                return name
        return None


def answer(state: State, prompt: str, index: int, seed: int, stop: list[str], max_tokens: int,
           temperature: float) -> dict:
    answers = state.bank.get(prompt_key(prompt)) or [{"text": "print(0)\n", "logprob": -1.0}]
    rng = random.Random(f"{seed}:{index}")
    if state.args.temperature_weights:  # like a model: likely answers dominate at low temperature
        weights = [math.exp(a.get("logprob", -1.0) * 2 / max(temperature, 0.05)) for a in answers]
        choice = rng.choices(answers, weights)[0]
    else:
        choice = answers[rng.randrange(len(answers))]
    text, finish = choice["text"], "stop"
    if state.args.unique:  # every sample a distinct program, as from a real model at T > 0
        text = f"{text.rstrip(chr(10))}\n# sample {seed}-{index}\n"
    cuts = [i for i in (text.find(s) for s in stop) if i >= 0]
    if cuts:
        text = text[:min(cuts)]
    tokens = TOKEN.findall(text)
    if len(tokens) > max_tokens:
        tokens, finish = tokens[:max_tokens], "length"
        text = "".join(tokens)
    logprobs = [choice.get("logprob", -1.0) + rng.uniform(-0.01, 0.01) for _ in tokens]
    return {"text": text, "finish": finish, "tokens": tokens, "logprobs": logprobs}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: State

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, {"error": {"message": message, "type": "invalid_request_error", "code": status}}, headers)

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._send(200, {"object": "list", "data": [{"id": self.state.args.model, "object": "model"}]})
        elif self.path.rstrip("/").endswith("/stats"):
            with self.state.lock:
                self._send(200, dict(self.state.counts))
        else:
            self._error(404, f"no route {self.path}")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._error(400, "body is not JSON")
            return
        chat = self.path.rstrip("/").endswith("/chat/completions")
        if not chat and not self.path.rstrip("/").endswith("/completions"):
            self._error(404, f"no route {self.path}")
            return
        fault = self.state.fault()
        if fault == "dropped":
            self.close_connection = True
            self.connection.shutdown(2)  # mid-run connection loss: no status line at all
            return
        if fault == "rate_limited":
            self._error(429, "rate limit reached, slow down", {"Retry-After": "0", "retry-after-ms": "20"})
            return
        if fault == "server_errors":
            self._error(500, "internal server error")
            return
        args = self.state.args
        if args.delay:
            time.sleep(args.delay)
        if body.get("model") != args.model:
            self._error(404, f"The model `{body.get('model')}` does not exist.")
            return
        n = int(body.get("n") or 1)
        if n > args.max_n:
            self._error(400, f"n must be at most {args.max_n}, got {n}")
            return
        wants_logprobs = bool(body.get("logprobs")) or (not chat and body.get("logprobs") == 0)
        if wants_logprobs and args.no_logprobs:
            self._error(400, "logprobs are not supported by this server")
            return
        stop = body.get("stop") or []
        stop = [stop] if isinstance(stop, str) else stop
        if chat:
            messages = body.get("messages") or []
            prompt = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
        else:
            prompt = body.get("prompt") or ""
        seed = body.get("seed")
        seed = seed if seed is not None else random.randrange(1 << 30)
        choices = []
        total_tokens = 0
        for i in range(n):
            a = answer(self.state, prompt, i, seed, stop, int(body.get("max_tokens") or 16),
                       float(body.get("temperature", 1.0)))
            total_tokens += len(a["tokens"])
            if chat:
                lp = {"content": [{"token": t, "logprob": v, "bytes": None, "top_logprobs": []}
                                  for t, v in zip(a["tokens"], a["logprobs"])]} if wants_logprobs else None
                choices.append({"index": i, "message": {"role": "assistant", "content": a["text"]},
                                "finish_reason": a["finish"], "logprobs": lp})
            else:
                offsets, pos = [], 0
                for t in a["tokens"]:
                    offsets.append(pos)
                    pos += len(t)
                lp = {"tokens": a["tokens"], "token_logprobs": a["logprobs"], "text_offset": offsets,
                      "top_logprobs": [{t: v} for t, v in zip(a["tokens"], a["logprobs"])]} if wants_logprobs else None
                choices.append({"index": i, "text": a["text"], "finish_reason": a["finish"], "logprobs": lp})
        with self.state.lock:
            self.state.counts["choices"] += n
        usage = {"prompt_tokens": len(TOKEN.findall(prompt)), "completion_tokens": total_tokens,
                 "total_tokens": total_tokens + len(TOKEN.findall(prompt))}
        self._send(200, {"id": f"cmpl-{seed}", "object": "chat.completion" if chat else "text_completion",
                         "created": int(time.time()), "model": args.model, "choices": choices, "usage": usage})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--model", default="test-model")
    parser.add_argument("--bank", help="JSON {sha256(prompt): [{text, logprob}, ...]}")
    parser.add_argument("--max-n", type=int, default=128)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--rate-limit-every", type=int, default=0)
    parser.add_argument("--fail-every", type=int, default=0)
    parser.add_argument("--drop-every", type=int, default=0)
    parser.add_argument("--no-logprobs", action="store_true")
    parser.add_argument("--unique", action="store_true", help="make every answer a distinct program")
    parser.add_argument("--temperature-weights", action="store_true",
                        help="draw answers with weights exp(2 * logprob / temperature) instead of uniformly")
    args = parser.parse_args(argv)
    Handler.state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"listening {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()


def build_bank(prompts, answers_for) -> dict[str, list[dict]]:
    """A bank for ``--bank``: ``prompts`` are judge Prompt objects, ``answers_for(task_id)`` gives
    that task's [{"text", "logprob"}, ...]."""
    bank = {}
    for prompt in prompts:
        text = prompt.text if prompt.style == "completion" else prompt.messages[-1]["content"]
        bank[prompt_key(text)] = answers_for(prompt.task_id)
    return bank


class ServerProcess:
    """Run this server in a child process: ``with ServerProcess(bank_path, "--drop-every", "5") as url: ...``."""

    def __init__(self, bank_path: str | None, *flags: str) -> None:
        import subprocess
        command = [sys.executable, __file__, *(["--bank", bank_path] if bank_path else []), *flags]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("listening"):
            self.process.kill()
            raise RuntimeError(f"test server did not start: {line!r}")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}/v1"

    def stats(self) -> dict:
        import urllib.request
        with urllib.request.urlopen(self.url + "/stats", timeout=10) as response:
            return json.load(response)

    def close(self) -> None:
        self.process.kill()
        self.process.wait()

    def __enter__(self) -> "ServerProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
