"""Any OpenAI-compatible server (vLLM, SGLang, TGI, llama.cpp server, OpenAI) through the ``openai`` client.

Completion-style prompts go to ``/v1/completions``, chat prompts to ``/v1/chat/completions``.
A task's ``n`` samples are split into requests of at most ``max_per_request``; at most
``concurrency`` requests are in flight.  Rate limits (429), server errors (5xx), timeouts and
dropped connections are retried with exponential backoff, honouring ``Retry-After``; any other
refusal stops sampling with the server's message (samples already received are kept).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections.abc import Iterable
from typing import Any

from judge.sampling.base import Backend, Generation, OnResult, Request, SamplingError, SamplingParams, generation

RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class OpenAIBackend(Backend):
    name = "openai"

    def __init__(self, model: str, base_url: str | None = None, api_key: str | None = None,
                 api_key_env: str = "OPENAI_API_KEY", concurrency: int = 32, max_per_request: int = 128,
                 timeout: float = 600.0, max_retries: int = 10, backoff: float = 0.5) -> None:
        try:
            import openai  # noqa: F401
        except ImportError:
            raise SamplingError("the openai backend needs the openai client: pip install 'judge-codegen[openai]'") from None
        self.model = model
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
        # Local servers (vLLM without --api-key) accept any key; the client insists on one.
        self.api_key = api_key or os.environ.get(api_key_env) or "EMPTY"
        self.concurrency = max(1, concurrency)
        self.max_per_request = max(1, max_per_request)
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.retries = 0          # retried requests, for the closing summary
        self.logprobs_refused = False
        self.answered = False     # has the server answered anything yet?

    def describe(self) -> dict[str, object]:
        return {"backend": self.name, "model": self.model}

    def generate(self, requests: Iterable[Request], params: SamplingParams, on_result: OnResult) -> None:
        asyncio.run(self._generate(requests, params, on_result))

    async def _generate(self, requests: Iterable[Request], params: SamplingParams, on_result: OnResult) -> None:
        from openai import AsyncOpenAI
        client = AsyncOpenAI(base_url=self.base_url, api_key=self.api_key, max_retries=0, timeout=self.timeout)
        slots = asyncio.Semaphore(self.concurrency)
        running: set[asyncio.Task[None]] = set()
        failures: list[BaseException] = []

        async def one(request: Request) -> None:
            try:
                on_result(request, await self._with_retries(client, request, params))
            except BaseException as err:  # noqa: BLE001 - reported below, after the others stop
                failures.append(err)
            finally:
                slots.release()

        try:
            for request in requests:
                await slots.acquire()
                if failures:
                    break
                task = asyncio.create_task(one(request))
                running.add(task)
                task.add_done_callback(running.discard)
            if failures:
                for task in running:
                    task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
        finally:
            await client.close()
        if failures:
            err = failures[0]
            raise err if isinstance(err, (SamplingError, KeyboardInterrupt)) else SamplingError(
                f"{self.base_url}: {type(err).__name__}: {err}")

    async def _with_retries(self, client: Any, request: Request, params: SamplingParams) -> list[Generation]:
        import openai
        for attempt in range(self.max_retries + 1):
            with_logprobs = params.logprobs and not self.logprobs_refused
            try:
                generations = await self._call(client, request, params, with_logprobs)
                self.answered = True
                return generations
            except openai.APIStatusError as err:
                self.answered = True
                if err.status_code not in RETRYABLE_STATUS:
                    if err.status_code == 400 and with_logprobs and "logprob" in str(err).lower():
                        self.logprobs_refused = True  # this server has no log-probs: sample without
                        continue
                    raise SamplingError(f"{self.base_url}: the server refused the request for task "
                                        f"{request.prompt.task_id} ({err.status_code}: {_message(err)}); "
                                        "check --model, --base-url and the sampling options") from None
                delay = _retry_after(err.response)
            except openai.APITimeoutError:
                delay = None
            except openai.APIConnectionError as err:
                # A server that was never reached (refused, no such host) is not overloaded: say so
                # after a few seconds instead of retrying for minutes.
                cause = err.__cause__ or err
                # The transport's ConnectError (refused, no such host), whichever HTTP library the client uses.
                if not self.answered and attempt >= UNREACHABLE_AFTER and type(cause).__name__ == "ConnectError":
                    raise SamplingError(f"{self.base_url}: cannot connect ({type(cause).__name__}: {cause}); is the "
                                        "server running, and are --base-url and the port right?") from None
                delay = None
            if attempt == self.max_retries:
                break
            self.retries += 1
            await asyncio.sleep(delay if delay is not None else
                                min(60.0, self.backoff * 2 ** attempt) * (0.5 + random.random()))
        raise SamplingError(f"{self.base_url}: gave up on task {request.prompt.task_id} after {self.max_retries} "
                            "retries (server overloaded or unreachable); rerun the same command to continue")

    async def _call(self, client: Any, request: Request, params: SamplingParams, want_logprobs: bool) -> list[Generation]:
        prompt = request.prompt
        common: dict[str, Any] = dict(model=self.model, n=request.count, temperature=params.temperature,
                                      top_p=params.top_p, max_tokens=params.max_tokens, seed=request.seed)
        if params.stop:
            common["stop"] = list(params.stop)[:4] if "api.openai.com" in self.base_url else list(params.stop)
        # The raw JSON, not the client's typed objects: building those costs more than the request.
        if prompt.style == "chat":
            raw = await client.chat.completions.with_raw_response.create(
                messages=prompt.messages, logprobs=want_logprobs or None, **common)
        else:
            raw = await client.completions.with_raw_response.create(
                prompt=prompt.text, logprobs=1 if want_logprobs else None, **common)
        try:
            body = json.loads(raw.text)
            choices = sorted(body["choices"], key=lambda c: c.get("index", 0))[:request.count]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise SamplingError(f"{self.base_url}: the server's answer for task {prompt.task_id} is not an "
                                "OpenAI completion (no 'choices'); is --base-url the /v1 endpoint?") from None
        out = []
        for i, choice in enumerate(choices):
            logprobs = choice.get("logprobs") or {}
            if prompt.style == "chat":
                text = (choice.get("message") or {}).get("content") or ""
                values = [t.get("logprob") for t in logprobs.get("content") or []] or None
            else:
                text = choice.get("text") or ""
                values = logprobs.get("token_logprobs") or None
            tokens = None
            if values is None and len(choices) == 1:
                tokens = (body.get("usage") or {}).get("completion_tokens")
            out.append(generation(request.first_index + i, text, choice.get("finish_reason"), values, tokens=tokens))
        return out


UNREACHABLE_AFTER = 2  # failed connection attempts (~1.5 s of backoff) before a never-reached server is an error


def _retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None) or {}
    for key, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(key)
        if value is not None:
            try:
                return min(120.0, max(0.0, float(value) * scale))
            except ValueError:
                return None
    return None


def _message(err: Any) -> str:
    body = getattr(err, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:300]
        if isinstance(body.get("message"), str):
            return body["message"][:300]
    return str(err)[:300]


BACKEND = OpenAIBackend
