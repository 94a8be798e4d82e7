"""Checkers: how a program's answer is compared with the expected one.  One module per checker.

A built-in checker module has ``compare_stdout(expected: str, actual: str, **params)`` and
``compare_return(expected, actual, **params)``, each returning the name of the step that
accepted the answer (recorded with the verdict: a report can say which rule made a test
pass) or None to reject, and ``STRICT``: whether it is the exact default (under any other
checker, each accepted answer is also checked by the strict one, so that a report can count
the passes that only the leniency gives).  The run-wide rule (``--compare``) may also set
``PRELUDE`` (source prepended to every program) and ``WRAP_MODULE_RETURN`` (retry a program
whose module-level ``return`` does not compile inside a function), to reproduce the harness it
mirrors.

A task may have a checker of its own (:class:`CheckerSpec`): a built-in with parameters, or a
special judge, a Python ``check(input, expected, output)`` that runs in the sandbox
(:mod:`judge.checkers.special`).  They come from a checkers folder (``--checkers DIR``, and the
bundled data's own): ``<task_id>.toml`` naming a built-in (``checker = "float"`` and its
parameters under ``[params]``), ``<task_id>.py``, or ``<task_id>``, a testlib-style executable
(:mod:`judge.checkers.executable`).
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from judge.errors import JudgeError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

CHECKERS = {
    "strict": "judge.checkers.strict", "tokens": "judge.checkers.strict",
    "apps-compat": "judge.checkers.apps_compat", "float": "judge.checkers.float_", "lines": "judge.checkers.lines",
    "case-insensitive": "judge.checkers.case_insensitive", "unordered": "judge.checkers.unordered",
}
RULES = ("strict", "apps-compat")  # the run-wide rules (--compare): they may also change how programs run
SPECIAL = "python"                  # a task's own Python checker, run in the sandbox
EXECUTABLE = "executable"           # a task's own testlib-style checker program, run confined


class CheckerError(JudgeError, ValueError):
    """A checker (or a checkers folder) that cannot be used; the message names the file."""


# Statement wording of problems that accept any of several answers (APPS: "If there are multiple
# answers, print any of them"): compared with one stored answer, a correct program can fail.
# Patterns are tried where their leading word occurs (str.find), not at every character: a tenth
# of the time of searching with the whole pattern (4 ms for the 153 bundled statements, on the
# critical path of every run's start), with the same verdict on the 39,121 texts of ../shared.
_ANY_FORMS = re.compile(r"\bany (?:(?:one )?of them|(?:valid|correct|possible|optimal|suitable) (?:answer|solution))")
_AFTER_ANY = re.compile(r"any\b(?!\s+(?:two|pair|numbers?|integers?|elements?)\b)")  # after print/output/find
_ANY_VERBS = ("print", "output", "find")
_SEVERAL = re.compile(r"there (?:are|is|exist)\s+(?:several|multiple|many|more than one)\s+"  # after "if" or "when"
                      r"(?:possible\s+|valid\s+|correct\s+|optimal\s+)?(?:answers?|solutions?|ways|ones|variants)"
                      r"([^.]{0,150})")
_ONE_OF_THEM = re.compile(r"\bany\b|accept|either")
_A_CHOSEN_ONE = re.compile(r"minim|maxim|smallest|largest|lexicographic|all of them|the first|the last")


def _print_any(text: str) -> bool:
    """"print any", "output any of them", "any valid answer", ... (not "print any two numbers")."""
    at = text.find("any")
    while at >= 0:
        if _ANY_FORMS.match(text, at):
            return True
        if _AFTER_ANY.match(text, at):
            before = at
            while before > 0 and text[before - 1].isspace():
                before -= 1
            if before < at and text.endswith(_ANY_VERBS, 0, before):
                return True
        at = text.find("any", at + 1)
    return False


def _several_answers(text: str) -> Iterator[re.Match[str]]:
    """Each "if/when there are several answers..." (and the words after it), left to right, not
    overlapping."""
    at, searched = text.find("there "), 0
    while at >= 0:
        for prefix in ("if ", "when "):
            start = at - len(prefix)
            if start >= searched and text.startswith(prefix, start):
                found = _SEVERAL.match(text, at)
                if found:
                    yield found
                    searched = found.end()
                break
        at = text.find("there ", max(at + 1, searched))


def says_any_answer(statement: str) -> bool:
    """Does the statement accept any of several answers?  ("If there are several answers, print
    the smallest" does not.)"""
    text = statement.lower()  # then case-sensitive patterns: half the time of IGNORECASE ones
    if _print_any(text):
        return True
    return any(_ONE_OF_THEM.search(m.group(1)) and not _A_CHOSEN_ONE.search(m.group(1))
               for m in _several_answers(text))


def get_rule(name: str) -> ModuleType:
    try:
        return importlib.import_module(CHECKERS[name])
    except KeyError:
        raise CheckerError(f"unknown checker {name!r}; choose one of: {', '.join(CHECKERS)}") from None


@dataclass(frozen=True)
class CheckerSpec:
    """A task's checker: a built-in ``name`` with ``params``, or ``name == "python"`` with the
    special judge's ``source``; ``where`` is the file it came from (for messages)."""

    name: str
    params: tuple[tuple[str, Any], ...] = ()
    source: str = ""
    where: str = ""

    @property
    def label(self) -> str:
        """How reports name it: ``float(abs=0.0001)``, ``python:<file>``."""
        if self.name in (SPECIAL, EXECUTABLE):
            return f"{self.name}:{os.path.basename(self.where)}"
        return self.name + (f"({', '.join(f'{k}={v}' for k, v in self.params)})" if self.params else "")

    def digest(self) -> str:
        content = self.source
        if self.name == EXECUTABLE:
            with open(self.where, "rb") as fh:
                content = hashlib.sha256(fh.read()).hexdigest()
        return hashlib.sha256(repr((self.name, self.params, content)).encode()).hexdigest()[:16]


def load_checkers(folder: str) -> dict[str, CheckerSpec]:
    """task id -> checker, from ``folder``: ``<id>.toml`` (a built-in with parameters) or ``<id>.py``."""
    if not os.path.isdir(folder):
        raise CheckerError(f"--checkers {folder}: not a folder")
    found: dict[str, CheckerSpec] = {}
    for entry in sorted(os.listdir(folder)):
        path = os.path.join(folder, entry)
        stem, ext = os.path.splitext(entry)
        if ext == ".py":
            with open(path, encoding="utf-8") as fh:
                source = fh.read()
            try:
                compile(source, path, "exec")  # the judge compiles it; it runs only in the sandbox
            except SyntaxError as err:
                raise CheckerError(f"{path}:{err.lineno}: the checker does not compile ({err.msg})") from None
            if "def check(" not in source:
                raise CheckerError(f"{path}: a Python checker defines check(input, expected, output)")
            spec = CheckerSpec(SPECIAL, source=source, where=path)
        elif ext == ".toml":
            try:
                with open(path, "rb") as fh:
                    data = tomllib.load(fh)
            except tomllib.TOMLDecodeError as err:
                raise CheckerError(f"{path}: not valid TOML ({err})") from None
            name, params = data.get("checker"), data.get("params", {})
            if name not in CHECKERS or name in RULES[1:]:
                raise CheckerError(f"{path}: checker must be one of {', '.join(c for c in CHECKERS if c not in RULES[1:])}, "
                                   f"not {name!r}")
            spec = CheckerSpec(name, tuple(sorted(params.items())), where=path)
            _check_params(spec)
        elif not ext and os.path.isfile(path) and os.access(path, os.X_OK):
            with open(path, "rb") as fh:
                if fh.read(4) != b"\x7fELF":
                    raise CheckerError(f"{path}: a checker executable must be a compiled program (a script's "
                                       "interpreter cannot run in the checker's sandbox)")
            spec = CheckerSpec(EXECUTABLE, where=os.path.abspath(path))
        else:
            continue
        if stem in found:
            raise CheckerError(f"{path}: task {stem} has two checkers in {folder}")
        found[stem] = spec
    return found


def _check_params(spec: CheckerSpec) -> None:
    import inspect
    accepted = set(inspect.signature(get_rule(spec.name).compare_stdout).parameters) - {"expected", "actual"}
    unknown = [k for k, _ in spec.params if k not in accepted]
    if unknown:
        raise CheckerError(f"{spec.where}: checker {spec.name} has no parameter {', '.join(unknown)} "
                           f"(it takes: {', '.join(sorted(accepted)) or 'none'})")
