"""Message framing between a referee and its zygote over a Unix stream socket.

Every frame starts with a kind byte:
- ``J``: a JSON header plus raw byte blobs, so that program text, stdin and stdout cross
  without escaping; one file descriptor may ride along (the call channel of a function test).
  Then ``!IQ`` (header length, total blob length), header, blobs back to back; the header
  lists the blob sizes under ``"_blobs"``.
- ``L`` (referee to zygote): make a program the current one, unanswered: ``!II`` lengths of the
  request (JSON: how its children run it) and of its marshalled code, then both.
- ``T`` (referee to zygote): run the loaded program on one input: ``!II`` sequence number and
  length, stdin.
- ``R`` (zygote to referee): how that test ended, in fixed binary fields (:data:`RESULT`, the
  test frame's sequence number first), then its stdout, stderr tail and status note.  Test and
  result frames are the hot path, loads the next one: the zygote handles them in C
  (judge/sandbox/_spawn.c) when it is built.
Every request that is answered carries a sequence number that its answer repeats: the referee
never takes an answer for another request (a program's, a previous one's) as this one's.
No pickle: neither side executes what it receives.
"""

from __future__ import annotations

import array
import json
import os
import socket
import struct
from typing import Any

_FRAME = struct.Struct("!IQ")
_TEST = struct.Struct("!II")
_LOAD = struct.Struct("!II")
JSON, LOAD, TEST, RESULT_KIND = b"J", b"L", b"T", b"R"
# sequence number, exit (-1: none), signal (0: none), CPU s, wall s, peak RSS KiB, watchdog, stdout
# size, and the lengths of the stdout, stderr-tail and status blobs that follow.
RESULT = struct.Struct("!IiiddqBQIII")
MAX_HEADER = 1 << 16  # a JSON header longer than this is a broken channel
MAX_BODY = 1 << 30    # the most a frame's blobs may hold in all, unless the receiver says less
# Made once: json.dumps with options builds an encoder per call (~10 us a frame on the hot path).
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode
_DECODE = json.JSONDecoder().decode


class ChannelClosed(EOFError):
    """The peer closed the socket (or died)."""


def send(sock: socket.socket, header: dict[str, Any], blobs: tuple[bytes, ...] = (), fd: int | None = None) -> None:
    header = dict(header, _blobs=[len(b) for b in blobs])
    head = _ENCODE(header).encode()
    total = sum(len(b) for b in blobs)
    first = _FRAME.pack(len(head), total) + head
    if fd is None:
        sock.sendall(JSON + first)
    else:
        # The kind byte goes alone: the zygote's C loop reads it with read(), which would drop a
        # descriptor riding on the same bytes.
        sock.sendall(JSON)
        sock.sendmsg([first], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])
    for blob in blobs:
        if blob:
            sock.sendall(blob)


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = sock.recv(size)  # most often all of it at once
    if len(data) == size:
        return data
    if not data:
        raise ChannelClosed("peer closed the channel")
    buf = bytearray(size)
    buf[:len(data)] = data
    view = memoryview(buf)
    got = len(data)
    while got < size:
        n = sock.recv_into(view[got:], size - got)
        if n == 0:
            raise ChannelClosed("peer closed the channel")
        got += n
    return bytes(buf)


def recv(sock: socket.socket, limit: int = MAX_BODY) -> tuple[dict[str, Any], list[bytes], int | None]:
    """Receive one JSON frame: (header, blobs, fd or None); blobs of more than ``limit`` bytes in
    all break the channel (nothing that large is allocated)."""
    kind = _recv_exact(sock, 1)
    if kind != JSON:
        raise ChannelClosed(f"unexpected frame {kind!r}")
    return recv_json_body(sock, limit)


def recv_json_body(sock: socket.socket, limit: int = MAX_BODY) -> tuple[dict[str, Any], list[bytes], int | None]:
    """The rest of a JSON frame whose kind byte was read: (header, blobs, fd or None)."""
    fds = array.array("i")
    data, ancdata, _flags, _addr = sock.recvmsg(_FRAME.size, socket.CMSG_SPACE(fds.itemsize))
    if not data:
        raise ChannelClosed("peer closed the channel")
    fd = None
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
            fd = fds[0]
    if len(data) < _FRAME.size:
        data += _recv_exact(sock, _FRAME.size - len(data))
    head_len, total = _FRAME.unpack(data)
    if head_len > MAX_HEADER or total > limit:
        raise ChannelClosed("oversized frame")
    header = _recv_header(sock, head_len)
    sizes = header.get("_blobs")
    if not (isinstance(sizes, list) and all(type(n) is int and n >= 0 for n in sizes) and sum(sizes) == total):
        raise ChannelClosed("malformed frame header")
    body = _recv_exact(sock, total) if total else b""
    blobs, pos = [], 0
    for size in header.pop("_blobs"):
        blobs.append(body[pos:pos + size])
        pos += size
    return header, blobs, fd


def send_load(sock: socket.socket, request: dict[str, Any], code: bytes) -> None:
    head = _ENCODE(request).encode()
    sock.sendall(LOAD + _LOAD.pack(len(head), len(code)) + head)
    sock.sendall(code)


def recv_load_head(sock: socket.socket) -> tuple[dict[str, Any], int]:
    """The request and the code's length of a load frame whose kind byte was read (the code follows)."""
    head_len, code_len = _LOAD.unpack(_recv_exact(sock, _LOAD.size))
    if head_len > MAX_HEADER:
        raise ChannelClosed("oversized frame")
    return _recv_header(sock, head_len), code_len


def _recv_header(sock: socket.socket, size: int) -> dict[str, Any]:
    """A frame's JSON header (an object) of ``size`` bytes; anything else breaks the channel."""
    try:
        header = _DECODE(_recv_exact(sock, size).decode())
    except (ValueError, RecursionError) as err:  # UnicodeDecodeError is a ValueError
        raise ChannelClosed(f"malformed frame header ({err})") from None
    if not isinstance(header, dict):
        raise ChannelClosed("malformed frame header")
    return header


def send_test(sock: socket.socket, seq: int, stdin: bytes) -> None:
    sock.sendall(TEST + _TEST.pack(seq, len(stdin)) + stdin)


def recv_test_body(sock: socket.socket) -> tuple[int, bytes]:
    """The sequence number and stdin of a test frame whose kind byte was read."""
    seq, size = _TEST.unpack(_recv_exact(sock, _TEST.size))
    return seq, (_recv_exact(sock, size) if size else b"")


def send_result(sock: socket.socket, fields: tuple, stdout_fd: int, stdout_len: int, stderr_tail: bytes,
                status: bytes) -> None:
    """``fields``: seq, exit (-1: none), signal (0: none), cpu, wall, peak RSS KiB, watchdog, stdout size.
    The first ``stdout_len`` bytes of the file ``stdout_fd`` go to the socket in the kernel
    (``sendfile``), as in the C loop: a program's output never passes through the zygote's heap."""
    sock.sendall(RESULT_KIND + RESULT.pack(*fields, stdout_len, len(stderr_tail), len(status)))
    sent = 0
    while sent < stdout_len:
        n = os.sendfile(sock.fileno(), stdout_fd, sent, stdout_len - sent)
        if n <= 0:
            raise ChannelClosed("the output could not be sent")
        sent += n
    sock.sendall(stderr_tail + status)


STDERR_TAIL, STATUS_NOTE = 2048, 4096  # the most of each a result frame carries


def recv_result(sock: socket.socket, limit: int = MAX_BODY) -> tuple[tuple, bytes, bytes, bytes]:
    """A result frame: (the eight fields of :func:`send_result`, stdout, stderr tail, status);
    more stdout than ``limit`` (the output limit, which the zygote applies) breaks the channel
    before anything is allocated."""
    head = _recv_exact(sock, 1 + RESULT.size)
    if head[:1] != RESULT_KIND:
        raise ChannelClosed(f"unexpected frame {head[:1]!r}")
    fields = RESULT.unpack_from(head, 1)
    n_out, n_err, n_status = fields[8:]
    if n_out > limit or n_err > STDERR_TAIL or n_status > STATUS_NOTE:
        raise ChannelClosed("oversized result frame")
    body = _recv_exact(sock, n_out + n_err + n_status) if n_out + n_err + n_status else b""
    return fields[:8], body[:n_out], body[n_out:n_out + n_err], body[n_out + n_err:]


def recv_into_file(sock: socket.socket, fd: int, size: int) -> None:
    """Copy ``size`` bytes from the socket into the file ``fd`` (from its start) through one
    buffer that is zeroed afterwards: what :func:`judge.sandbox._spawn.receive` does in C."""
    buf = bytearray(min(size, 1 << 16))
    view = memoryview(buf)
    os.ftruncate(fd, 0)
    at = 0
    try:
        while at < size:
            n = sock.recv_into(view, min(len(buf), size - at))
            if n == 0:
                raise ChannelClosed("peer closed the channel")
            done = 0
            while done < n:
                done += os.pwrite(fd, view[done:n], at + done)
            at += n
    finally:
        view.release()
        buf[:] = bytes(len(buf))
    os.lseek(fd, 0, os.SEEK_SET)
