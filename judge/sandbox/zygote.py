"""The zygote: a pre-imported, single-threaded fork server that runs one test per child.

It is started by exec, in the candidate runtime's interpreter without ``site`` (see
:mod:`judge.sandbox.runtime`), with a clean environment, so its memory holds nothing of the
judge's: no dataset, no expected output.  At start-up it restricts itself with everything its
children share (Landlock, the seccomp allow-list, static rlimits).  It receives a program's
code, compiled by a sandboxed compiler process (:mod:`judge.sandbox.compiler`), into a sealed
memfd, never into its own heap: no later program can find an earlier one's code in the memory
it inherits.  Then test inputs, one frame each (see :mod:`judge.sandbox.protocol`).  Per test
it forks, and in the child: wires stdin/stdout/stderr/status and the code memfd, enters the
scratch directory, sets the CPU and output limits, drops to the worker's uid and installs the
small seccomp filter that forbids creating processes, then runs the program
(:mod:`judge.sandbox.harness`).  The zygote waits on a pidfd with a wall-clock
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
from typing import NoReturn

from judge.sandbox import harness, landlock, protocol
from judge.sandbox.seccomp_policy import CompiledFilter

try:  # fork, child set-up and wait in C (judge/sandbox/_spawn.c); the same steps in Python otherwise
    from judge.sandbox import _spawn  # type: ignore[attr-defined]  # the C extension, built at install
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
SCRATCH_BYTES = 64 << 20          # all files of one test together
COLLECT_EVERY = 256               # frames handled in Python (call sessions) between the zygote's collections
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 2, 4, 1 << 14, 1 << 18
CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
CLONE_NEWIPC = 0x08000000
SEALED = fcntl.F_SEAL_WRITE | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_SEAL
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
        self.netns = config.get("netns", True) and self._private_namespace(CLONE_NEWNET)
        self.ipcns = self._private_namespace(CLONE_NEWIPC)
        if self.uid is not None:
            os.chown(self.scratch, self.uid, self.uid)
        self.preloaded = self._preload(PRELOAD_NUMPY if config.get("numpy") else PRELOAD)
        self.spawn = _spawn if config.get("c_spawn", True) else None
        child_bpf = base64.b64decode(config["seccomp_child"])
        self.child_filter = CompiledFilter(child_bpf) if self.spawn is None else None  # the Python set-up's
        self.memfds = {name: _high(os.memfd_create(f"judge-{name}", os.MFD_CLOEXEC))
                       for name in ("stdin", "stdout", "stderr", "status", "code")}
        self.streams = harness.make_streams()
        self.modules = harness.prepare()
        self.base_vm = _vm_size()
        self.program: dict | None = None  # without the C loop: the loaded program's request (its code is in its memfd)
        self.dirty = False  # the scratch directory could not be emptied
        self.landlock_abi = self.landlock_rules = 0
        self._restrict_self(config)
        if self.spawn is not None:
            cpu = max(1, math.ceil(self.limits["cpu"]))
            fds = self.memfds
            self.spawn.configure(fds["stdin"], fds["stdout"], fds["stderr"], fds["status"], fds["code"],
                                   -1 if self.scope_fd is None else self.scope_fd, self.scratch, cpu, cpu + 1,
                                   self.limits["output"], -1 if self.uid is None else self.uid,
                                   self.keep_dac_read, self.pid, child_bpf)
        gc.collect()
        gc.freeze()  # children then do not dirty every inherited page on their first collection
        # No automatic collections here either: one writes to the header of every tracked object,
        # and each page it dirties is copied again after the next fork.  The zygote collects after
        # every COLLECT_EVERY frames it handles in Python; children collect as usual (the harness
        # re-enables it).
        gc.disable()
        self.frames = 0  # handled in Python: every COLLECT_EVERY of them, a collection

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
            # Exactly the candidate runtime (its standard library, the packages behind its view,
            # system libraries), less the folders that must never be read even below those:
            # site-packages, the judge's package, the run, the samples and dataset files.
            ruleset = landlock.Ruleset(abi, config["readable"], [self.scratch, "/dev/null"], config["hidden"])
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
    def _private_namespace(kind: int) -> bool:
        """Enter a namespace of the zygote's own (root only).

        Network: no interface but a loopback that is down; the seccomp filter already refuses
        sockets, this keeps the network closed even to a program that found a way to make one.
        IPC: SysV and POSIX message-queue objects are private to the zygote and go with it; the
        seccomp filter already refuses creating them.
        """
        return os.geteuid() == 0 and _libc.unshare(kind) == 0

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
                "scratch_tmpfs": self.scratch_tmpfs, "netns": self.netns, "ipcns": self.ipcns,
                "seccomp": True, "base_vm": self.base_vm, "python": sys.version.split()[0],
                "spawn": "C" if self.spawn is not None else "Python"}

    def serve(self, sock: socket.socket) -> None:
        """Answer the referee until it says exit or goes away.

        A load frame makes a program the current one (unanswered); test frames then run it on
        one input each (both in :meth:`_next_frame`).  ``call`` runs a function-call session on it
        (its channel rides along).  Every answer repeats its request's sequence number.
        """
        while True:
            kind = self._next_frame(sock)
            if kind != protocol.JSON:  # b"": the referee closed the channel, or the scratch is dirty
                return
            try:
                req, _blobs, fd = protocol.recv_json_body(sock)
                op, seq = req.get("op"), req.get("seq")
                self.frames += 1
                if self.frames % COLLECT_EVERY == 0:
                    gc.collect()
                program = self._program()
                if op == "call" and program is not None:
                    header, out = self.call(fd, program)
                else:  # "exit", or a call with nothing loaded
                    return
            except (protocol.ChannelClosed, OSError, ValueError, TypeError, EOFError):
                return
            protocol.send(sock, dict(header, seq=seq), out)
            if self.dirty:
                return

    def _program(self) -> dict | None:
        """The loaded program's request (how its children run it), or None."""
        if self.spawn is None:
            return self.program
        raw = self.spawn.program()  # kept in C: loads run no Python here (~3 us to decode, in each child)
        return None if raw is None else json.loads(raw)

    def _next_frame(self, sock: socket.socket) -> bytes:
        """Load programs and run test frames as they come; return the kind byte of the next other frame."""
        wall, output = self.limits["wall"], self.limits["output"]
        if self.spawn is not None:
            kind = self.spawn.serve(sock.fileno(), wall, output)
            if kind is None:  # in a test child, set up
                self._run_program(self._program())
            return kind
        while True:
            try:
                kind = sock.recv(1)
                if kind == protocol.LOAD:
                    self.load(*protocol.recv_load_head(sock), sock)
                    continue
                if kind != protocol.TEST:
                    return kind
                seq, stdin = protocol.recv_test_body(sock)
            except (OSError, ValueError, protocol.ChannelClosed):
                return b""
            ended: tuple | None
            if self.program is None:
                ended = (125, None, 0.0, 0.0, 0, False, b"", 0, b"",
                         b'{"phase":"setup","exc":"OSError","msg":"zygote: no program loaded","exit":125}')
            else:
                ended = self._fork(stdin, None, 0)  # the output goes to the referee from its memfd
                if ended is None:  # in the test child, set up
                    self._run_program(self.program)
                self._clean_scratch()
            assert ended is not None  # the child never gets here
            exit_code, signal_number, cpu, wall_s, maxrss_kb, watchdog, _, out_size, stderr_tail, note = ended
            protocol.send_result(sock, (seq, -1 if exit_code is None else exit_code, signal_number or 0, cpu, wall_s,
                                        maxrss_kb, watchdog, out_size), self.memfds["stdout"], min(out_size, output),
                                 stderr_tail, note)
            if self.dirty:
                return b""

    def load(self, req: dict, code_size: int, sock: socket.socket) -> None:
        """Make the program whose marshalled code follows on the socket the current one (what
        judge/sandbox/_spawn.c's serve() does with a load frame, when it is not built).

        The code goes straight into a new memfd (through a buffer zeroed after it), which is
        sealed against any change and takes the previous program's place at the descriptor
        number the children's set-up dups.
        """
        self.program = None
        code = os.memfd_create("judge-code", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        os.dup2(code, self.memfds["code"], inheritable=False)
        os.close(code)
        protocol.recv_into_file(sock, self.memfds["code"], code_size)
        fcntl.fcntl(self.memfds["code"], fcntl.F_ADD_SEALS, SEALED)
        self.program = req

    def call(self, call_fd: int | None, program: dict) -> tuple[dict, tuple[bytes, ...]]:
        """Run a function-call session on the loaded program (the referee holds the other end)."""
        if call_fd is None:
            raise ValueError("a call session needs its channel")
        call_fd = _high(call_fd)
        try:
            # stdout is not read back: a call's result comes on its channel, and another
            # program's output must not linger in the zygote's heap.
            ended = self._fork(b"", call_fd, 0)
            if ended is None:  # in the test child, set up
                self._run_program(program)
        finally:
            os.close(call_fd)
        self._clean_scratch()
        assert ended is not None  # the child never gets here
        return _result(ended)

    def _fork(self, stdin: bytes, call_fd: int | None, output_limit: int) -> tuple | None:
        """Fork one child set up for a test: None in the child, how it ended in the zygote."""
        if self.spawn is not None:
            return self.spawn.run(stdin, -1 if call_fd is None else call_fd, self.limits["wall"], output_limit)
        return self._spawn_python(stdin, call_fd, output_limit)

    def _spawn_python(self, stdin: bytes, call_fd: int | None, output_limit: int) -> tuple | None:
        """What judge/sandbox/_spawn.c's run() does, step for step, when it is not built."""
        fds = self.memfds
        for name in ("stdin", "stdout", "stderr", "status"):
            os.ftruncate(fds[name], 0)  # children share these files' offsets: rewind them too
            os.lseek(fds[name], 0, os.SEEK_SET)
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
            return None
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
        stdout = os.pread(fds["stdout"], min(out_size, output_limit), 0) if output_limit else b""
        stderr_tail = raw_status = b""
        if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):  # nothing reads them otherwise
            err_size = os.fstat(fds["stderr"]).st_size
            tail = protocol.STDERR_TAIL
            stderr_tail = os.pread(fds["stderr"], tail, max(0, err_size - tail)) if err_size else b""
            raw_status = os.pread(fds["status"], protocol.STATUS_NOTE, 0)
        return (os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss, watchdog, stdout, out_size, stderr_tail, raw_status)

    def _clean_scratch(self) -> None:
        """Empty the scratch directory.  If something could not be removed, the next test would
        find it: the zygote ends after answering (its referee starts a fresh one)."""
        clean = self.spawn.clean(self.scratch) if self.spawn is not None else _clean_dir(self.scratch)
        self.dirty = self.dirty or not clean

    def _run_program(self, req: dict | None) -> NoReturn:
        """In a test child whose sandbox is in place: run the program (a test is only sent with
        one loaded), then exit."""
        try:
            if req is None:
                raise RuntimeError("no program loaded")
            harness.run(req, self.streams, self.modules)
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
        os.dup2(fds["code"], harness.CODE_FD)
        if self.scope_fd is not None:
            landlock.restrict_self(self.scope_fd)
        os.closerange(harness.CODE_FD + 1, 1 << 20)
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


def _setup_failed(err: BaseException) -> NoReturn:
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


def _result(ended: tuple) -> tuple[dict, tuple[bytes, ...]]:
    """A child's end as a JSON frame's header and blobs (stdout, stderr tail, status note)."""
    exit_code, signal_number, cpu, wall, maxrss_kb, watchdog, stdout, out_size, stderr_tail, raw_status = ended
    return ({"exit": exit_code, "signal": signal_number, "cpu": cpu, "wall": wall, "maxrss_kb": maxrss_kb,
             "watchdog": watchdog, "stdout_size": out_size}, (stdout, stderr_tail, raw_status))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _user_database() -> None:
    """``pwd`` look-ups of the program's own user work, as in a container with a passwd entry for
    it: the uid a program runs as has no entry in this host's user database (and the database is
    not readable), so ``pwd.getpwuid(os.getuid())`` raised KeyError where the Codex paper's
    sandbox answered.  The entry is the fixed environment's (USER, HOME); other look-ups are
    the system's own."""
    import pwd

    system_uid, system_nam = pwd.getpwuid, pwd.getpwnam

    def entry() -> pwd.struct_passwd:
        name = os.environ.get("USER", "judge")
        return pwd.struct_passwd((name, "x", os.getuid(), os.getgid(), name, os.environ.get("HOME", "/"), "/bin/sh"))

    def getpwuid(uid: int) -> pwd.struct_passwd:
        return entry() if uid == os.getuid() else system_uid(uid)

    def getpwnam(name: str) -> pwd.struct_passwd:
        return entry() if name == os.environ.get("USER", "judge") else system_nam(name)

    pwd.getpwuid, pwd.getpwnam = getpwuid, getpwnam


def main(config: dict) -> None:
    """Started by :data:`judge.sandbox.client.BOOT` with the judge package's folder first on the
    path: once this module and its imports are loaded, the import path becomes the candidate
    runtime's and the judge's modules leave ``sys.modules`` (their folder is not readable)."""
    sys.path[:] = config["sys_path"]
    sys.path_importer_cache.clear()
    for name in [m for m in sys.modules if m == "judge" or m.startswith("judge.")]:
        del sys.modules[name]
    import site  # not run at start-up (-S: no site-packages, no .pth files); exit() and quit() are its
    site.setquit()
    site.setcopyright()
    site.sethelper()
    _user_database()
    sock = socket.socket(fileno=_high(int(config["fd"])))
    # Children inherit these: CPython ignores SIGPIPE and SIGXFSZ, but an output cap must kill.
    for sig in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGXCPU):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the referee decides when we stop
    zygote = Zygote(config)
    protocol.send(sock, zygote.hello())
    zygote.serve(sock)

