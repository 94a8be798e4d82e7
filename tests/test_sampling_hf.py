"""The hf backend with a tiny randomly initialised GPT-2 and a BPE tokenizer trained by the test (no download)."""

import math

import pytest
from typer.testing import CliRunner

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from judge.cli import app  # noqa: E402
from judge.prompting import Prompt  # noqa: E402
from judge.sampling.base import Request, SamplingParams  # noqa: E402
from judge.store import RunStore  # noqa: E402

CORPUS = ["def add(a, b):\n    return a + b\n", "for i in range(10):\n    print(i * i)\n",
          "import sys\nn = int(sys.stdin.readline())\n"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    folder = str(tmp_path_factory.mktemp("tiny-gpt2"))
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(CORPUS * 20, trainers.BpeTrainer(
        vocab_size=320, special_tokens=["<|endoftext|>", "<unk>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tokenizer = transformers.PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|endoftext|>", unk_token="<unk>")
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = transformers.GPT2Config(vocab_size=len(tokenizer), n_positions=1024, n_embd=32, n_layer=2, n_head=2,
                                     eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.eos_token_id)
    transformers.GPT2LMHeadModel(config).save_pretrained(folder)
    return folder


def _generate(backend, prompt, count, seed, params):
    out = []
    backend.generate([Request(Prompt("t", "completion", text=prompt), 5, count, seed)], params,
                     lambda request, generations: out.extend(generations))
    return out


def test_samples_are_numbered_reproducible_and_carry_the_models_logprobs(tiny_model):
    from judge.sampling.hf import HFBackend
    backend = HFBackend(tiny_model, batch_size=4, device="cpu")
    params = SamplingParams(temperature=0.8, top_p=0.95, max_tokens=12)
    first = _generate(backend, "def add(a, b):\n", 4, seed=7, params=params)
    again = _generate(backend, "def add(a, b):\n", 4, seed=7, params=params)
    other = _generate(backend, "def add(a, b):\n", 4, seed=8, params=params)
    assert [g.index for g in first] == [5, 6, 7, 8]
    assert [g.text for g in first] == [g.text for g in again]
    assert [g.text for g in first] != [g.text for g in other]
    for g in first:
        assert g.tokens is not None and 1 <= g.tokens <= 12
        assert g.finish_reason == ("length" if g.tokens == 12 else "stop")
        assert g.mean_logprob == pytest.approx(g.sum_logprob / g.tokens)


def test_logprobs_are_the_models_own_not_the_tempered_ones(tiny_model, monkeypatch):
    from judge.sampling.hf import HFBackend
    backend = HFBackend(tiny_model, batch_size=3, device="cpu")
    model, seen = backend.model, []
    original = model.generate

    def recording(*args, **kwargs):
        out = original(*args, **kwargs)
        seen.append(out.sequences.clone())
        return out
    monkeypatch.setattr(model, "generate", recording)
    prompt = "import sys\n"
    generations = _generate(backend, prompt, 3, seed=11, params=SamplingParams(temperature=1.5, top_p=0.5, max_tokens=10))
    prompt_len = len(backend.tokenizer(prompt)["input_ids"])
    with torch.no_grad():
        logp = torch.log_softmax(model(seen[0]).logits.float(), -1)
    for row, g in enumerate(generations):
        ids = seen[0][row, prompt_len:prompt_len + g.tokens].tolist()
        expected = sum(logp[row, prompt_len - 1 + i, token].item() for i, token in enumerate(ids))
        assert g.sum_logprob == pytest.approx(expected, abs=1e-3)


def test_greedy_decoding_and_token_limit(tiny_model):
    from judge.sampling.hf import HFBackend
    backend = HFBackend(tiny_model, batch_size=2, device="cpu")
    params = SamplingParams(temperature=0.0, max_tokens=5)
    a = _generate(backend, "for i in", 2, seed=1, params=params)
    b = _generate(backend, "for i in", 2, seed=2, params=params)
    assert a[0].text == a[1].text == b[0].text  # greedy: the seed does not matter
    assert all(math.isfinite(g.sum_logprob) for g in a)


def test_judge_sample_with_hf_then_evaluate(tiny_model, tmp_path):
    runner = CliRunner()
    run = str(tmp_path / "run")
    result = runner.invoke(app, ["sample", "--dataset", "humaneval", "--limit", "2", "--run", run, "--backend", "hf",
                                 "--model", tiny_model, "-n", "6", "--batch-size", "4", "--max-tokens", "16",
                                 "--device", "cpu", "--seed", "3"])
    assert result.exit_code == 0, result.output
    store = RunStore(run)
    rows = [(t, i, tokens, reason, logprob) for t, i, _, tokens, reason, logprob in store.stored_samples()]
    store.close()
    assert [(r[0], r[1]) for r in rows] == [(f"HumanEval/{t}", i) for t in (0, 1) for i in range(6)]
    assert all(r[2] and r[3] in ("stop", "length") and r[4] < 0 for r in rows)
    result = runner.invoke(app, ["evaluate", "--dataset", "humaneval", "--limit", "2", "--run", run, "--workers", "1",
                                 "--k", "1,5"])
    assert result.exit_code == 0, result.output
    assert "samples 12" in " ".join(result.output.split())
