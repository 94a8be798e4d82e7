"""Message framing between a referee and its zygote over a Unix stream socket.

A message is a JSON header plus raw byte blobs, so that program text, stdin and stdout cross
without escaping; one file descriptor may ride along (the call channel of a function test).
Frame: ``!IQ`` (header length, total blob length), header, blobs back to back; the header
lists the blob sizes under ``"_blobs"``.  No pickle: neither side executes what it receives.
"""

from __future__ import annotations

import array
import json
import socket
import struct
from typing import Any

_FRAME = struct.Struct("!IQ")


class ChannelClosed(EOFError):
    """The peer closed the socket (or died)."""


def send(sock: socket.socket, header: dict[str, Any], blobs: tuple[bytes, ...] = (), fd: int | None = None) -> None:
    header = dict(header, _blobs=[len(b) for b in blobs])
    head = json.dumps(header, separators=(",", ":")).encode()
    total = sum(len(b) for b in blobs)
    first = _FRAME.pack(len(head), total) + head
    if fd is None:
        sock.sendall(first)
    else:
        sock.sendmsg([first], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])
    for blob in blobs:
        if blob:
            sock.sendall(blob)


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    buf = bytearray(size)
    view = memoryview(buf)
    got = 0
    while got < size:
        n = sock.recv_into(view[got:], size - got)
        if n == 0:
            raise ChannelClosed("peer closed the channel")
        got += n
    return bytes(buf)


def recv(sock: socket.socket) -> tuple[dict[str, Any], list[bytes], int | None]:
    """Receive one message: (header, blobs, fd or None)."""
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
    header = json.loads(_recv_exact(sock, head_len))
    body = _recv_exact(sock, total) if total else b""
    blobs, pos = [], 0
    for size in header.pop("_blobs"):
        blobs.append(body[pos:pos + size])
        pos += size
    return header, blobs, fd
