"""The zygote: a pre-imported, single-threaded fork server that runs one test per child.

It is started by exec (``python -m judge.sandbox.zygote``) with a clean environment, so its
memory holds nothing of the judge's: no dataset, no expected output.  At start-up it restricts
itself with everything its children share (Landlock, the large seccomp filter, static rlimits).
It receives a program (compiled once), then test inputs for it, one frame each (see
:mod:`judge.sandbox.protocol`).  Per test it forks, and in the child: wires stdin/stdout/stderr/
status to memfds, enters the scratch directory, sets the CPU and output limits, drops to the
worker's uid and installs the small seccomp filter that forbids creating processes, then runs
the program (:mod:`judge.sandbox.harness`).  The zygote waits on a pidfd with a wall-clock
watchdog, answers with the exit status, CPU time, peak memory and the captured output, and
empties the scratch directory.  These per-test steps run in C (judge/sandbox/_spawn.c) when it
is built, and in the Python below otherwise.
"""

from __future__ import annotations

import base64
import ctypes
import fcntl
import gc
import json
import math
import os
import resource
import select
import signal
import socket
import stat
import struct
import sys
import time

from judge.sandbox import harness, landlock, protocol
from judge.sandbox.seccomp_policy import CompiledFilter

try:  # fork, child set-up and wait in C (judge/sandbox/_spawn.c); the same steps in Python otherwise
    from judge.sandbox import _spawn
except ImportError:
    _spawn = None

# What generated programs commonly import, loaded once so that children start warm.
PRELOAD = (
    "bisect", "collections", "copy", "fractions", "functools", "heapq", "itertools", "math",
    "operator", "random", "re", "string", "sys", "time", "typing",
)
# numpy makes every fork cost ~0.8 ms more (a larger address space to copy and fault in), so
# it gets a zygote of its own, started on demand for the programs that mention it.
PRELOAD_NUMPY = PRELOAD + ("numpy",)

PR_SET_PDEATHSIG = 1
PR_SET_KEEPCAPS = 8
PR_SET_NO_NEW_PRIVS = 38
COMPILE_IN_ZYGOTE_MAX = 1 << 20  # larger programs compile in their (time-limited) child
SCRATCH_BYTES = 64 << 20          # all files of one test together
COLLECT_EVERY = 256               # programs loaded between the zygote's garbage collections
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 2, 4, 1 << 14, 1 << 18
CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
CAP_DAC_READ_SEARCH = 2
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_libc = ctypes.CDLL(None, use_errno=True)
_prctl, _capset = _libc.prctl, _libc.capset  # resolved once, here, not in every child


def _keep_only_dac_read_search() -> None:
    header = struct.pack("Ii", _LINUX_CAPABILITY_VERSION_3, 0)
    bit = 1 << CAP_DAC_READ_SEARCH
    data = struct.pack("IIIIII", bit, bit, 0, 0, 0, 0)  # effective, permitted, inheritable (x2)
    if _capset(header, data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")


class Zygote:
    def __init__(self, config: dict) -> None:
        self.pid = os.getpid()
        self.uid: int | None = config.get("uid") if os.geteuid() == 0 else None
        self.limits = config["limits"]
        self.scratch = config["scratch"]
        os.makedirs(self.scratch, mode=0o700, exist_ok=True)
        self.scratch_tmpfs = self._private_scratch()
        self.netns = config.get("netns", True) and self._private_network()
        if self.uid is not None:
            os.chown(self.scratch, self.uid, self.uid)
        self.preloaded = self._preload(PRELOAD_NUMPY if config.get("numpy") else PRELOAD)
        self.spawn = _spawn if config.get("c_spawn", True) else None
        child_bpf = base64.b64decode(config["seccomp_child"])
        self.child_filter = CompiledFilter(child_bpf) if self.spawn is None else None  # the Python set-up's
        self.memfds = {name: _high(os.memfd_create(f"judge-{name}", os.MFD_CLOEXEC))
                       for name in ("stdin", "stdout", "stderr", "status")}
        self.streams = harness.make_streams()
        self.modules = harness.prepare()
        self.base_vm = _vm_size()
        self.code_cache: dict[tuple[bytes, str, bool], object] = {}
        self.program: tuple[dict, object] | None = None  # the loaded program: (request, code)
        self.dirty = False  # the scratch directory could not be emptied
        self.landlock_abi = self.landlock_rules = 0
        self._restrict_self(config)
        if self.spawn is not None:
            cpu = max(1, math.ceil(self.limits["cpu"]))
            fds = self.memfds
            self.spawn.configure(fds["stdin"], fds["stdout"], fds["stderr"], fds["status"],
                                   -1 if self.scope_fd is None else self.scope_fd, self.scratch, cpu, cpu + 1,
                                   self.limits["output"], -1 if self.uid is None else self.uid,
                                   self.keep_dac_read, self.pid, child_bpf)
        gc.collect()
        gc.freeze()  # children then do not dirty every inherited page on their first collection
        # No automatic collections here either: one writes to the header of every tracked object,
        # and each page it dirties is copied again after the next fork.  The zygote collects every
        # COLLECT_EVERY programs it loads; children collect as usual (the harness re-enables it).
        gc.disable()
        self.loads = 0

    def _restrict_self(self, config: dict) -> None:
        """Apply, once and to the zygote itself, every layer its children share.

        Children inherit them through fork: the Landlock domain, the large seccomp filter,
        no_new_privs and the static rlimits.  Each child then adds only what differs per
        test or what the zygote cannot have (uid, CPU and file-size limits, the filter that
        forbids creating processes).
        """
        if _prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(NO_NEW_PRIVS) failed")
        abi = landlock.abi_version() if config.get("landlock", True) else 0
        if abi:
            readable = [p for p in sys.path if p and os.path.isdir(p)]
            readable += [os.path.dirname(os.__file__), "/usr", "/lib", "/lib64", "/etc/localtime",
                         "/dev/null", "/dev/zero", "/dev/urandom"]
            # Every copy of the judge package on the path (an install and a checkout may both be
            # there) holds the bundled datasets: none of them is readable.
            hidden = config.get("hidden", []) + [os.path.join(p, "judge") for p in readable
                                                 if os.path.isdir(os.path.join(p, "judge", "data"))]
            ruleset = landlock.Ruleset(abi, readable, [self.scratch, "/dev/null"], hidden)
            ruleset.enforce(ruleset.fd)
            os.close(ruleset.fd)
            self.landlock_abi, self.landlock_rules = abi, ruleset.rules
        # Reading the runtime under a private home (e.g. /root/.pyenv) needs DAC bypass for
        # reads, which is only granted when Landlock bounds what can be read.
        self.keep_dac_read = self.uid is not None and self.landlock_abi > 0
        # Without a uid of its own, a child could signal its zygote (same uid, same domain).
        self.scope_fd = None
        if self.uid is None and abi:
            fd = landlock.signal_scope_ruleset(abi)
            self.scope_fd = _high(fd) if fd is not None else None
        memory = self.base_vm + self.limits["memory"]
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        # Competitive programs often raise their stack limit to "unlimited": allow it (the
        # address-space limit still bounds memory) rather than fail them.
        stack = min(self.limits["memory"], 256 << 20)
        resource.setrlimit(resource.RLIMIT_STACK, (stack, resource.RLIM_INFINITY))
        if self.uid is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (64, 64))  # counts for the worker uid only
        CompiledFilter(base64.b64decode(config["seccomp_zygote"])).install()

    def _private_scratch(self) -> bool:
        """Mount a small tmpfs on the scratch directory, in a mount namespace of the zygote's own.

        File-size limits bound each file, not their number: without this a program could fill
        the host's disk (and the run store's) within its CPU time.  Needs CAP_SYS_ADMIN (root);
        elsewhere the scratch directory stays on the host's file system.
        """
        if os.geteuid() != 0:
            return False
        if _libc.unshare(CLONE_NEWNS) != 0:
            return False
        owner = f",uid={self.uid},gid={self.uid}" if self.uid is not None else ""
        options = f"size={SCRATCH_BYTES},nr_inodes=4096,mode=0700{owner}".encode()
        if (_libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0
                or _libc.mount(b"judge-scratch", self.scratch.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options) != 0):
            return False
        return True

    @staticmethod
    def _private_network() -> bool:
        """Enter a network namespace of the zygote's own: no interface but a loopback that is down.

        The seccomp filter already refuses sockets; this keeps the network closed even to a
        program that found a way to make one.  Needs CAP_SYS_ADMIN (root).
        """
        return os.geteuid() == 0 and _libc.unshare(CLONE_NEWNET) == 0

    @staticmethod
    def _preload(names: tuple[str, ...]) -> list[str]:
        loaded = []
        for name in names:
            try:
                __import__(name)
                loaded.append(name)
            except Exception:
                continue
        return loaded

    def hello(self) -> dict:
        return {"pid": os.getpid(), "uid": self.uid, "preloaded": self.preloaded,
                "landlock_abi": self.landlock_abi, "landlock_rules": self.landlock_rules,
                "scratch_tmpfs": self.scratch_tmpfs, "netns": self.netns,
                "seccomp": True, "base_vm": self.base_vm, "python": sys.version.split()[0],
                "spawn": "C" if self.spawn is not None else "Python"}

    def serve(self, sock: socket.socket) -> None:
        """Answer the referee until it says exit or goes away.

        ``load`` makes a program the current one (compiled once); test frames then run it on
        one input each.  ``run`` runs a function-call session (its channel rides along).
        """
        while True:
            kind = self._next_frame(sock)
            if kind != protocol.JSON:  # b"": the referee closed the channel, or the scratch is dirty
                return
            try:
                req, blobs, fd = protocol.recv_json_body(sock)
            except protocol.ChannelClosed:
                return
            op = req.get("op")
            if op == "load":
                self.loads += 1
                if self.loads % COLLECT_EVERY == 0:
                    gc.collect()
                code, compile_error = self._compiled(req, blobs[0])
                self.program = None if compile_error is not None else (req, code)
                protocol.send(sock, {"compile_error": compile_error})
            elif op == "run":
                header, out = self.run(req, blobs[0], blobs[1] if len(blobs) > 1 else b"", fd)
                protocol.send(sock, header, out)
                if self.dirty:
                    return
            else:  # "exit"
                return

    def _next_frame(self, sock: socket.socket) -> bytes:
        """Run test frames as they come; return the kind byte of the next other frame."""
        wall, output = self.limits["wall"], self.limits["output"]
        if self.spawn is not None:
            kind = self.spawn.serve(sock.fileno(), self.program is not None, wall, output)
            if kind is None:  # in a test child, set up
                self._run_program(*self.program)
            return kind
        while True:
            try:
                kind = sock.recv(1)
                if kind != protocol.TEST:
                    return kind
                stdin = protocol.recv_test_body(sock)
            except (OSError, protocol.ChannelClosed):
                return b""
            if self.program is None:
                ended = (125, None, 0.0, 0.0, 0, False, b"", 0, b"",
                         b'{"phase":"setup","exc":"OSError","msg":"zygote: no program loaded","exit":125}')
            else:
                ended = self._spawn_python(*self.program, stdin, None)
                self._clean_scratch()
            exit_code, signal_number, cpu, wall_s, maxrss_kb, watchdog, stdout, out_size, stderr_tail, note = ended
            protocol.send_result(sock, (-1 if exit_code is None else exit_code, signal_number or 0, cpu, wall_s,
                                        maxrss_kb, watchdog, out_size), stdout, stderr_tail, note)
            if self.dirty:
                return b""

    def _compiled(self, req: dict, source: bytes):
        """The program's code object (compiled once per program), its source text if it is too
        large to compile outside a sandboxed child, or the status of a compile error."""
        if len(source) > COMPILE_IN_ZYGOTE_MAX:
            return source.decode("utf-8", "surrogateescape"), None
        key = (source, req.get("prelude") or "", bool(req.get("wrap_fallback")))
        code = self.code_cache.get(key)
        if code is None:
            try:
                code = harness.compile_program(source.decode("utf-8", "surrogateescape"), req.get("prelude") or "",
                                               bool(req.get("wrap_fallback")))
            except BaseException as err:  # SyntaxError, ValueError (NUL bytes), RecursionError, MemoryError
                return None, harness.compile_error_status(err)
            if len(self.code_cache) >= 4:
                self.code_cache.pop(next(iter(self.code_cache)))
            self.code_cache[key] = code
        return code, None

    def run(self, req: dict, source: bytes, stdin: bytes, call_fd: int | None) -> tuple[dict, tuple[bytes, ...]]:
        code, compile_error = self._compiled(req, source)
        if compile_error is not None:
            if call_fd is not None:
                os.close(call_fd)
            return ({"exit": 1, "signal": None, "cpu": 0.0, "wall": 0.0, "maxrss_kb": 0, "watchdog": False,
                     "stdout_size": 0}, (b"", b"", json.dumps(compile_error).encode()))
        if call_fd is not None:
            call_fd = _high(call_fd)
        if self.spawn is not None:
            ended = self.spawn.run(stdin, -1 if call_fd is None else call_fd, self.limits["wall"], self.limits["output"])
            if ended is None:  # in the test child, set up
                self._run_program(req, code)
        else:
            ended = self._spawn_python(req, code, stdin, call_fd)
        if call_fd is not None:
            os.close(call_fd)
        exit_code, signal_number, cpu, wall, maxrss_kb, watchdog, stdout, out_size, stderr_tail, raw_status = ended
        self._clean_scratch()
        return ({"exit": exit_code, "signal": signal_number, "cpu": cpu, "wall": wall, "maxrss_kb": maxrss_kb,
                 "watchdog": watchdog, "stdout_size": out_size}, (stdout, stderr_tail, raw_status))

    def _spawn_python(self, req: dict, code, stdin: bytes, call_fd: int | None) -> tuple:
        """What judge/sandbox/_spawn.c's run() does, step for step, when it is not built."""
        fds = self.memfds
        for fd in fds.values():  # children share these files' offsets: rewind them too
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
        if stdin:
            _write_all(fds["stdin"], stdin)
            os.lseek(fds["stdin"], 0, os.SEEK_SET)
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:
            try:
                self._setup_child_python(call_fd)
            except BaseException as err:
                _setup_failed(err)
            self._run_program(req, code)
        watchdog = False
        pidfd = os.pidfd_open(pid)
        try:
            poller = select.poll()
            poller.register(pidfd, select.POLLIN)
            if not poller.poll(self.limits["wall"] * 1000):
                watchdog = True
                os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
        finally:
            os.close(pidfd)
        wall = time.monotonic() - start
        out_size = os.fstat(fds["stdout"]).st_size
        stdout = os.pread(fds["stdout"], min(out_size, self.limits["output"]), 0)
        stderr_tail = raw_status = b""
        if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):  # nothing reads them otherwise
            err_size = os.fstat(fds["stderr"]).st_size
            stderr_tail = os.pread(fds["stderr"], 2048, max(0, err_size - 2048)) if err_size else b""
            raw_status = os.pread(fds["status"], 4096, 0)
        return (os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss, watchdog, stdout, out_size, stderr_tail, raw_status)

    def _clean_scratch(self) -> None:
        """Empty the scratch directory.  If something could not be removed, the next test would
        find it: the zygote ends after answering (its referee starts a fresh one)."""
        clean = self.spawn.clean(self.scratch) if self.spawn is not None else _clean_dir(self.scratch)
        self.dirty = self.dirty or not clean

    def _run_program(self, req: dict, code) -> None:
        """In a test child whose sandbox is in place: run the program, then exit."""
        try:
            harness.run(req, code, self.streams, self.modules[req["mode"]])
        except BaseException as err:
            _setup_failed(err)

    def _setup_child_python(self, call_fd: int | None) -> None:
        """What judge/sandbox/_spawn.c does in a child, step for step, when it is not built."""
        fds = self.memfds
        os.dup2(fds["stdin"], 0)
        os.dup2(fds["stdout"], 1)
        os.dup2(fds["stderr"], 2)
        os.dup2(fds["status"], harness.STATUS_FD)
        if call_fd is not None:
            os.dup2(call_fd, harness.CALL_FD)
        if self.scope_fd is not None:
            landlock.restrict_self(self.scope_fd)
        os.closerange(harness.CALL_FD + 1, 1 << 20)
        os.chdir(self.scratch)
        cpu = max(1, math.ceil(self.limits["cpu"]))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.limits["output"], self.limits["output"]))
        if self.uid is not None:
            if self.keep_dac_read:
                _prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)
            os.setgroups([])
            os.setresgid(self.uid, self.uid, self.uid)
            os.setresuid(self.uid, self.uid, self.uid)
            if self.keep_dac_read:
                _keep_only_dac_read_search()
        # If the zygote dies (killed, or its referee gone), its watchdog goes with it: the
        # child must not outlive it.  Set after the uid change, which clears this setting.
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != self.pid:
            os._exit(125)
        assert self.child_filter is not None
        self.child_filter.install()


def _clean_dir(root: str) -> bool:
    """What clean_dir in judge/sandbox/_spawn.c does: empty a directory however deep its tree
    (a path-based or recursive walk stops at PATH_MAX or the recursion limit), holding one
    directory open at a time.  False if something could not be removed."""
    fd, depth = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW), 0
    try:
        while True:
            below, stuck = None, False
            with os.scandir(fd) as entries:
                for entry in entries:
                    if _remove(entry.name, fd):
                        continue
                    try:
                        if stat.S_ISDIR(os.stat(entry.name, dir_fd=fd, follow_symlinks=False).st_mode):
                            os.chmod(entry.name, 0o700, dir_fd=fd)  # its program is gone: no race
                            below = os.open(entry.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                            break
                    except OSError:
                        pass
                    stuck = True
            if below is not None:
                os.close(fd)
                fd, depth = below, depth + 1
                continue
            if stuck or depth == 0:
                return not stuck
            up = os.open("..", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd, depth = up, depth - 1
    finally:
        os.close(fd)


def _remove(name: str, dir_fd: int) -> bool:
    for remove in (os.unlink, os.rmdir):
        try:
            remove(name, dir_fd=dir_fd)
            return True
        except OSError:
            pass
    return False


def _setup_failed(err: BaseException) -> None:
    """The sandbox could not be set up: the zygote reports an internal error."""
    try:
        os.write(harness.STATUS_FD, json.dumps({"phase": "setup", "exc": type(err).__name__,
                                                 "msg": str(err)[:300], "exit": 125}).encode())
    finally:
        os._exit(125)


def _high(fd: int) -> int:
    """Move a descriptor above the numbers a test child wires up (0-5), close-on-exec."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 16)
    os.close(fd)
    return moved


def _vm_size() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def main() -> None:
    config = json.loads(sys.argv[1])
    sock = socket.socket(fileno=_high(int(config["fd"])))
    # Children inherit these: CPython ignores SIGPIPE and SIGXFSZ, but an output cap must kill.
    for sig in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGXCPU):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the referee decides when we stop
    zygote = Zygote(config)
    protocol.send(sock, zygote.hello())
    zygote.serve(sock)


if __name__ == "__main__":
    main()
