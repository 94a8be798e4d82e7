"""The compiler: a sandboxed process of its own that turns programs' sources into marshalled code.

Compiling reads hostile text, and can cost a lot (a million-digit literal takes CPython ~17 s, a
huge expression hundreds of MB), so it happens neither in the referee (trusted, bounded cost)
nor in the zygote (whatever it once held, every later test child inherits: sources and code of
earlier samples included).  This process never forks a program, so nothing a program can read
ever held another one.  It is restricted like the zygote (no_new_privs, Landlock with nothing
readable or writable, the seccomp allow-list and the children's filter, an address-space limit,
its own uid when the judge is root) and compiles each program under the program's own CPU limit
(``ITIMER_PROF``: SIGPROF ends it, and its client reports the program as CE, "TLE while
compiling").  Compiling costs ~0.1 ms here; in a forked child it cost ~2.7 ms (its allocations
copy the parent's pages).
"""

from __future__ import annotations

import base64
import ctypes
import marshal
import os
import resource
import signal
import socket
import sys
import time

from judge.sandbox import harness, landlock, protocol
from judge.sandbox.seccomp_policy import CompiledFilter

PR_SET_NO_NEW_PRIVS = 38


def _restrict(config: dict) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    with open("/proc/self/status") as fh:
        vm = next((int(line.split()[1]) << 10 for line in fh if line.startswith("VmSize:")), 0)
    if os.geteuid() == 0 and config.get("uid") is not None:
        os.setgroups([])
        os.setresgid(config["uid"], config["uid"], config["uid"])
        os.setresuid(config["uid"], config["uid"], config["uid"])
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(NO_NEW_PRIVS) failed")
    abi = landlock.abi_version() if config.get("landlock", True) else 0
    if abi:  # nothing to read, nothing to write, no signal out of its domain
        ruleset = landlock.Ruleset(abi, [], [], [])
        ruleset.enforce(ruleset.fd)
        os.close(ruleset.fd)
    memory = vm + config["limits"]["memory"]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    for bpf in (config["seccomp_zygote"], config["seccomp_child"]):
        CompiledFilter(base64.b64decode(bpf)).install()


def main(config: dict) -> None:
    """Started by :data:`judge.sandbox.client.BOOT`: answer compile requests until the channel closes.

    Request: ``{"op": "compile", "seq", "wrap_fallback"}`` with the source and the prelude as blobs.
    Answer: ``{"seq", "cpu"}`` with the marshalled code as a blob, or ``{"seq", "cpu", "exc",
    "msg"}`` when it does not compile.  After a MemoryError it exits (its heap may stay large):
    the client starts a fresh one.
    """
    sys.set_int_max_str_digits(0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sock = socket.socket(fileno=int(config["fd"]))
    _restrict(config)
    cpu_limit = float(config["limits"]["cpu"])
    protocol.send(sock, {"pid": os.getpid()})
    while True:
        try:
            req, blobs, _ = protocol.recv(sock)
        except (protocol.ChannelClosed, OSError):
            return
        if req.get("op") != "compile" or len(blobs) != 2:
            return
        start = time.process_time()
        header: dict = {"seq": req.get("seq")}
        out: tuple[bytes, ...] = ()
        signal.setitimer(signal.ITIMER_PROF, cpu_limit)  # SIGPROF's default action ends this process
        try:
            code = harness.compile_program(blobs[0].decode("utf-8", "surrogateescape"),
                                           blobs[1].decode("utf-8", "surrogateescape"), bool(req.get("wrap_fallback")))
            out = (marshal.dumps(code),)
            del code
            if len(out[0]) > config["limits"]["output"]:  # the zygote would keep it for every test
                header.update(exc="OutputLimit", msg="the compiled program is larger than the output limit")
                out = ()
        except BaseException as err:  # SyntaxError, ValueError (NUL bytes), RecursionError, MemoryError
            header.update(exc=type(err).__name__, msg=str(err)[:300])
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        header["cpu"] = time.process_time() - start
        del blobs
        protocol.send(sock, header, out)
        if header.get("exc") == "MemoryError":
            return
