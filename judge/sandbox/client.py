"""The referee's handle on one zygote: start it, run a test, hold a function-call session."""

from __future__ import annotations

import base64
import functools
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

import judge
from judge.sandbox import protocol, wire
from judge.sandbox.seccomp_policy import build_filter

_LEN = struct.Struct("!I")


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
        exit_code, signal_number, cpu, wall, maxrss_kb, watchdog, stdout_size = fields
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


@dataclass
class SandboxOptions:
    scratch_root: str
    uid: int | None = None
    hidden: list[str] = field(default_factory=list)   # paths the programs must not read
    landlock: bool = True
    netns: bool = True     # an empty network namespace for the zygote and its children (root only)
    c_spawn: bool = True   # fork and set up test children in C when judge.sandbox._spawn is built


@functools.lru_cache(maxsize=2)
def _bpf(child: bool) -> str:
    return base64.b64encode(build_filter(child)).decode()


def _package_parent() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(judge.__file__)))


class ZygoteClient:
    def __init__(self, index: int, options: SandboxOptions, limits: Limits, numpy: bool = False) -> None:
        self.index = index
        self.options = options
        self.limits = limits  # fixed for the zygote's life: it applies most of them to itself
        self.numpy = numpy
        self.starts = 0
        self.scratch = ""
        self.sock: socket.socket | None = None
        self.proc: subprocess.Popen | None = None
        self.info: dict[str, Any] = {}
        self.loaded: tuple[str, str, bool] | None = None   # the program the zygote holds
        self.load_error: dict[str, Any] | None = None      # its compile error, if any
        self.start()

    def start(self) -> None:
        # A scratch directory per zygote started: one whose files could not be removed (its
        # zygote ended because of them) is never handed to the next.
        self.starts += 1
        self.scratch = os.path.join(self.options.scratch_root, f"w{self.index}{'n' if self.numpy else ''}.{self.starts}")
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        config = {"fd": child.fileno(), "uid": self.options.uid, "scratch": self.scratch,
                  "hidden": self.options.hidden + [os.path.join(_package_parent(), "judge")],
                  "landlock": self.options.landlock, "netns": self.options.netns, "c_spawn": self.options.c_spawn,
                  "numpy": self.numpy, "limits": self.limits.to_wire(),
                  "seccomp_zygote": _bpf(False), "seccomp_child": _bpf(True)}
        os.makedirs(self.options.scratch_root, mode=0o711, exist_ok=True)
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0",
               "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "HOME": self.scratch, "TMPDIR": self.scratch,
               "PYTHONPATH": _package_parent()}
        debug = os.environ.get("JUDGE_DEBUG_ZYGOTE")
        self.proc = subprocess.Popen(
            [sys.executable, "-s", "-m", "judge.sandbox.zygote", json.dumps(config)],
            pass_fds=[child.fileno()], env=env, cwd=self.options.scratch_root, start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=None if debug else subprocess.DEVNULL)
        child.close()
        self.sock = parent
        self.loaded = self.load_error = None
        try:
            self.info, _, _ = protocol.recv(parent)
        except (protocol.ChannelClosed, OSError) as err:
            raise RuntimeError(f"the sandbox worker failed to start (run with JUDGE_DEBUG_ZYGOTE=1 to see why): {err}") from err

    def close(self) -> None:
        if self.sock is not None:
            try:
                protocol.send(self.sock, {"op": "exit"})
            except OSError:
                pass
            self.sock.close()
            self.sock = None
        if self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        shutil.rmtree(self.scratch, ignore_errors=True)

    def restart(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        self.start()

    def _request(self, header: dict[str, Any], source: str, stdin: bytes, fd: int | None = None) -> None:
        assert self.sock is not None
        try:
            protocol.send(self.sock, header, (source.encode("utf-8", "surrogateescape"), stdin), fd)
        except OSError as err:
            self.restart()
            raise ZygoteDied(str(err)) from err

    def _exchange(self, receive):
        """Receive the zygote's answer with ``receive``; a zygote that died is restarted."""
        assert self.sock is not None
        try:
            return receive(self.sock)
        except (protocol.ChannelClosed, OSError, ValueError) as err:
            self.restart()
            raise ZygoteDied(str(err)) from err

    def _response(self) -> RunResult:
        header, blobs, _ = self._exchange(protocol.recv)
        return RunResult.from_wire(header, blobs)

    def run_stdio(self, source: str, stdin: bytes, prelude: str = "", wrap_fallback: bool = False) -> RunResult:
        program = (source, prelude, wrap_fallback)
        if self.loaded != program:  # the zygote compiles a program once, then runs it per input
            self._request({"op": "load", "mode": "stdio", "prelude": prelude, "wrap_fallback": wrap_fallback},
                          source, b"")
            header = self._exchange(protocol.recv)[0]
            self.loaded, self.load_error = program, header.get("compile_error")
        if self.load_error is not None:
            return RunResult(1, None, 0.0, 0.0, 0, False, self.load_error)
        assert self.sock is not None
        try:
            protocol.send_test(self.sock, stdin)
        except OSError as err:
            self.restart()
            raise ZygoteDied(str(err)) from err
        return RunResult.from_result_frame(*self._exchange(protocol.recv_result))

    def open_calls(self, source: str, function: str, solution_class: bool = False, prelude: str = "") -> "CallSession":
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._request({"op": "run", "mode": "call", "prelude": prelude, "function": function,
                           "solution_class": solution_class}, source, b"", theirs.fileno())
        finally:
            theirs.close()
        return CallSession(self, ours, self.limits.output)


class CallSession:
    """Calls into a program running in a sandboxed child; ``finish`` returns how the child ended."""

    def __init__(self, client: ZygoteClient, sock: socket.socket, max_reply: int) -> None:
        self.client, self.sock, self.max_reply = client, sock, max_reply
        self.calls = 0

    def call(self, args: list[Any]) -> tuple[bool, Any]:
        """(True, value) for a return, (False, (exception name, message)) for a raise."""
        self.calls += 1
        data = wire.encode(list(args))
        try:
            self.sock.sendall(_LEN.pack(len(data)) + data)
            size = _LEN.unpack(self._read(_LEN.size))[0]
            if size > self.max_reply + 1:
                raise ChildGone("reply larger than the output limit")
            body = self._read(size)
        except OSError as err:
            raise ChildGone(str(err)) from None
        tag, payload = body[:1], body[1:]
        if tag == b"R":
            return True, wire.decode(payload)
        info = json.loads(payload)
        return False, (str(info.get("exc")), str(info.get("msg", "")))

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
        return self.client._response()
