"""The baseline every harness is compared with: one fresh ``python3`` process per test.

Each child gets the same limits as the judge's (CPU, address space, output size, no core) and
a seccomp filter built in the child (as a naive sandbox would), stdin/stdout through pipes.
Hidden tests stop at the first failure other than TLE, exactly like the judge.
"""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from judge.checkers import strict
from judge.datasets import Task

# The filter can only be loaded after exec (it forbids execve): the child builds it first thing.
SECCOMP = """
import pyseccomp as seccomp
flt = seccomp.SyscallFilter(seccomp.ALLOW)
for name in ("socket", "fork", "vfork", "execve", "ptrace"):
    flt.add_rule(seccomp.KILL_PROCESS, name)
flt.add_rule(seccomp.KILL_PROCESS, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, 0x10000, 0))
flt.add_rule(seccomp.ERRNO(38), "clone3")
flt.load()
del flt, seccomp
"""

# A program that does not compile exits with 3 (reported as CE).
STDIO_WRAPPER = """
import sys
sys.set_int_max_str_digits(0)
try:
    code = compile(sys.argv[1], "solution.py", "exec")
except (SyntaxError, ValueError):
    sys.exit(3)
exec(code, {"__name__": "__main__"})
"""

CALL_WRAPPER = SECCOMP + """
import json, sys
sys.set_int_max_str_digits(0)
namespace = {"__name__": "solution"}
try:
    code = compile(sys.argv[1], "solution.py", "exec")
except (SyntaxError, ValueError):
    sys.exit(3)
exec(code, namespace)
fn = sys.argv[2]
target = getattr(namespace["Solution"](), fn) if "Solution" in namespace else namespace[fn]
result = target(*json.loads(sys.stdin.read()))
if isinstance(result, tuple):
    result = list(result)
print(json.dumps(result))
"""


def _limits(cpu: float, memory: int, output: int):
    def apply() -> None:
        import math
        cpu_s = max(1, math.ceil(cpu))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (output, output))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        for sig in (signal.SIGPIPE, signal.SIGXFSZ):
            signal.signal(sig, signal.SIG_DFL)
    return apply


def run_test(task: Task, source: str, test_input, cpu: float = 3.0, memory: int = 2 << 30,
             output: int = 16 << 20) -> tuple[str, float, object]:
    """(verdict before comparison or "", child CPU seconds, stdout text or decoded return value)."""
    if task.kind == "stdio":
        argv, stdin = [sys.executable, "-c", SECCOMP + STDIO_WRAPPER, source], test_input
    else:
        argv, stdin = [sys.executable, "-c", CALL_WRAPPER, source, task.fn_name or ""], json.dumps(test_input)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            preexec_fn=_limits(cpu, memory, output))
    try:
        out, _ = proc.communicate(stdin.encode(), timeout=2 * cpu + 1)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return "TLE", 0.0, None
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime  # approximate under threads
    code = proc.returncode
    if code == -signal.SIGSYS:
        return "SV", used, None
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return "TLE", used, None
    if code == -signal.SIGXFSZ:
        return "OLE", used, None
    if code == 3:
        return "CE", used, None
    if code != 0:
        return "RE", used, None
    text = out.decode("utf-8", "surrogateescape")
    if task.kind == "stdio":
        return "", used, text
    try:
        return "", used, json.loads(text)
    except ValueError:
        return "RE", used, None


def judge_program(task: Task, source: str, cpu: float = 3.0) -> list[tuple[int, str]]:
    """Per hidden test (index, verdict), with the judge's early-exit rule."""
    verdicts = []
    for index, test in enumerate(task.tests):
        verdict, _, value = run_test(task, source, test.input, cpu)
        if not verdict:
            ok = strict.compare_stdout(test.output, value) if task.kind == "stdio" else strict.compare_return(test.output, value)
            verdict = "AC" if ok else "WA"
        verdicts.append((index, verdict))
        if verdict not in ("AC", "TLE"):
            break
    return verdicts


def judge_all(work: list[tuple[Task, str]], workers: int) -> list[list[tuple[int, str]]]:
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda item: judge_program(*item), work))

