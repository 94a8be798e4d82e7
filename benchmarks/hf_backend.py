"""The hf sampling backend: throughput and log-prob exactness on a randomly initialised GPT-2.

    python benchmarks/hf_backend.py [--layers 12 --width 768] [--device cuda] [--tasks 8] [-n 64] [--batch-size 64]

No model is downloaded: a BPE tokenizer is trained on the bundled HumanEval prompts and a GPT-2
of the given shape is initialised at random (12 x 768 is GPT-2 small's shape, 124 M parameters).
Samples HumanEval prompts through ``HFBackend`` (the same code `judge sample --backend hf` uses),
prints samples/s and generated tokens/s, and checks each stored log-prob sum against a forward
pass of the model over the generated tokens.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def make_model(folder: str, layers: int, width: int) -> None:
    import torch
    import transformers
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    with gzip.open(os.path.join(ROOT, "judge", "data", "HumanEval.jsonl.gz"), "rt") as fh:
        corpus = [json.loads(line)["prompt"] for line in fh]
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=4096, special_tokens=["<|endoftext|>", "<unk>"],
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tokenizer = transformers.PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|endoftext|>", unk_token="<unk>")
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = transformers.GPT2Config(vocab_size=len(tokenizer), n_positions=2048, n_embd=width, n_layer=layers,
                                     n_head=max(1, width // 64), eos_token_id=tokenizer.eos_token_id,
                                     bos_token_id=tokenizer.eos_token_id)
    transformers.GPT2LMHeadModel(config).save_pretrained(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--device", default=None)
    parser.add_argument("--tasks", type=int, default=4)
    parser.add_argument("-n", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-tokens", type=int, default=128)
    args = parser.parse_args()
    import torch

    from judge.datasets import Selection, load_tasks
    from judge.prompting import load
    from judge.sampling.base import Request, SamplingParams, request_seed
    from judge.sampling.hf import HFBackend
    folder = tempfile.mkdtemp(prefix="bench-hf-")
    make_model(folder, args.layers, args.width)
    backend = HFBackend(folder, batch_size=args.batch_size, device=args.device)
    params = SamplingParams(temperature=0.8, top_p=0.95, max_tokens=args.max_tokens, stop=())
    template = load("humaneval")
    tasks = load_tasks("humaneval", None, Selection(limit=args.tasks))
    requests = [Request(template.render(t), first, min(args.batch_size, args.n - first),
                        request_seed(0, t.task_id, first)) for t in tasks for first in range(0, args.n, args.batch_size)]
    got: list = []
    seen: list = []
    original = backend.model.generate

    def recording(*a, **k):
        out = original(*a, **k)
        seen.append((k.get("input_ids", a[0] if a else None), out.sequences))
        return out
    backend.model.generate = recording
    backend.generate(requests[:1], params, lambda r, g: None)  # warm-up (kernels, allocator)
    seen.clear()
    if backend.device.startswith("cuda"):
        torch.cuda.synchronize()
    start = time.perf_counter()
    backend.generate(requests, params, lambda r, g: got.append((r, g)))
    if backend.device.startswith("cuda"):
        torch.cuda.synchronize()
    elapsed = time.perf_counter() - start
    samples = sum(len(g) for _, g in got)
    tokens = sum(x.tokens for _, g in got for x in g)
    worst = 0.0
    with torch.no_grad():
        for (request, generations), (_, sequences) in zip(got, seen):
            prompt_len = len(backend.tokenizer(request.prompt.text)["input_ids"])
            logp = torch.log_softmax(backend.model(sequences).logits.float(), -1)
            for row, g in enumerate(generations):
                ids = sequences[row, prompt_len:prompt_len + g.tokens]
                expected = logp[row, torch.arange(prompt_len - 1, prompt_len - 1 + g.tokens), ids].sum().item()
                worst = max(worst, abs(expected - g.sum_logprob) / max(1.0, abs(expected)))
    params_m = sum(p.numel() for p in backend.model.parameters()) / 1e6
    name = torch.cuda.get_device_name() if backend.device.startswith("cuda") else "CPU"
    print(f"GPT-2 {args.layers} x {args.width} ({params_m:.0f} M parameters, random), {name}, batch {args.batch_size}")
    print(f"{samples} samples ({len(tasks)} HumanEval prompts x {args.n}), {tokens} generated tokens in {elapsed:.1f} s: "
          f"{samples / elapsed:.1f} samples/s, {tokens / elapsed:.0f} tokens/s")
    print(f"stored sum log-prob vs a forward pass: worst relative difference {worst:.2e}")


if __name__ == "__main__":
    main()
