"""The system-call policy applied to every untrusted program.

The policy allows what CPython needs and kills the process with SIGSYS on anything that
creates processes, executes files, reaches the network, inspects other processes or changes
the kernel's view of the world.  A SIGSYS death is reported as the SV (sandbox violation)
verdict.

It is split in two filters, both compiled to BPF once (building one costs about a
millisecond): the zygote installs the large one on itself at start-up (it needs none of those
calls), and every test child inherits it; each child then installs only the small one, which
forbids what the zygote itself must do: create processes.
"""

from __future__ import annotations

import ctypes
import errno
import os

CLONE_THREAD = 0x00010000

# What the zygote needs and its children must not have: installed in every child.
CHILD_ONLY = ("fork", "vfork", "pidfd_open", "setsid", "setpgid")

# Killed outright: any use is a sandbox violation.  Installed once, in the zygote.
FORBIDDEN = (
    # programs
    "execve", "execveat",
    # the network, and host-side sockets (docker.sock, D-Bus, ...)
    "socket", "connect", "bind", "listen", "accept", "accept4",
    # looking into or steering other processes
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
    "kcmp", "process_madvise",
    # namespaces, mounts and the filesystem tree
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsmount",
    "fsconfig", "move_mount", "open_tree", "mount_setattr",
    "name_to_handle_at", "open_by_handle_at",
    # kernel facilities that widen the attack surface
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "keyctl", "add_key", "request_key", "personality",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    "reboot", "swapon", "swapoff", "syslog", "acct", "quotactl", "lookup_dcookie",
    "iopl", "ioperm", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "sethostname", "setdomainname", "vhangup",
)


def build_filter(child: bool) -> bytes:
    """Compile the zygote's filter (``child=False``) or the children's, as raw BPF.

    Called by the referee: the zygote receives the bytes and never loads libseccomp, whose
    mappings would make every fork slower.
    """
    import tempfile

    import pyseccomp as seccomp

    flt = seccomp.SyscallFilter(seccomp.ALLOW)
    # Other architectures' system-call tables (i386 via int 0x80, x32) are not allowed at all.
    flt.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.KILL_PROCESS)
    for name in CHILD_ONLY if child else FORBIDDEN:
        try:
            flt.add_rule(seccomp.KILL_PROCESS, name)
        except (OSError, ValueError, RuntimeError):  # unknown on this architecture
            continue
    if child:
        # Threads are allowed (programs raise their stack size with threading), processes are not.
        flt.add_rule(seccomp.KILL_PROCESS, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    else:
        # clone3 passes its flags in memory, out of a filter's reach: answering ENOSYS makes
        # glibc fall back to clone, whose flags the children's filter checks.
        flt.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    with tempfile.TemporaryFile() as out:
        flt.export_bpf(out)
        out.seek(0)
        return out.read()


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


SYS_SECCOMP = 317  # x86_64
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_SPEC_ALLOW = 1 << 2


class CompiledFilter:
    """A BPF program kept in memory so that a forked child installs it with one system call."""

    def __init__(self, bpf: bytes) -> None:
        self._buffer = ctypes.create_string_buffer(bpf, len(bpf))
        self._prog = _SockFprog(len(bpf) // 8, ctypes.addressof(self._buffer))
        # Resolved here, in the zygote, so that each child pays one plain call.
        self._syscall = ctypes.CDLL(None, use_errno=True).syscall
        self._prog_address = ctypes.c_void_p(ctypes.addressof(self._prog))

    def install(self) -> None:
        """Load the filter into the calling process (no_new_privs must be set, as the zygote does)."""
        # SPEC_ALLOW: without it the kernel turns on speculative-store-bypass mitigation for
        # the child, which costs more than a millisecond per test on some CPUs and protects
        # nothing here (the program shares no address space with a secret).
        if self._syscall(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW,
                         self._prog_address) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"seccomp filter not loaded: {os.strerror(err)}")
