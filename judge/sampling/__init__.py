"""Sampling programs from a model: backends behind one small interface (:mod:`.base`), one module each.

- ``openai``: any OpenAI-compatible server (vLLM, SGLang, TGI, llama.cpp, OpenAI);
- ``hf``: a local transformers causal LM;
- ``file``: generations made elsewhere (JSONL or bigcode JSON), imported as if sampled.
"""

from __future__ import annotations

from typing import Any

from judge.sampling.base import Backend, SamplingError

BACKENDS = {"openai": "judge.sampling.openai_backend", "hf": "judge.sampling.hf", "file": "judge.sampling.file"}


def make_backend(name: str, options: dict[str, Any]) -> Backend:
    """Build backend ``name`` from its options (the keys of its constructor)."""
    import importlib
    if name not in BACKENDS:
        raise SamplingError(f"unknown sampling backend {name!r}; choose one of {', '.join(BACKENDS)}")
    module = importlib.import_module(BACKENDS[name])
    try:
        return module.BACKEND(**options)
    except TypeError as err:
        raise SamplingError(f"backend {name}: {err}") from None


_FLAGS = {"path": "--from PATH (the generations to import)", "model": "--model"}  # how the CLI spells them


def backend_options(name: str, given: dict[str, Any]) -> dict[str, Any]:
    """The options backend ``name`` takes, from ``given`` (None: not given); one clear line when
    one it requires is missing."""
    import importlib
    import inspect
    if name not in BACKENDS:
        raise SamplingError(f"unknown sampling backend {name!r}; choose one of {', '.join(BACKENDS)}")
    params = inspect.signature(importlib.import_module(BACKENDS[name]).BACKEND.__init__).parameters
    options = {key: value for key, value in given.items() if key in params and value is not None}
    for key, param in params.items():
        if key != "self" and param.default is inspect.Parameter.empty and key not in options:
            raise SamplingError(f"--backend {name} needs {_FLAGS.get(key, '--' + key.replace('_', '-'))}")
    return options
