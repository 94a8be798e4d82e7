"""testlib-style checker executables: ``checker input output answer``; the exit code is the verdict
(0 accepted, 1 wrong answer, 2 presentation error, anything else: the checker failed).

A checker reads untrusted output, so it runs confined like a program, in a process of its own:
its own session, resource limits (CPU, memory, file size, open files), as root a uid no program
or worker has and fresh network and IPC namespaces, Landlock (it reads the three files, its
own copy of itself and the system's shared libraries; writes nothing; can signal nothing
outside itself), and a seccomp filter loaded before its one exec (no other process, no ptrace,
no signals, no sockets).  Its stdout and stderr are files the referee opened, capped by the
file-size limit.  It must be a self-contained binary: a script's interpreter is not executable
in there.
"""

from __future__ import annotations

import ctypes
import glob
import os
import resource
import shutil
import signal
import subprocess
import tempfile

from judge.sandbox import landlock
from judge.sandbox.seccomp_policy import CompiledFilter, build_filter
from judge.verdicts import Verdict

CPU_SECONDS, WALL_SECONDS = 10, 30
MEMORY, OUTPUT = 1 << 30, 1 << 20
UID_OFFSET = 60_000_000  # as root, the checker's uid: the worker's uid plus this (no program has it)
SYSTEM = ("/lib", "/lib64", "/usr/lib", "/usr/lib64", "/etc/ld.so.cache", "/usr/lib/locale")
CLONE_NEWNET, CLONE_NEWIPC = 0x40000000, 0x08000000
_filter: CompiledFilter | None = None


def run(path: str, test_input: str, expected: str, output: str, root: str, uid: int | None) -> tuple[Verdict, str]:
    """The checker's verdict on one output: AC, WA with its message, or IE saying why not."""
    global _filter
    if _filter is None:
        _filter = CompiledFilter(build_filter(child=True, checker=True))
    work = tempfile.mkdtemp(prefix="check-", dir=root)
    try:
        # Everything by relative name in its working folder, entered before its uid changes: the
        # folders above it need not be open to that uid.
        os.chmod(work, 0o755)
        binary = os.path.join(work, "checker")
        shutil.copyfile(path, binary)
        os.chmod(binary, 0o755)
        files = ["input.txt", "output.txt", "answer.txt"]
        for name, text in zip(files, (test_input, output, expected)):
            with open(os.path.join(work, name), "w", encoding="utf-8", errors="surrogateescape") as fh:
                fh.write(text)
            os.chmod(os.path.join(work, name), 0o644)
        abi = landlock.abi_version()
        # Python's folders are left out: a checker has no business there (the judge may be installed there).
        rules = landlock.Ruleset(abi, [work, *SYSTEM], [], glob.glob("/usr/lib/python3*")) if abi else None
        checker_uid = uid + UID_OFFSET if uid is not None else None
        with open(os.path.join(work, "stdout"), "wb") as out, open(os.path.join(work, "stderr"), "wb") as err:
            try:
                proc = subprocess.Popen(["./checker", *files], stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=work,
                                        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, close_fds=True,
                                        pass_fds=(rules.fd,) if rules else (),
                                        preexec_fn=lambda: _confine(rules, checker_uid))
            except OSError as error:
                return Verdict.IE, f"checker failed to start: {error}"
            try:
                code = proc.wait(timeout=WALL_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                return Verdict.IE, f"checker failed: still running after {WALL_SECONDS} s"
            finally:
                if rules:
                    os.close(rules.fd)
        with open(os.path.join(work, "stderr"), "rb") as fh:
            lines = fh.read(400).decode("utf-8", "replace").strip().splitlines()
        message = lines[0][:200] if lines else ""
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if code == 0:
        return Verdict.AC, message
    if code in (1, 2):
        return Verdict.WA, message
    if code < 0:
        why = {int(signal.SIGSYS): "a forbidden system call", int(signal.SIGXCPU): "its CPU limit",
               int(signal.SIGXFSZ): "its output limit"}.get(-code, f"signal {-code}")
        return Verdict.IE, f"checker failed: {why}"
    return Verdict.IE, f"checker failed (exit {code}): {message}"


def _confine(rules: landlock.Ruleset | None, uid: int | None) -> None:
    """In the checker's process, before its exec: nothing here may raise past what it sets up."""
    os.setsid()
    for limit, value in ((resource.RLIMIT_CPU, CPU_SECONDS), (resource.RLIMIT_AS, MEMORY),
                         (resource.RLIMIT_FSIZE, OUTPUT), (resource.RLIMIT_NOFILE, 64), (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(limit, (value, value))
    libc = ctypes.CDLL(None, use_errno=True)
    if uid is not None:
        if libc.unshare(CLONE_NEWNET | CLONE_NEWIPC) != 0:
            raise OSError(ctypes.get_errno(), "unshare")
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    if rules is not None:
        rules.enforce(rules.fd)  # sets no_new_privs too
    elif libc.prctl(landlock.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "no_new_privs")
    assert _filter is not None
    _filter.install()
