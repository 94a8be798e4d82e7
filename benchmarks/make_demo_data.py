"""Rebuild the demo data bundled in judge/data from ../shared/data (run from the repository root).

- apps_demo.jsonl.gz: the 153 APPS train problems with full tests, plus the 49 stdin problems
  rebuilt from MapCoder's test lists (the 153's rows win where both have a problem).
- demo_samples_apps.jsonl.gz: real model programs for those problems: CodeRL's samples for
  5 problems (both kinds, all difficulties) and the GPT-4 / ChatGPT programs published with
  MapCoder for its stdin problems (minus five problems whose samples loop for minutes).
- demo_samples_humaneval.jsonl.gz: the first 10 CodeGen-Mono-16B samples per HumanEval task,
  truncated at the Codex stop sequences.
"""

from __future__ import annotations

import gzip
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.shared_data import apps_generations, apps_problems, codegen16b_humaneval  # noqa: E402
from judge.samples import CODEX_STOPS, truncate  # noqa: E402

# Problems whose demo samples loop long enough to cost 20-60 s of CPU each to judge (many
# tests x 3 s): left out of the demo so that it runs in about a minute on two cores.
SLOW = {2010, 2037, 2092, 2183, 2198}
OUT = os.path.join(os.path.dirname(__file__), "..", "judge", "data")


def write(name: str, rows: list[dict]) -> None:
    with gzip.open(os.path.join(OUT, name), "wt", encoding="utf-8", compresslevel=9) as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    print(f"{name}: {len(rows)} rows")


def main() -> None:
    problems = apps_problems()
    write("apps_demo.jsonl.gz", [problems[k] for k in sorted(problems)])
    write("demo_samples_apps.jsonl.gz", apps_generations(problems, skip=SLOW))
    he = []
    for task_id, completions in codegen16b_humaneval():
        he += [{"task_id": task_id, "completion": truncate(c, CODEX_STOPS)} for c in completions[:10]]
    write("demo_samples_humaneval.jsonl.gz", he)


if __name__ == "__main__":
    main()
