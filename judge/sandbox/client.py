"""The referee's handle on one zygote: start it, run a test, hold a function-call session."""

from __future__ import annotations

import base64
import functools
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any, NoReturn

import judge
from judge.sandbox import protocol, runtime, wire
from judge.sandbox.seccomp_policy import build_filter

_LEN = struct.Struct("!I")
_CALL = struct.Struct("!II")
MAX_REPLY = 8 << 20       # bytes of one function result (below the output limit when that is lower)
MAX_NAME = 100            # characters of an exception name a program reports
MAX_MESSAGE = 300
# The zygote is started in the candidate interpreter without site (-S) or user site (-s), with
# the judge package's folder on its path only until its own modules are loaded.
# argv: the module to run (judge.sandbox.zygote or judge.sandbox.compiler: it names the process),
# its configuration.
# It ends with os._exit: nothing is left to flush, and tearing the interpreter down cost ~25 ms
# per process at every run's end.
BOOT = ("import importlib, json, os, sys\nconfig = json.loads(sys.argv[2])\n"
        "sys.path[:] = [config['package_parent']] + [p for p in sys.path if p]\n"
        "importlib.import_module(sys.argv[1]).main(config)\nos._exit(0)\n")
COMPILER_UID_OFFSET = 50_000_000  # as root, a compiler's uid: the worker's uid plus this (no program has it)


@dataclass(frozen=True)
class Limits:
    """Per-test resource limits."""

    cpu: float = 3.0                 # seconds of CPU (user + system)
    memory: int = 1 << 30            # bytes of address space on top of the runtime's own
    output: int = 16 << 20           # bytes per output file (stdout, stderr, scratch files)
    wall: float | None = None        # watchdog; default 2 x cpu + 1 s

    @property
    def wall_seconds(self) -> float:
        return self.wall if self.wall is not None else 2 * self.cpu + 1

    def to_wire(self) -> dict[str, Any]:
        return {"cpu": self.cpu, "memory": self.memory, "output": self.output, "wall": self.wall_seconds}


@dataclass
class RunResult:
    """How one test child ended, as the zygote observed it."""

    exit: int | None
    signal: int | None
    cpu: float
    wall: float
    maxrss_kb: int
    watchdog: bool
    status: dict[str, Any]
    stdout: bytes = b""
    stdout_size: int = 0
    stderr_tail: bytes = b""

    @classmethod
    def from_wire(cls, header: dict[str, Any], blobs: list[bytes]) -> "RunResult":
        return cls(header["exit"], header["signal"], header["cpu"], header["wall"], header["maxrss_kb"],
                   header["watchdog"], _status(blobs[2]), blobs[0], header["stdout_size"], blobs[1])

    @classmethod
    def from_result_frame(cls, fields: tuple, stdout: bytes, stderr_tail: bytes, status: bytes) -> "RunResult":
        _seq, exit_code, signal_number, cpu, wall, maxrss_kb, watchdog, stdout_size = fields
        return cls(None if exit_code < 0 else exit_code, signal_number or None, cpu, wall, maxrss_kb,
                   bool(watchdog), _status(status), stdout, stdout_size, stderr_tail)


def _status(raw: bytes) -> dict[str, Any]:
    """The child's status note (fd 3): written by the harness, but the program can overwrite it."""
    if not raw:
        return {}
    try:
        status = json.loads(raw)
    except (ValueError, RecursionError):
        return {"garbled": True}
    return status if isinstance(status, dict) else {"garbled": True}


class ZygoteDied(RuntimeError):
    """The zygote process went away; the test in flight has no verdict (an internal error)."""


class ChildGone(BaseException):
    """The test child ended while the referee was calling into it.

    A BaseException, so that ``except Exception`` in trusted test code does not swallow it.
    """


class BadReply(ChildGone):
    """The program answered a call with something that is not a well-formed reply to it (too
    large, too costly to decode, malformed, or numbered for another call): the session ends."""


@dataclass
class SandboxOptions:
    scratch_root: str
    uid: int | None = None
    hidden: list[str] = field(default_factory=list)   # paths the programs must not read
    landlock: bool = True
    netns: bool = True     # an empty network namespace for the zygote and its children (root only)
    c_spawn: bool = True   # fork and set up test children in C when judge.sandbox._spawn is built
    runtime: runtime.Runtime = field(default_factory=runtime.Runtime)  # what programs run in and may import


@functools.lru_cache(maxsize=2)
def _bpf(child: bool) -> str:
    return base64.b64encode(build_filter(child)).decode()


def warm_up() -> None:
    """Build the seccomp filters now (~40 ms, most of it pyseccomp finding libseccomp): a process
    that forks workers calls this first, and each worker inherits them."""
    try:
        _bpf(False)
        _bpf(True)
    except Exception:  # not cached: a worker meets the same failure when it starts its zygote, and says so
        pass


def _package_parent() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(judge.__file__)))


def _spawn(rt: dict[str, Any], config: dict[str, Any], cwd: str, env: dict[str, str]):
    """Start a sandbox process (``config["role"]``: zygote or compiler) in the candidate runtime's
    interpreter, without waiting for it: (process, socket)."""
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    config = dict(config, fd=child.fileno(), package_parent=_package_parent(), seccomp_zygote=_bpf(False),
                  seccomp_child=_bpf(True))
    debug = os.environ.get("JUDGE_DEBUG_ZYGOTE")
    proc = subprocess.Popen(
        [rt["executable"], "-s", "-S", "-B", "-c", BOOT, f"judge.sandbox.{config['role']}", json.dumps(config)],
        pass_fds=[child.fileno()], env=env, cwd=cwd, start_new_session=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=None if debug else subprocess.DEVNULL)
    child.close()
    return proc, parent


def _hello(proc: subprocess.Popen, sock: socket.socket) -> dict[str, Any]:
    """The first message of a process :func:`_spawn` started: it is up and sandboxed."""
    try:
        hello, _, _ = protocol.recv(sock)
    except (protocol.ChannelClosed, OSError) as err:
        proc.kill()
        proc.wait()
        sock.close()
        raise RuntimeError(f"the sandbox worker failed to start (run with JUDGE_DEBUG_ZYGOTE=1 to see why): {err}") from err
    return hello


def _stop(proc: subprocess.Popen | None, sock: socket.socket | None, gently: bool) -> None:
    if sock is not None:
        if gently:
            try:
                protocol.send(sock, {"op": "exit"})
            except OSError:
                pass
        sock.close()
    if proc is not None:
        if not gently:
            proc.kill()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Compiler:
    """The referee's handle on a compiler process (:mod:`judge.sandbox.compiler`)."""

    def __init__(self, options: SandboxOptions, limits: Limits, rt: dict[str, Any]) -> None:
        self.options, self.limits, self.rt = options, limits, rt
        self.proc: subprocess.Popen | None = None
        self.sock: socket.socket | None = None
        self.greeted = False  # its hello is read by greet(): it starts while its zygote does
        self.seq = 0
        self.start()

    def start(self) -> None:
        uid = None if self.options.uid is None else self.options.uid + COMPILER_UID_OFFSET
        config = {"role": "compiler", "uid": uid, "landlock": self.options.landlock, "limits": self.limits.to_wire()}
        self.proc, self.sock = _spawn(self.rt, config, self.options.scratch_root,
                                      {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"})
        self.greeted = False

    def greet(self) -> None:
        """Wait for the process :meth:`start` launched to be up and sandboxed.  A compiler that
        ended (a compile bomb, a MemoryError) is started again by the next :meth:`compile`."""
        if self.sock is not None and self.proc is not None and not self.greeted:
            _hello(self.proc, self.sock)
            self.sock.settimeout(self.limits.wall_seconds)
            self.greeted = True

    def close(self, gently: bool = True) -> None:
        _stop(self.proc, self.sock, gently)
        self.proc = self.sock = None

    def compile(self, source: bytes, prelude: str, wrap_fallback: bool) -> tuple[bytes | None, RunResult | None]:
        """(marshalled code, None), or (None, how compiling failed: a result whose verdict is CE)."""
        crashes = 0
        while True:
            if self.sock is None:
                self.start()
            assert self.sock is not None and self.proc is not None
            self.greet()
            self.seq += 1
            start = time.monotonic()
            try:
                # The prelude (APPS's is ~1 KB) rides as a blob: no JSON escaping either way.
                protocol.send(self.sock, {"op": "compile", "seq": self.seq, "wrap_fallback": wrap_fallback},
                              (source, prelude.encode("utf-8", "surrogateescape")))
                header, blobs, _ = protocol.recv(self.sock, self.limits.output)
            except TimeoutError:  # still compiling at the wall-clock limit
                self.close(gently=False)
                return None, self._failed(start, sig=signal.SIGKILL, watchdog=True)
            except (protocol.ChannelClosed, OSError, ValueError):
                if self.proc.poll() is None:
                    self.proc.kill()
                died = self.proc.wait()
                self.close(gently=False)
                if died == -signal.SIGPROF:  # its CPU timer: the program's time limit
                    return None, self._failed(start, sig=signal.SIGXCPU, cpu=self.limits.cpu)
                crashes += 1
                if crashes < 2:
                    continue  # it crashed, or was killed from outside: once more with a fresh one
                return None, self._failed(start, sig=-died if died < 0 else None, exc="CompilerCrashed")
            if header.get("seq") != self.seq:
                self.close(gently=False)
                raise ZygoteDied(f"compiler answer {header.get('seq')!r} to request {self.seq}: out of step")
            if "exc" in header:
                if header["exc"] == "MemoryError":  # it exits after answering: its heap may stay large
                    self.close()
                cpu = header.get("cpu")
                return None, self._failed(start, cpu=float(cpu) if isinstance(cpu, (int, float)) else 0.0,
                                          exc=str(header["exc"])[:MAX_NAME],
                                          msg=str(header.get("msg", ""))[:MAX_MESSAGE])
            if not blobs:
                self.close(gently=False)
                raise ZygoteDied("compiler answer without code")
            return blobs[0], None

    def _failed(self, start: float, sig: int | None = None, cpu: float = 0.0, watchdog: bool = False,
                exc: str | None = None, msg: str = "") -> RunResult:
        status = {"phase": "compile", "exc": exc, "exit": 1, "msg": msg}
        return RunResult(1 if sig is None else None, sig, cpu, time.monotonic() - start, 0, watchdog, status)


_STDIO = {"mode": "stdio"}  # what a stdio program's children need to know of it


class ZygoteClient:
    def __init__(self, index: int, options: SandboxOptions, limits: Limits, numpy: bool = False, tag: str = "",
                 compiler: Compiler | None = None) -> None:
        self.index, self.tag = index, tag  # tag: tells a worker's other zygotes' scratch folders apart
        self.options = options
        self.limits = limits  # fixed for the zygote's life: it applies most of them to itself
        self.numpy = numpy
        self.starts = 0
        self.scratch = ""
        self.sock: socket.socket | None = None
        self.proc: subprocess.Popen | None = None
        self.info: dict[str, Any] = {}
        self.loaded: tuple | None = None            # the program the zygote holds
        self.load_error: RunResult | None = None    # how compiling it failed
        self.seq = 0
        # A zygote with the same limits may lend its compiler: one process fewer to start (~0.1 s
        # of CPU), and compiling does not depend on what a zygote pre-imports.
        self.compiler: Compiler | None = compiler
        self.owns_compiler = compiler is None
        self.start()

    def start(self) -> None:
        # A scratch directory per zygote started: one whose files could not be removed (its
        # zygote ended because of them) is never handed to the next.
        self.starts += 1
        self.scratch = os.path.join(self.options.scratch_root, f"w{self.index}{'n' if self.numpy else ''}{self.tag}.{self.starts}")
        os.makedirs(self.options.scratch_root, mode=0o711, exist_ok=True)
        rt = runtime.prepare(self.options.runtime, self.options.scratch_root)
        package = _package_parent()
        # Never readable, even below a readable folder: the judge's package (and, when it runs
        # from a checkout, the whole checkout: build/, runs/, tests/), the other workers' scratch.
        hidden = self.options.hidden + rt["hidden"] + [os.path.join(package, "judge"), self.options.scratch_root]
        if os.path.basename(package) not in ("site-packages", "dist-packages"):
            hidden.append(package)
        config = {"role": "zygote", "uid": self.options.uid, "scratch": self.scratch,
                  "sys_path": rt["sys_path"], "readable": rt["readable"], "hidden": hidden,
                  "landlock": self.options.landlock, "netns": self.options.netns, "c_spawn": self.options.c_spawn,
                  "numpy": self.numpy, "limits": self.limits.to_wire()}
        # Fixed: HOME, USER and LOGNAME answer the usual look-ups (getpass, expanduser) without
        # the C library's user database, which is not readable in the sandbox.
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0",
               "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "HOME": self.scratch, "TMPDIR": self.scratch,
               "USER": "judge", "LOGNAME": "judge"}
        self.loaded = self.load_error = None
        self.proc, self.sock = _spawn(rt, config, self.options.scratch_root, env)
        if self.compiler is None:  # started at once: both interpreters come up together (~0.1 s saved)
            self.compiler, self.owns_compiler = Compiler(self.options, self.limits, rt), True
        self.info = _hello(self.proc, self.sock)
        self.info["runtime"] = rt["describe"]
        self.compiler.greet()

    def close(self) -> None:
        _stop(self.proc, self.sock, gently=True)
        self.proc = self.sock = None
        if self.compiler is not None and self.owns_compiler:
            self.compiler.close()
        self.compiler = None
        shutil.rmtree(self.scratch, ignore_errors=True)

    def restart(self) -> None:
        _stop(self.proc, self.sock, gently=False)
        self.proc = self.sock = None
        self.start()

    def _send(self, send) -> int:
        """Send a request with ``send(sock, seq)``; returns its sequence number."""
        assert self.sock is not None
        self.seq = (self.seq + 1) & 0xFFFFFFFF
        try:
            send(self.sock, self.seq)
        except OSError as err:
            self.restart()
            raise ZygoteDied(str(err)) from err
        return self.seq

    def _exchange(self, receive, seq: int):
        """Receive the answer to request ``seq`` with ``receive``; a zygote that died, or whose
        answer is not that request's, is restarted (its channel cannot be trusted to be in step)."""
        assert self.sock is not None
        try:
            answer = receive(self.sock)
        except (protocol.ChannelClosed, OSError, ValueError) as err:
            self.restart()
            raise ZygoteDied(str(err)) from err
        got = answer[0][0] if isinstance(answer[0], tuple) else answer[0].get("seq")
        if got != seq:
            self.restart()
            raise ZygoteDied(f"answer {got!r} to request {seq}: the channel was out of step")
        return answer

    def _response(self, seq: int) -> RunResult:
        header, blobs, _ = self._exchange(protocol.recv, seq)
        return RunResult.from_wire(header, blobs)

    def _load(self, program: tuple, prelude: str, wrap_fallback: bool, header: dict[str, Any]) -> RunResult | None:
        """Make ``program`` the zygote's current one, compiled by the compiler (unanswered by the
        zygote; ``header`` is what its children need to run it); how compiling it failed, or None."""
        if self.loaded == program:
            return self.load_error
        assert self.compiler is not None
        code, failed = self.compiler.compile(program[0].encode("utf-8", "surrogateescape"), prelude, wrap_fallback)
        self.loaded, self.load_error = program, failed
        if code is not None:
            self._send(lambda sock, seq: protocol.send_load(sock, header, code))
        return failed

    def run_stdio(self, source: str, stdin: bytes, prelude: str = "", wrap_fallback: bool = False) -> RunResult:
        failed = self._load((source, prelude, wrap_fallback, "stdio"), prelude, wrap_fallback, _STDIO)
        if failed is not None:
            return failed
        seq = self._send(lambda sock, seq: protocol.send_test(sock, seq, stdin))
        return RunResult.from_result_frame(*self._exchange(self._recv_result, seq))

    def _recv_result(self, sock: socket.socket) -> tuple:
        return protocol.recv_result(sock, self.limits.output)

    def open_calls(self, source: str, function: str, solution_class: bool = False,
                   prelude: str = "") -> "CallSession | RunResult":
        """A call session on the program, or how compiling it failed."""
        failed = self._load((source, prelude, False, "call", function, solution_class), prelude, False,
                            {"mode": "call", "function": function, "solution_class": solution_class})
        if failed is not None:
            return failed
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            seq = self._send(lambda sock, seq: protocol.send(sock, {"op": "call", "seq": seq}, fd=theirs.fileno()))
        finally:
            theirs.close()
        return CallSession(self, ours, min(self.limits.output, MAX_REPLY), seq)


class CallSession:
    """Calls into a program running in a sandboxed child; ``finish`` returns how the child ended.

    Everything the child sends is untrusted: a reply that is not well formed, not numbered for
    the call it answers, or larger or costlier than the bounds of :mod:`judge.sandbox.wire`
    ends the session (BadReply); the child then finds its channel closed.
    """

    def __init__(self, client: ZygoteClient, sock: socket.socket, max_reply: int, seq: int) -> None:
        self.client, self.sock, self.max_reply, self.seq = client, sock, max_reply, seq
        self.calls = 0
        self.broken: str | None = None

    def call(self, args: list[Any]) -> tuple[bool, Any]:
        """(True, value) for a return, (False, (exception name, message)) for a raise."""
        if self.broken is not None:
            raise BadReply(self.broken)
        self.calls += 1
        data = wire.encode(list(args))
        try:
            self.sock.sendall(_CALL.pack(self.calls, len(data)) + data)
            size = _LEN.unpack(self._read(_LEN.size))[0]
            if size > self.max_reply + 5 or size < 5:
                self._break(f"reply of {size} bytes (at most {self.max_reply})")
            body = self._read(size)
        except OSError as err:
            raise ChildGone(str(err)) from None
        tag, number, payload = body[:1], _LEN.unpack(body[1:5])[0], body[5:]
        if number != self.calls:
            self._break(f"reply numbered {number} to call {self.calls}")
        try:
            if tag == b"R":
                wire.check_budget(payload)
                return True, wire.decode(payload)
            info = json.loads(payload) if tag == b"E" else None
            if not isinstance(info, dict):
                raise ValueError("not an exception report")
        except ValueError as err:
            self._break(f"unreadable reply ({str(err)[:MAX_MESSAGE]})")
        return False, (str(info.get("exc"))[:MAX_NAME], str(info.get("msg", ""))[:MAX_MESSAGE])

    def _break(self, why: str) -> NoReturn:
        self.broken = why
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        raise BadReply(why)

    def _read(self, size: int) -> bytes:
        chunks, left = [], size
        while left:
            chunk = self.sock.recv(min(left, 1 << 20))
            if not chunk:
                raise ChildGone("the program ended")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def finish(self) -> RunResult:
        self.sock.close()
        return self.client._response(self.seq)
