"""Prompt templates: one TOML file per template in ``prompts/`` (shipped as ``judge.templates``).

A template gives, per task kind (``stdio``, ``call``, ``humaneval``), a text with ``{{name}}``
placeholders, its style (``completion``: the text is the prompt; ``chat``: the text is the user
message, after an optional ``system`` message) and the stop sequences that end an answer.

Placeholders: ``statement``, ``starter_code``, ``fn_name``, ``task_id``, ``prompt`` (HumanEval)
and ``example_input`` / ``example_output``: the first input/output example written in the
statement (for call-based problems: the arguments and the result as Python literals), or the
first test when the statement has none.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from judge.datasets import Task
from judge.kinds import NAMES as KINDS
from judge.kinds import kind_of
from judge.errors import JudgeError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
VARIABLES = ("statement", "starter_code", "fn_name", "task_id", "prompt", "example_input", "example_output")


class TemplateError(JudgeError, ValueError):
    """A template cannot be found or is malformed; the message names the file."""


@dataclass(frozen=True)
class Prompt:
    """What is sent to the model for one task."""

    task_id: str
    style: str                                  # "completion" or "chat"
    text: str = ""                              # completion style
    messages: list[dict[str, str]] = field(default_factory=list)  # chat style

    def as_json(self) -> dict[str, Any]:
        if self.style == "chat":
            return {"task_id": self.task_id, "messages": self.messages}
        return {"task_id": self.task_id, "prompt": self.text}


@dataclass(frozen=True)
class Template:
    name: str
    description: str
    style: str
    stop: tuple[str, ...]
    texts: dict[str, str]
    system: str = ""
    datasets: tuple[str, ...] = ()

    def render(self, task: Task) -> Prompt:
        text = self.texts.get(task.kind)
        if text is None:
            raise TemplateError(f"template {self.name!r} has no prompt for {task.kind} tasks "
                                f"(it covers {', '.join(self.texts)}); choose another --template")
        values = task_variables(task)
        body = PLACEHOLDER.sub(lambda m: values[m.group(1)], text)
        if self.style == "chat":
            messages = ([{"role": "system", "content": self.system}] if self.system else [])
            return Prompt(task.task_id, "chat", messages=messages + [{"role": "user", "content": body.strip()}])
        return Prompt(task.task_id, "completion", text=body)


def task_variables(task: Task) -> dict[str, str]:
    example_input, example_output = kind_of(task).example(task)
    return {"statement": task.statement.strip("\n"), "starter_code": task.starter_code, "fn_name": task.fn_name or "",
            "task_id": task.task_id, "prompt": task.prompt, "example_input": example_input,
            "example_output": example_output}


def available() -> dict[str, str]:
    """Bundled template names -> descriptions."""
    out = {}
    for entry in sorted(resources.files("judge.templates").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            out[entry.name[:-5]] = load(entry.name[:-5]).description
    return out


def load(name_or_path: str) -> Template:
    """A bundled template by name (``codex-1shot``) or a template file by path."""
    if os.path.sep in name_or_path or name_or_path.endswith(".toml"):
        where = name_or_path
        try:
            with open(name_or_path, "rb") as fh:
                raw = fh.read()
        except OSError as err:
            raise TemplateError(f"{name_or_path}: cannot read the template ({err.strerror})") from None
    else:
        ref = resources.files("judge.templates").joinpath(f"{name_or_path}.toml")
        if not ref.is_file():
            names = ", ".join(n[:-5] for n in sorted(e.name for e in resources.files("judge.templates").iterdir())
                              if n.endswith(".toml"))
            raise TemplateError(f"no template named {name_or_path!r}; bundled: {names} (or give a .toml path)")
        where, raw = f"{name_or_path} (bundled)", ref.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise TemplateError(f"{where}: not a valid TOML template ({err})") from None
    return _parse(os.path.basename(name_or_path).removesuffix(".toml"), where, data)


def _parse(name: str, where: str, data: dict[str, Any]) -> Template:
    style = data.get("style", "completion")
    if style not in ("completion", "chat"):
        raise TemplateError(f"{where}: style must be 'completion' or 'chat', not {style!r}")
    texts = data.get("prompt")
    if not isinstance(texts, dict) or not texts:
        raise TemplateError(f"{where}: a [prompt] table with a text per task kind ({', '.join(KINDS)}) is required")
    for kind, text in texts.items():
        if kind not in KINDS or not isinstance(text, str):
            raise TemplateError(f"{where}: [prompt] keys are task kinds ({', '.join(KINDS)}) with text values; "
                                f"got {kind!r}")
        unknown = sorted(set(PLACEHOLDER.findall(text)) - set(VARIABLES))
        if unknown:
            raise TemplateError(f"{where}: unknown placeholder(s) {', '.join(unknown)} in [prompt].{kind}; "
                                f"known: {', '.join(VARIABLES)}")
    stop = data.get("stop", [])
    if not isinstance(stop, list) or not all(isinstance(s, str) and s for s in stop):
        raise TemplateError(f"{where}: stop must be a list of non-empty strings")
    return Template(name=name, description=str(data.get("description", "")), style=style, stop=tuple(stop),
                    texts=dict(texts), system=str(data.get("system", "")), datasets=tuple(data.get("datasets", ())))
