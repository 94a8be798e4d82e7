"""Landlock: the filesystem (and, on newer kernels, TCP and signal) view of untrusted programs.

The ruleset is built and enforced once, by the zygote on itself, and every test child inherits
it: programs may read and execute what the Python runtime needs (the standard library,
site-packages, system libraries) and write only in their scratch directory.  The judge's own
package, the dataset files and the run directory are cut out of the readable tree, so a program
cannot look up expected outputs on disk.
"""

from __future__ import annotations

import ctypes
import os
import struct
from collections.abc import Iterable

SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1, 2
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1, 2
PR_SET_NO_NEW_PRIVS = 38

READ = EXECUTE | READ_FILE | READ_DIR
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _restrict(fd: int, flags: int) -> int:
    return _libc.syscall(SYS_RESTRICT_SELF, fd, flags)


def abi_version() -> int:
    """The kernel's Landlock ABI version, or 0 when Landlock is unavailable."""
    version = _libc.syscall(SYS_CREATE_RULESET, None, 0, CREATE_RULESET_VERSION)
    return max(int(version), 0)


def _fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


def _readable_roots(allowed: Iterable[str], excluded: Iterable[str]) -> list[str]:
    """Expand ``allowed`` into paths whose subtrees contain none of ``excluded``.

    Landlock can only grant, never carve out, so a root that contains an excluded path is
    replaced by its children, recursively, down to the excluded path's siblings.
    """
    excluded = {os.path.realpath(p) for p in excluded}
    result: list[str] = []

    def visit(path: str) -> None:
        if path in excluded:
            return
        inside = [e for e in excluded if e.startswith(path.rstrip("/") + "/")]
        if not inside:
            result.append(path)
            return
        try:
            names = os.listdir(path)
        except OSError:
            return
        for name in names:
            visit(os.path.join(path, name))

    for root in dict.fromkeys(os.path.realpath(p) for p in allowed):
        if os.path.exists(root):
            visit(root)
    return result


def signal_scope_ruleset(abi: int) -> int | None:
    """A ruleset that only scopes signals (ABI >= 6): enforced by a child that keeps the zygote's
    uid, it stops the program from signalling its zygote (same uid, same outer domain)."""
    if abi < 6:
        return None
    buf = ctypes.create_string_buffer(struct.pack("QQQ", 0, 0, SCOPE_SIGNAL | SCOPE_ABSTRACT_UNIX_SOCKET), 24)
    fd = _libc.syscall(SYS_CREATE_RULESET, buf, 24, 0)
    return int(fd) if fd >= 0 else None


def restrict_self(fd: int) -> None:
    if _restrict(fd, 0) != 0:
        raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")


class Ruleset:
    """A Landlock ruleset file descriptor, ready to be enforced in a child."""

    def __init__(self, abi: int, readable: Iterable[str], writable: Iterable[str], excluded: Iterable[str]):
        self.abi = abi
        fs = _fs_rights(abi)
        attr = struct.pack("QQQ", fs, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                           SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
        size = 8 if abi < 4 else (16 if abi < 6 else 24)
        buf = ctypes.create_string_buffer(attr[:size], size)
        fd = _libc.syscall(SYS_CREATE_RULESET, buf, size, 0)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
        self.fd = int(fd)
        self.rules = 0
        for path in _readable_roots(readable, excluded):
            self._allow(path, READ)
        for path in writable:
            self._allow(path, fs)
        self._prctl = _libc.prctl

    def _allow(self, path: str, rights: int) -> None:
        try:
            pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return
        try:
            if not os.path.isdir(path):
                rights &= FILE_RIGHTS
            rule = ctypes.create_string_buffer(struct.pack("=Qi", rights, pfd), 12)
            if _libc.syscall(SYS_ADD_RULE, self.fd, RULE_PATH_BENEATH, rule, 0) == 0:
                self.rules += 1
        finally:
            os.close(pfd)


    def enforce(self, fd: int) -> None:
        """Enforce the ruleset (duplicated at ``fd``) on the calling process; sets no_new_privs."""
        if self._prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or _restrict(fd, 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
