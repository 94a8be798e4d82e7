"""What runs inside a test child once the sandbox is in place: the program itself.

Two modes:
- ``stdio``: the source runs as ``__main__`` with stdin/stdout wired to memfds.
- ``call``: the source runs as a module, then the child answers function calls arriving on
  fd 4 (APPS call-based tests, HumanEval's ``check``).  The caller — a trusted referee in
  another process — holds the expected values and does the comparing; only arguments and
  plain-data results cross the boundary (see :mod:`judge.sandbox.wire`).

A child that does not exit with 0 reports how it ended on the status fd (3) as JSON: the phase
reached, the exception name if one escaped, and the exit code.
"""

from __future__ import annotations

import builtins
import gc
import io
import json
import marshal
import os
import struct
import sys
from typing import NoReturn  # typing is loaded already (wire uses it): free here
import types

from judge.sandbox import wire

STATUS_FD, CALL_FD, CODE_FD = 3, 4, 5
_LEN = struct.Struct("!I")
_CALL = struct.Struct("!II")  # a call frame: sequence number, length of the encoded arguments
PROGRAM_FILE = "solution.py"


def _write_status(phase: str, exc: str | None, code: int) -> None:
    data = json.dumps({"phase": phase, "exc": exc, "exit": code}).encode()
    try:  # overwrite whatever the program may have written there
        os.ftruncate(STATUS_FD, 0)
        os.pwrite(STATUS_FD, data, 0)
    except OSError:
        pass


def make_streams() -> tuple:
    """Text streams on fds 0-2, built once in the zygote; in a child those fds are its memfds."""
    stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "rb", closefd=False)),
                             encoding="utf-8", errors="surrogateescape")
    stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "wb", closefd=False), 1 << 16),
                              encoding="utf-8", errors="strict")
    stderr = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "wb", closefd=False)),
                              encoding="utf-8", errors="backslashreplace", line_buffering=True)
    return stdin, stdout, stderr


def prepare() -> dict[str, types.ModuleType]:
    """What every child would otherwise build for itself, built once in the zygote.

    A child dirties (and the kernel copies) every page it writes to, and a new object lands on
    pages the zygote's heap already uses: the modules the programs run in are made here, once,
    so that a child starts by running the program.  Each child's writes stay its own.
    """
    sys.argv = [PROGRAM_FILE]
    sys.set_int_max_str_digits(0)
    modules = {}
    for mode, name in (("stdio", "__main__"), ("call", "solution")):
        module = types.ModuleType(name)
        module.__dict__.update(__builtins__=builtins, __file__=PROGRAM_FILE)
        modules[mode] = module
    return modules


def compile_program(source: str, prelude: str, wrap_fallback: bool):
    """Compile the program; ``wrap_fallback`` retries a module-level ``return`` inside a function.

    Raises what compile raises: SyntaxError, ValueError (NUL bytes), RecursionError, MemoryError.
    """
    text = prelude + source
    try:
        return compile(text, PROGRAM_FILE, "exec", dont_inherit=True)
    except SyntaxError as err:
        if not wrap_fallback or not ("outside function" in str(err) or "nonlocal" in str(err)):
            raise
    body = "".join("    " + line + "\n" for line in source.splitlines())
    wrapped = prelude + "def __judge_main__():\n" + (body or "    pass\n") + "__judge_main__()\n"
    return compile(wrapped, PROGRAM_FILE, "exec", dont_inherit=True)


def _exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    try:
        print(code, file=sys.stderr)
    except Exception:
        pass
    return 1


def _finish(code: int, phase: str, exc_name: str | None = None) -> NoReturn:
    # Like interpreter shutdown: wait for non-daemon threads, then flush.  threading is not
    # pre-imported (its at-fork hook alone costs ~0.5 ms per test): only programs that
    # imported it can have threads.
    threading = sys.modules.get("threading")
    if threading is not None:
        try:
            threading._shutdown()
        except BaseException:
            pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException as err:  # closed or unencodable stdout: the program's own failure
            if stream is sys.stdout and code == 0:
                code, exc_name = 1, type(err).__name__
    if code != 0:  # the zygote reads the note only then: a clean exit says all there is
        _write_status(phase, exc_name, code)
    os._exit(code)


def load_code(fd: int) -> types.CodeType:
    """Unmarshal the code in the sealed memfd ``fd``.  pread, not mmap: no mapping to make and
    tear down (munmap flushes the TLB), 0.08 ms less child CPU per test on a 1 KiB program
    (benchmarks/layers.py); and not read: the file offset is shared with every sibling child."""
    size = os.fstat(fd).st_size
    data = os.pread(fd, size, 0)
    while len(data) < size:  # a short read (a signal): go on where it stopped
        data += os.pread(fd, size - len(data), len(data))
    return marshal.loads(data)


def _load() -> types.CodeType:
    """The program's code, from the sealed memfd its zygote received it in (CODE_FD), which is
    closed before the program runs.  A sealed memfd cannot be written: no program changes the
    code its next test runs."""
    try:
        return load_code(CODE_FD)
    finally:
        os.close(CODE_FD)


def run(request: dict, streams: tuple, modules: dict[str, types.ModuleType]) -> NoReturn:
    """Run the loaded program as the request says, then exit the process (never returns)."""
    code = _load()
    module = modules[request["mode"]]
    gc.enable()
    # The __std*__ too: a program that restores them must get the sandbox's streams back.
    sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__ = streams  # type: ignore[misc]
    sys.modules[module.__name__] = module
    try:
        exec(code, module.__dict__)
    except SystemExit as exc:
        _finish(_exit_code(exc), "run")
    except BaseException as err:
        _report(err)
        _finish(1, "run", type(err).__name__)
    if request["mode"] == "stdio":
        _finish(0, "done")
    try:
        _serve_calls(module.__dict__, request.get("function") or "", bool(request.get("solution_class")))
    except BaseException as err:  # the program broke its own channel (the referee ended the session)
        _finish(1, "calls", type(err).__name__[:100])


def _report(err: BaseException) -> None:
    try:
        import traceback  # only failing programs pay for it
        traceback.print_exception(type(err), err, err.__traceback__, limit=20, file=sys.stderr)
    except BaseException:
        pass


def _resolve(namespace: dict, name: str, solution_class: bool):
    if solution_class and isinstance(namespace.get("Solution"), type):
        return getattr(namespace["Solution"](), name)
    return namespace[name]


def _read_frame() -> tuple[int, bytes] | None:
    head = _read_exact(_CALL.size)
    if head is None:
        return None
    seq, size = _CALL.unpack(head)
    body = _read_exact(size)
    return None if body is None else (seq, body)


def _read_exact(size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        try:
            chunk = os.read(CALL_FD, left)
        except OSError:  # the referee closed the session
            return None
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _send_frame(tag: bytes, body: bytes, seq: int = 0) -> None:
    """A reply: ``!I`` length of what follows, the tag (R: a result, E: an exception), the call's
    sequence number, the body."""
    data = _LEN.pack(len(body) + 5) + tag + _LEN.pack(seq) + body
    view = memoryview(data)
    while view:
        view = view[os.write(CALL_FD, view):]


def _serve_calls(namespace: dict, name: str, solution_class: bool) -> NoReturn:
    phase = "calls"
    try:
        function = _resolve(namespace, name, solution_class)
    except BaseException as err:
        _report(err)
        frame = _read_frame()  # answered as the first call's reply, with its number
        _send_frame(b"E", json.dumps({"exc": "MissingFunction", "msg": f"{name}: {type(err).__name__[:100]}"}).encode(),
                    frame[0] if frame else 0)
        _finish(1, phase, "MissingFunction")
    while True:
        frame = _read_frame()
        if frame is None:
            _finish(0, "done")
        seq, data = frame
        try:
            args = wire.decode(data)
            result = function(*args)
            body = wire.encode(result)
        except SystemExit as exc:
            _send_frame(b"E", json.dumps({"exc": "SystemExit", "msg": str(exc.code)[:300]}).encode(), seq)
            continue
        except BaseException as err:
            _report(err)
            _send_frame(b"E", json.dumps({"exc": type(err).__name__[:100], "msg": str(err)[:300]}).encode(), seq)
            continue
        _send_frame(b"R", body, seq)
