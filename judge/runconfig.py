"""Run presets for ``judge run``: one TOML file says what to sample, how to judge it and what to report.

```toml
[run]       dir = "runs/codex-apps"                  # the run directory (resumable)
[dataset]   name = "apps"  split = "test"  data = "..."  difficulty = [...]  ids = "0-99"  limit = 20
            public_tests = "statement"
[prompt]    template = "codex-1shot"                  # a bundled template or a .toml path
[sampling]  backend = "openai"  n = 1000  temperature = 0.6  top_p = 0.95  max_tokens = 1024  seed = 0
            logprobs = true  stop = [...]             # any other key goes to the backend (model, base_url, ...)
[judge]     timeout = 3.0  memory = 1024  output_limit = 16  workers = 0  compare = "strict"
            python = ".venv-cand/bin/python"  packages = "numpy"     # the candidate runtime
            after_timeout = "continue"                # or "stop": a TLE ends the program
            checkers = "checkers/"                    # per-problem checkers (<task_id>.toml / .py)
[report]    k = [1, 5, 100, 1000]  timeout_only = "some"   # or "any" (the literal reading)
```

Relative paths are relative to the preset's file; ``bundled`` (dataset) and ``bundled:NAME``
(a file shipped in ``judge.data``) name the demo data inside the package.  A bundled preset can
be named without its path: ``judge run codex-apps-1shot``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, fields
from importlib import resources
from typing import Any

from judge.datasets import Selection, get_dataset, parse_ids
from judge.errors import JudgeError
from judge.evaluation import EvaluateOptions
from judge.sampling.base import SamplingError, SamplingParams
from judge.sampling.sampler import MAX_SAMPLES, SampleOptions
from judge.sandbox.client import Limits
from judge.sandbox.runtime import DEFAULT_PACKAGES, Runtime, parse_packages

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SECTIONS = {"run", "dataset", "prompt", "sampling", "judge", "report"}
PARAM_KEYS = {f.name for f in fields(SamplingParams)}


class ConfigError(JudgeError, ValueError):
    """A run preset is unusable; the message names the file and the key."""


@dataclass
class RunConfig:
    name: str
    evaluate: EvaluateOptions
    sampling: SampleOptions


def _resolve(value: str, base: str) -> str:
    if value.startswith("bundled:"):
        with resources.as_file(resources.files("judge.data").joinpath(value.split(":", 1)[1])) as path:
            return str(path)
    if value == "bundled" or "://" in value or os.path.isabs(value):
        return value
    return os.path.normpath(os.path.join(base, value))


def _read(name_or_path: str) -> tuple[str, str, dict[str, Any]]:
    if os.path.exists(name_or_path):
        where, base = name_or_path, os.path.dirname(os.path.abspath(name_or_path))
        with open(name_or_path, "rb") as fh:
            raw = fh.read()
    else:
        ref = resources.files("judge.presets").joinpath(f"{name_or_path.removesuffix('.toml')}.toml")
        if not ref.is_file():
            names = sorted(e.name[:-5] for e in resources.files("judge.presets").iterdir() if e.name.endswith(".toml"))
            raise ConfigError(f"{name_or_path}: no such file, and no bundled preset of that name "
                              f"(bundled: {', '.join(names)})")
        where, base, raw = f"{name_or_path} (bundled)", os.getcwd(), ref.read_bytes()
    try:
        return where, base, tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{where}: not valid TOML ({err})") from None


def load(name_or_path: str, run_dir: str | None = None, overrides: dict[str, dict[str, Any]] | None = None) -> RunConfig:
    where, base, data = _read(name_or_path)
    for section, values in (overrides or {}).items():
        data.setdefault(section, {}).update(values)
    unknown = set(data) - SECTIONS
    if unknown:
        raise ConfigError(f"{where}: unknown section(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(SECTIONS))}")
    get = _Getter(where, data)
    dataset = get("dataset", "name", str)
    run = run_dir or get("run", "dir", str, f"runs/{os.path.basename(name_or_path).removesuffix('.toml')}")
    data_path = get("dataset", "data", str, None)
    ids = get("dataset", "ids", str, None)
    difficulty = get("dataset", "difficulty", list, [])
    judge_timeout = float(get("judge", "timeout", (int, float), 3.0))
    wall = get("judge", "wall", (int, float), None)
    evaluate = EvaluateOptions(
        samples=[], dataset=dataset, run_dir=run, data=_resolve(data_path, base) if data_path else None,
        selection=Selection(split=get("dataset", "split", str, "test"), difficulties=tuple(difficulty),
                            ids=parse_ids(ids) if ids else (), limit=get("dataset", "limit", int, None)),
        limits=Limits(cpu=judge_timeout, memory=get("judge", "memory", int, 1024) << 20,
                      output=get("judge", "output_limit", int, 16) << 20, wall=float(wall) if wall else None),
        workers=get("judge", "workers", int, 0), ks=sorted(set(get("report", "k", list, [1, 5, 10, 100, 1000]))),
        compare=get("judge", "compare", str, "strict"), public_tests=get("dataset", "public_tests", str, "statement"),
        checkers=_resolve(get("judge", "checkers", str, ""), base) if get("judge", "checkers", str, "") else None,
        after_timeout=_choice(where, "judge", "after_timeout", get("judge", "after_timeout", str, "continue"),
                              ("continue", "stop")),
        timeout_only=_choice(where, "report", "timeout_only", get("report", "timeout_only", str, "some"), ("some", "any")),
        runtime=Runtime(get("judge", "python", str, ""), parse_packages(get("judge", "packages", str, ",".join(DEFAULT_PACKAGES)))))
    sampling = dict(data.get("sampling", {}))
    backend = sampling.pop("backend", None)
    if not isinstance(backend, str):
        raise ConfigError(f"{where}: [sampling] backend is required (openai, hf or file)")
    n = sampling.pop("n", None)
    if not isinstance(n, int) or isinstance(n, bool):
        raise ConfigError(f"{where}: [sampling] n (samples per task, an integer) is required")
    params = {k: sampling.pop(k) for k in list(sampling) if k in PARAM_KEYS}
    if "stop" in params:
        params["stop"] = tuple(params["stop"])
    if backend == "file" and isinstance(sampling.get("path"), str):
        sampling["path"] = _resolve(sampling["path"], base)
    template = get("prompt", "template", str, get_dataset(dataset).default_template)
    if template.endswith(".toml"):
        template = _resolve(template, base)
    try:
        sample_options = SampleOptions(n=n, template=template, backend=backend, backend_options=sampling,
                                       params=SamplingParams(**params))
    except TypeError as err:
        raise ConfigError(f"{where}: [sampling] {err}") from None
    except SamplingError:
        raise ConfigError(f"{where}: [sampling] n = {n}: not a usable value (samples per task, 1 to {MAX_SAMPLES})") from None
    return RunConfig(name=where, evaluate=evaluate, sampling=sample_options)


def _choice(where: str, section: str, key: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ConfigError(f"{where}: [{section}] {key} must be one of {', '.join(allowed)}, not {value!r}")
    return value


class _Getter:
    def __init__(self, where: str, data: dict[str, Any]) -> None:
        self.where, self.data = where, data

    _REQUIRED = object()

    def __call__(self, section: str, key: str, kind: Any, default: Any = _REQUIRED) -> Any:
        value = self.data.get(section, {}).get(key, default)
        if value is self._REQUIRED:
            raise ConfigError(f"{self.where}: [{section}] {key} is required")
        if value is not None and value is not default and (not isinstance(value, kind) or isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise ConfigError(f"{self.where}: [{section}] {key} must be {names}, not {value!r}")
        return value
