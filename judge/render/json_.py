"""The report as JSON: the data every other format renders."""

from __future__ import annotations

import json
from typing import Any

EXAMPLES = False


def text(report: dict[str, Any], context: Any = None) -> str:
    return json.dumps(report, indent=2) + "\n"
