"""Runs the original APPS harness (``eval/testing_util.py`` of a local checkout) over programs.

    python benchmarks/apps_harness_driver.py CHECKOUT PROBLEMS.jsonl.gz PROGRAMS.jsonl OUT.jsonl

Sequential and in-process (the harness at its fastest: its shipped driver also forks a process
and starts a multiprocessing Manager per program).  Its ``reliability_guard`` disables functions
of os, shutil, subprocess and builtins for good, which would break every program after the
first in one process: they are restored after each program.  The harness imports ``pyext``,
whose last release does not import on current Python: when that import fails, a stand-in
providing the one function the harness uses (``RuntimeModule.from_string``) is installed.
"""

from __future__ import annotations

import gzip
import json
import sys
import types


def _install_pyext_stand_in() -> None:
    try:
        import pyext  # noqa: F401
        return
    except Exception:
        pass

    class RuntimeModule:
        @staticmethod
        def from_string(name: str, _doc: str, source: str) -> types.ModuleType:
            module = types.ModuleType(name)
            exec(source, module.__dict__)
            return module

    sys.modules["pyext"] = types.SimpleNamespace(RuntimeModule=RuntimeModule)


def main() -> None:
    checkout, problems_path, programs_path, out_path = sys.argv[1:5]
    sys.set_int_max_str_digits(0)
    _install_pyext_stand_in()
    sys.path.insert(0, f"{checkout}/eval")
    import testing_util  # type: ignore  # the user's checkout
    problems = {}
    with gzip.open(problems_path, "rt") as fh:
        for line in fh:
            row = json.loads(line)
            problems[str(row["problem_id"])] = row
    import builtins
    import os
    import shutil
    import subprocess
    guarded = (os, shutil, subprocess, builtins)
    saved = [dict(vars(module)) for module in guarded]
    saved_modules = dict(sys.modules)
    stdout = sys.stdout
    with open(programs_path) as fh, open(out_path, "w") as out:
        for line in fh:
            item = json.loads(line)
            problem = dict(problems[str(item["task_id"])])
            problem["input_output"] = json.loads(problem["input_output"])
            try:
                results = testing_util.run_test(problem=problem, test=item["completion"])
            except BaseException as err:  # a program that escapes the harness's own handling
                results = [f"harness error: {type(err).__name__}"]
            sys.stdout = stdout
            for module, attrs in zip(guarded, saved):
                vars(module).update(attrs)
            sys.modules.update(saved_modules)
            out.write(json.dumps({"task_id": item["task_id"], "results": [r if isinstance(r, (bool, int, str)) else bool(r) for r in results]}) + "\n")


if __name__ == "__main__":
    main()
