"""Public tests: the input/output examples written in a problem statement.

Filtered pass@k keeps only the samples that pass these.  Supported layouts:
- Codeforces / CodeChef (APPS): ``-----Example(s)-----`` then ``Input`` / ``Output`` blocks;
- AtCoder / Kattis: ``-----Sample Input N-----`` / ``-----Sample Output N-----`` (also with ``:``);
- LeetCode (call-based): ``Example 1:`` … ``Input: a = [1,2], b = "x"`` … ``Output: true``.
Anything else (Codewars prose, say) yields no examples; callers then fall back to the first
hidden test(s).
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

_SECTION = re.compile(r"^-{3,}\s*([^-\n]*?)\s*-{3,}\s*$", re.MULTILINE)
_INPUT = re.compile(r"^(?:sample\s+)?input(?:\s*\d+)?\s*:?\s*$", re.IGNORECASE)
_OUTPUT = re.compile(r"^(?:sample\s+)?output(?:\s*\d+)?\s*:?\s*$", re.IGNORECASE)


def _block(lines: list[str]) -> str:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    while lines and not lines[0].strip():
        lines = lines[1:]
    return "\n".join(lines) + "\n" if lines else ""


def _pairs_from_blocks(blocks: list[tuple[str, list[str]]]) -> list[tuple[str, str]]:
    pairs, pending = [], None
    for kind, lines in blocks:
        if kind == "in":
            pending = _block(lines)
        elif pending is not None:
            pairs.append((pending, _block(lines)))
            pending = None
    return [(i, o) for i, o in pairs if i.strip() and o.strip()]


def stdio_examples(statement: str) -> list[tuple[str, str]]:
    """(input, output) pairs from a stdin/stdout problem statement, in order."""
    text = statement.replace("\r\n", "\n")
    headers = list(_SECTION.finditer(text))
    blocks: list[tuple[str, list[str]]] = []
    for i, header in enumerate(headers):
        title = header.group(1).strip().rstrip(":").lower()
        body = text[header.end(): headers[i + 1].start() if i + 1 < len(headers) else len(text)]
        lines = body.split("\n")
        if re.fullmatch(r"sample input(?:\s*\d+)?", title):
            blocks.append(("in", lines))
        elif re.fullmatch(r"sample output(?:\s*\d+)?", title):
            # An explanation often follows the output after a blank line.
            cut = next((k for k, line in enumerate(lines) if k > 1 and not line.strip()
                        and any(lines[j].strip() for j in range(1, k))), len(lines))
            blocks.append(("out", lines[:cut]))
        elif title in ("example", "examples", "sample", "samples", "sample test", "sample tests",
                       "example input", "examples input"):
            current: list[str] | None = None
            for line in lines:
                if _INPUT.match(line.strip()):
                    current = []
                    blocks.append(("in", current))
                elif _OUTPUT.match(line.strip()):
                    current = []
                    blocks.append(("out", current))
                elif current is not None:
                    current.append(line)
    return _pairs_from_blocks(blocks)


def _split_top_level(text: str) -> list[str]:
    parts, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _value(text: str) -> Any:
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        return ast.literal_eval(text.replace("null", "None").replace("true", "True").replace("false", "False"))


def call_examples(statement: str) -> list[tuple[list[Any], Any]]:
    """(arguments, result) pairs from a LeetCode-style statement."""
    found = []
    pattern = re.compile(r"Input:\s*(.+?)\s*\n\s*Output:\s*(.+?)\s*(?:\n|$)", re.DOTALL)
    for match in pattern.finditer(statement.replace("\r\n", "\n")):
        raw_args, raw_out = match.group(1), match.group(2)
        try:
            args = []
            for part in _split_top_level(raw_args.replace("\n", " ")):
                name, sep, value = part.partition("=")
                args.append(_value(value if sep and re.fullmatch(r"\s*\w+\s*", name) else part))
            found.append((args, _value(raw_out)))
        except (ValueError, SyntaxError):
            continue
    return found
