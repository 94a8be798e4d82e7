"""The floor of a fork-per-test judge: the programs run in bare forked children, nothing else.

A minimal server (no sandbox, no referee, no comparison, nothing loaded but the modules the
judge's zygote pre-imports) compiles each program once and forks one child per test input;
the child wires stdin/stdout to memfds, runs the program and exits.  The sum of the children's
CPU time (user + system, from ``wait4``) is the programs' own cost as a forked child pays it,
fork and exit included: what no judge of this design can go below.  ``workers`` servers run
side by side, so their wall time is also what a judge without any sandboxing would take.

Untrusted programs must never run like this: only the benchmarks feed it, and only with the
reference programs and their derivatives shipped in ../shared/data.
"""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import threading
import time

from judge.sandbox.zygote import PRELOAD

# The server (python -I).  Requests and answers travel as marshal data on the pipes named in argv:
# (kind, source, fn_name, solution_class, [test inputs]) -> [child CPU seconds per input].  A child
# has the judge's CPU limit; its output is discarded (nothing is compared).
SERVER = r"""
import gc, io, marshal, os, resource, sys
for name in sys.argv[1].split(","):
    try:
        __import__(name)
    except ImportError:
        pass
requests, answers = os.fdopen(int(sys.argv[2]), "rb"), os.fdopen(int(sys.argv[3]), "wb")
stdin_fd, stdout_fd = os.memfd_create("in"), os.memfd_create("out")
sys.set_int_max_str_digits(0)
gc.collect(); gc.freeze()

def child(kind, code, fn_name, solution_class, test_input):
    os.dup2(stdin_fd, 0); os.dup2(stdout_fd, 1)
    resource.setrlimit(resource.RLIMIT_CPU, (3, 4))
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "rb", closefd=False)))
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "wb", closefd=False)))
    try:
        if kind == "stdio":
            exec(code, {"__name__": "__main__"})
        else:
            namespace = {"__name__": "solution"}
            exec(code, namespace)
            target = getattr(namespace["Solution"](), fn_name) if solution_class else namespace[fn_name]
            print(repr(target(*test_input)))
    except BaseException:
        pass
    try:
        sys.stdout.flush()
    finally:
        os._exit(0)

while True:
    try:
        kind, source, fn_name, solution_class, inputs = marshal.load(requests)
    except EOFError:
        break
    try:
        code = compile(source, "solution.py", "exec")
    except (SyntaxError, ValueError):
        code = compile("", "solution.py", "exec")
    cpus = []
    for test_input in inputs:
        for fd in (stdin_fd, stdout_fd):
            os.ftruncate(fd, 0); os.lseek(fd, 0, 0)
        if kind == "stdio":
            os.write(stdin_fd, test_input.encode("utf-8", "surrogateescape")); os.lseek(stdin_fd, 0, 0)
        pid = os.fork()
        if pid == 0:
            child(kind, code, fn_name, solution_class, test_input)
        _, _, usage = os.wait4(pid, 0)
        cpus.append(usage.ru_utime + usage.ru_stime)
    marshal.dump(cpus, answers); answers.flush()
"""


def _serve(work: list[tuple], preload: str, cpus: list[float]) -> None:
    requests_r, requests_w = os.pipe()
    answers_r, answers_w = os.pipe()
    proc = subprocess.Popen([sys.executable, "-I", "-c", SERVER, preload, str(requests_r), str(answers_w)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            pass_fds=(requests_r, answers_w))
    os.close(requests_r)
    os.close(answers_w)
    try:
        with os.fdopen(requests_w, "wb") as requests, os.fdopen(answers_r, "rb") as answers:
            for item in work:
                marshal.dump(item, requests)
                requests.flush()
                cpus.extend(marshal.load(answers))
    except (EOFError, BrokenPipeError):
        raise RuntimeError(f"the bare fork-server exited early (status {proc.wait()})") from None
    proc.wait()


def measure(work: list[tuple], workers: int) -> tuple[float, float, int]:
    """Run ``work`` — (kind, source, fn_name, solution_class, [test inputs]) per program — on
    ``workers`` bare servers; programs mentioning numpy go to servers that pre-import it, as in
    the judge.  Returns (wall seconds, summed child CPU seconds, tests run)."""
    lean = ",".join(PRELOAD)
    shares = [([], []) for _ in range(workers)]  # per worker: (lean programs, numpy programs)
    for index, item in enumerate(work):
        shares[index % workers]["numpy" in item[1]].append(item)
    cpus: list[float] = []

    def worker(share: tuple[list, list]) -> None:
        mine: list[float] = []
        for items, preload in zip(share, (lean, lean + ",numpy")):
            if items:
                _serve(items, preload, mine)
        cpus.extend(mine)

    threads = [threading.Thread(target=worker, args=(share,)) for share in shares]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, sum(cpus), len(cpus)


def execution_cpu(run_dir: str) -> tuple[float, float, int]:
    """(CPU of the executions that hit the time limit, CPU of the others, executions) of a judge
    run, from its store: each execution's own CPU in its sandboxed child.  An input that is both
    an example and a hidden test ran once and has a record per role with the same figures: it
    counts once."""
    from judge.store import RunStore
    store = RunStore(run_dir, readonly=True)
    executions = {(sample.program_id, t.verdict, t.cpu, t.wall) for sample, tests in store.judged_programs() for t in tests}
    store.close()
    tle = sum(cpu for _, verdict, cpu, _ in executions if verdict == "TLE")
    return tle, sum(cpu for _, _, cpu, _ in executions) - tle, len(executions)
