"""The system-call policy applied to every untrusted program: an allow-list.

Only the calls a Python program needs on its own resources are allowed (files under Landlock's
bounds, its own memory, threads, signals, clocks, a connected socket pair).  Everything else
fails with ENOSYS, as on a kernel that lacks the call, except:
- calls no correct program makes and that only serve to escape or to reach beyond the process
  (creating processes, exec, ptrace, namespaces, mounts, kernel facilities): the program is
  killed with SIGSYS, the SV (sandbox violation) verdict;
- calls a correct program may try and handle when they fail: creating a network socket
  (EACCES: standard library and HTTP clients probe for sockets, glibc's user look-ups try nscd),
  SysV and POSIX IPC and memfds (EPERM: kernel objects that would outlive the test or hold
  memory outside its address-space limit), changing file owners, modes and times (EPERM: Landlock does not
  cover them, and the runtime's files may belong to the judge's user);
- calls that act on a process: allowed only on the calling process itself (``prlimit64``,
  ``setpriority`` and the ``sched_set*`` calls with pid 0), so that no program can change the
  limits, priority or CPUs of its zygote, another worker or the judge.

It is split in two filters, both compiled to BPF once (building one costs about a
millisecond): the zygote installs the allow-list on itself at start-up, and every test child
inherits it; each child then installs the small one, which takes away what only the zygote
may do (create processes, change identity, make memfds, empty the scratch directory of a
program's unreadable directories).  Installing it is the sandbox's largest cost per test:
~0.08-0.15 ms, nearly all of it the kernel JIT-compiling the 28 instructions, which
synchronises every CPU (on this VM, inter-processor interrupts), whatever the filter's length.
"""

from __future__ import annotations

import ctypes
import errno
import os

CLONE_THREAD = 0x00010000

# What a Python program may use on its own resources; Landlock bounds the paths.
ALLOWED = (
    # files and descriptors
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
    "open", "openat", "openat2", "creat", "close", "close_range", "lseek", "dup", "dup2", "dup3", "fcntl",
    "flock", "fsync", "fdatasync", "syncfs", "sync_file_range", "ftruncate", "truncate", "fallocate",
    "fadvise64", "readahead", "stat", "fstat", "lstat", "newfstatat", "statx", "statfs", "fstatfs",
    "access", "faccessat", "faccessat2", "readlink", "readlinkat", "getdents", "getdents64", "getcwd",
    "chdir", "fchdir", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "rename", "renameat", "renameat2",
    "link", "linkat", "symlink", "symlinkat", "mknod", "mknodat", "umask", "pipe", "pipe2", "splice", "tee",
    "sendfile", "copy_file_range", "ioctl", "select", "pselect6", "poll", "ppoll", "epoll_create",
    "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2",
    "signalfd", "signalfd4", "timerfd_create", "timerfd_settime", "timerfd_gettime",
    "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch",
    # its own memory
    "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mincore", "msync", "mlock", "mlock2",
    "munlock", "mlockall", "munlockall", "membarrier", "map_shadow_stack", "mseal",
    # threads, signals, clocks (which processes a signal reaches: private uid or Landlock scope)
    "clone", "exit", "exit_group", "set_tid_address", "set_robust_list", "get_robust_list", "futex",
    "futex_waitv", "rseq", "arch_prctl", "restart_syscall", "sched_yield", "sched_getaffinity",
    "sched_getparam", "sched_getscheduler", "sched_getattr", "sched_get_priority_max",
    "sched_get_priority_min", "sched_rr_get_interval", "getcpu", "rt_sigaction", "rt_sigprocmask",
    "rt_sigreturn", "rt_sigpending", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigqueueinfo",
    "rt_tgsigqueueinfo", "sigaltstack", "pause", "alarm", "getitimer", "setitimer", "timer_create",
    "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete", "kill", "tkill", "tgkill",
    "nanosleep", "clock_nanosleep", "clock_gettime", "clock_getres", "gettimeofday", "time",
    "wait4", "waitid",
    # who and where it is, its own limits
    "getpid", "getppid", "gettid", "getuid", "geteuid", "getgid", "getegid", "getgroups", "getresuid",
    "getresgid", "getpgid", "getpgrp", "getsid", "capget", "uname", "sysinfo", "getrusage", "times",
    "getrandom", "prctl", "getrlimit", "setrlimit", "getpriority",
    # sockets that reach nothing: a connected pair, and the channels the judge hands over
    "socketpair", "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "shutdown",
    "getsockopt", "setsockopt", "getsockname", "getpeername",
    # restricting itself further
    "seccomp", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
    # used by the zygote (before its children take them away, see CHILD_DENIED)
    "fork", "vfork", "pidfd_open", "setsid", "setpgid", "fchmod", "fchmodat", "chmod",
    "setgroups", "setresuid", "setresgid", "capset", "memfd_create",
)

# On the calling process only: argument 0 (the pid or, for setpriority, argument 1) must be 0.
SELF_ONLY = {"prlimit64": 0, "sched_setaffinity": 0, "sched_setscheduler": 0, "sched_setparam": 0,
             "sched_setattr": 0, "setpriority": 1}

# Refused with an error a program can handle.
REFUSED = {
    errno.EACCES: ("socket",),  # the network, unix sockets (nscd, D-Bus, docker.sock): unreachable
    errno.EPERM: (
        # bind/connect/listen/accept on a socket pair's ends reach nothing either
        "connect", "bind", "listen", "accept", "accept4",
        # kernel objects that outlive the test and hold memory beyond its limit
        "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semctl", "semtimedop",
        "msgget", "msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend",
        "mq_timedreceive", "mq_notify", "mq_getsetattr", "memfd_secret",
        # file metadata, which Landlock does not cover
        "chown", "fchown", "lchown", "fchownat", "utime", "utimes", "futimesat", "utimensat",
        "fchmodat2", "setuid", "setgid", "setreuid", "setregid", "setfsuid", "setfsgid",
        "ioprio_set", "migrate_pages", "move_pages", "mbind", "set_mempolicy", "fanotify_init",
    ),
    errno.ENOTSUP: ("setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
                    "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr"),
}

# Killed outright: any use is a sandbox violation.
FORBIDDEN = (
    "execve", "execveat",
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "pidfd_send_signal", "kcmp",
    "process_madvise", "process_mrelease",
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsmount", "fspick",
    "fsconfig", "move_mount", "open_tree", "mount_setattr", "name_to_handle_at", "open_by_handle_at",
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "keyctl", "add_key", "request_key", "personality", "init_module", "finit_module", "delete_module",
    "kexec_load", "kexec_file_load", "reboot", "swapon", "swapoff", "syslog", "acct", "quotactl",
    "quotactl_fd", "lookup_dcookie", "iopl", "ioperm", "settimeofday", "clock_settime", "clock_adjtime",
    "adjtimex", "sethostname", "setdomainname", "vhangup", "modify_ldt", "uselib", "nfsservctl",
)

# What the zygote needs and its children must not have.
CHILD_FORBIDDEN = ("fork", "vfork", "pidfd_open", "setsid", "setpgid")
CHILD_DENIED = ("fchmod", "fchmodat", "chmod", "setgroups", "setresuid", "setresgid", "capset",
                "memfd_create")  # the zygote makes one per program; a child's would hold memory beyond its limit


def _add(flt, action, name: str, *args) -> None:
    try:
        flt.add_rule(action, name, *args)
    except (OSError, ValueError, RuntimeError):  # unknown on this architecture or kernel headers
        pass


def build_filter(child: bool, checker: bool = False) -> bytes:
    """Compile the zygote's filter (``child=False``) or the children's, as raw BPF; ``checker``:
    the filter of a checker executable (below).

    Called on the trusted side (the driver builds both before it forks its referees, which
    inherit them): the zygote receives the bytes and never loads libseccomp, whose mappings
    would make every fork slower.
    """
    import tempfile

    import pyseccomp as seccomp

    if checker:
        # A checker executable: loaded before its one exec (so exec stays allowed; Landlock lets
        # it execute nothing but itself and the dynamic loader), no other process, no signal to
        # anyone, no network, nothing of the zygote's list of calls that act on others.
        flt = seccomp.SyscallFilter(seccomp.ALLOW)
        for name in CHILD_FORBIDDEN + tuple(n for n in FORBIDDEN if n not in ("execve", "execveat")):
            _add(flt, seccomp.KILL_PROCESS, name)
        _add(flt, seccomp.KILL_PROCESS, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
        _add(flt, seccomp.ERRNO(errno.ENOSYS), "clone3")
        for err, names in REFUSED.items():
            for name in names:
                _add(flt, seccomp.ERRNO(err), name)
        for name in ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"):
            _add(flt, seccomp.ERRNO(errno.EPERM), name)
        for name, arg in SELF_ONLY.items():
            _add(flt, seccomp.ERRNO(errno.EPERM), name, seccomp.Arg(arg, seccomp.NE, 0))
    elif child:
        flt = seccomp.SyscallFilter(seccomp.ALLOW)  # stacked on the zygote's allow-list
        for name in CHILD_FORBIDDEN:
            _add(flt, seccomp.KILL_PROCESS, name)
        for name in CHILD_DENIED:
            _add(flt, seccomp.ERRNO(errno.EPERM), name)
        # Threads are allowed (programs raise their stack size with threading), processes are not.
        _add(flt, seccomp.KILL_PROCESS, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    else:
        flt = seccomp.SyscallFilter(seccomp.ERRNO(errno.ENOSYS))
        try:  # a binary tree over the ~350 rules instead of a linear scan on every system call
            flt.set_attr(seccomp.Attr.CTL_OPTIMIZE, 2)
        except (OSError, ValueError, RuntimeError):
            pass
        for name in ALLOWED:
            _add(flt, seccomp.ALLOW, name)
        for name, arg in SELF_ONLY.items():
            _add(flt, seccomp.ALLOW, name, seccomp.Arg(arg, seccomp.EQ, 0))
            _add(flt, seccomp.ERRNO(errno.EPERM), name, seccomp.Arg(arg, seccomp.NE, 0))
        for err, names in REFUSED.items():
            for name in names:
                _add(flt, seccomp.ERRNO(err), name)
        for name in FORBIDDEN:
            _add(flt, seccomp.KILL_PROCESS, name)
        # clone3 passes its flags in memory, out of a filter's reach: answering ENOSYS makes
        # glibc fall back to clone, whose flags the children's filter checks.
        _add(flt, seccomp.ERRNO(errno.ENOSYS), "clone3")
    # Other architectures' system-call tables (i386 via int 0x80, x32) are not allowed at all.
    flt.set_attr(seccomp.Attr.ACT_BADARCH, seccomp.KILL_PROCESS)
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
