"""A local transformers causal LM (CPU or GPU): sampling with ``num_return_sequences``, with log-probs.

Log-probs are those of the model's own distribution (raw logits, before temperature and top-p),
as OpenAI-compatible servers report them, so ranked pass@1 means the same with either backend.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from judge.sampling.base import Backend, Generation, OnResult, Request, SamplingError, SamplingParams, generation


class HFBackend(Backend):
    name = "hf"

    def __init__(self, model: str, batch_size: int = 16, device: str | None = None, dtype: str = "auto",
                 trust_remote_code: bool = False) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError:
            raise SamplingError("the hf backend needs torch and transformers: pip install 'judge-codegen[hf]'") from None
        self.model_name = model
        self.max_per_request = max(1, batch_size)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model, trust_remote_code=trust_remote_code)
            self.model = AutoModelForCausalLM.from_pretrained(
                model, dtype=dtype if dtype == "auto" else getattr(torch, dtype),
                trust_remote_code=trust_remote_code).to(self.device)
        except (OSError, ValueError) as err:
            raise SamplingError(f"hf backend: cannot load model {model!r} ({str(err).splitlines()[0]}); give a "
                                "local folder or a hub name that is available offline") from None
        self.model.eval()
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token

    def describe(self) -> dict[str, object]:
        return {"backend": self.name, "model": self.model_name}

    def _text(self, request: Request) -> str:
        prompt = request.prompt
        if prompt.style == "chat":
            if not getattr(self.tokenizer, "chat_template", None):
                raise SamplingError(f"hf backend: {self.model_name} has no chat template; use a completion template")
            return self.tokenizer.apply_chat_template(prompt.messages, add_generation_prompt=True, tokenize=False)
        return prompt.text

    def generate(self, requests: Iterable[Request], params: SamplingParams, on_result: OnResult) -> None:
        import torch
        for request in requests:
            inputs = self.tokenizer(self._text(request), return_tensors="pt").to(self.device)
            torch.manual_seed(request.seed)
            greedy = params.temperature <= 0  # one decoding, the same for every sample number
            kwargs: dict[str, Any] = dict(max_new_tokens=params.max_tokens,
                                          num_return_sequences=1 if greedy else request.count,
                                          return_dict_in_generate=True, output_logits=True,
                                          pad_token_id=self.tokenizer.pad_token_id)
            if greedy:
                kwargs.update(do_sample=False, temperature=None, top_p=None)
            else:
                kwargs.update(do_sample=True, temperature=params.temperature, top_p=params.top_p)
            if params.stop:
                kwargs.update(stop_strings=list(params.stop), tokenizer=self.tokenizer)
            with torch.no_grad():
                out = self.model.generate(**inputs, **kwargs)
            generations = self._generations(request, inputs["input_ids"].shape[1], out, params)
            if greedy:
                generations = [replace(generations[0], index=request.first_index + i) for i in range(request.count)]
            on_result(request, generations)

    def _generations(self, request: Request, prompt_len: int, out: Any, params: SamplingParams) -> list[Generation]:
        import torch
        new = out.sequences[:, prompt_len:]
        logits = torch.stack(out.logits, dim=1).float()          # (count, steps, vocab)
        chosen = torch.log_softmax(logits, dim=-1).gather(-1, new[:, :logits.shape[1], None]).squeeze(-1)
        ends = {self.tokenizer.eos_token_id, self.tokenizer.pad_token_id} - {None}
        results = []
        for i in range(new.shape[0]):
            ids = new[i].tolist()
            length = len(ids)
            ended = False
            end = next((k for k, token in enumerate(ids) if token in ends), None)
            if end is not None:  # everything after the first end-of-text (or padding) is padding
                length, ended = end + 1, True
            text = self.tokenizer.decode(ids[:length], skip_special_tokens=True)
            stopped = ended or any(s in text for s in params.stop)
            finish = "stop" if stopped or length < params.max_tokens else "length"
            results.append(generation(request.first_index + i, text, finish, chosen[i, :length].tolist()))
        return results


BACKEND = HFBackend
