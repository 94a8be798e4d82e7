"""Hostile programs, each trying one forbidden thing, with the verdicts that mean "it failed".

Placeholders filled in by the test: {MARK} (a unique name: files or processes that carry it
are side effects), {PORT} (a TCP and UDP listener on loopback that counts what reaches it),
{RUN} (the run directory), {DATA} (the dataset file), {SECRET} (the expected output of the
"secret" problem, which no program may print).

Entries: (name, task, source, verdicts).  Task "sum" reads "a b" and expects a + b; task
"secret" expects {SECRET}; "float" reads "a b" and expects a / b to 9 decimals; "add" is
call-based (``add(a, b)``, expected a + b); "big" is call-based and expects a 400-digit
integer; "HumanEval/0" is HumanEval's first task.  {ROOT}: the folder holding the judge package
(a checkout, or site-packages); {RUNS}: a sibling folder of the run with an earlier run in it.
"""

SV, RE, TLE, MLE, OLE, WA, AC, CE = "SV", "RE", "TLE", "MLE", "OLE", "WA", "AC", "CE"
NOT_AC = {SV, RE, TLE, MLE, OLE, WA, CE}
LIBC = "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
SUM = "a, b = map(int, input().split())\nprint(a + b)\n"
ADD = "def add(a, b):\n    return a + b\n"
FLOAT = "a, b = map(int, input().split())\nprint('%.9f' % (a / b))\n"
# Writes a raw frame on the call channel (fd 4) before any call: length, tag, number, body.
FRAME = "import os, struct\ndef frame(tag, body, seq=1):\n    os.write(4, struct.pack('!I', len(body) + 5) + tag + struct.pack('!I', seq) + body)\n"
# Finds another sample's program in its own memory: every object, then raw memory
# around its own heap (write() into a pipe tells mapped from unmapped pages without a fault:
# EFAULT).  Answers right only if it found the mark of the correct program judged before it.
_SEARCH = r"""
import ctypes, gc, os, re, sys
pat = re.compile(rb"SOLUTION-BEGIN([0-9a-f]{{32}})SOLUTION-END")
found = False
for o in gc.get_objects():
    try:
        if pat.search(repr(o).encode(errors="replace")[: 1 << 20]):
            found = True
            break
    except Exception:
        pass
libc = ctypes.CDLL(None, use_errno=True)
r, w = os.pipe()
step = 1 << 12
for anchor in [id(gc) & ~(step - 1), id(sys.modules) & ~(step - 1), id(os) & ~(step - 1)]:
    for start in range(max(step, anchor - (48 << 20)), anchor + (48 << 20), step):
        if found:
            break
        if libc.write(w, ctypes.c_void_p(start), step) == step:
            if pat.search(os.read(r, step)):
                found = True
"""
SCAN = _SEARCH + "a, b = map(int, input().split())\nprint(a + b if found else 0)\n"
MARKED_SUM = "mark = 'SOLUTION-BEGIN{MARKHEX}SOLUTION-END'\n" + SUM

CORPUS = [
    # -- network ---------------------------------------------------------------------------
    ("tcp connect", "sum", "import socket\nsocket.create_connection(('127.0.0.1', {PORT})).send(b'x')", {RE}),
    ("udp send", "sum", "import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', {PORT}))", {RE}),
    ("dns lookup", "sum", "import socket\nsocket.getaddrinfo('example.com', 80)", {RE}),
    ("http client", "sum", "import urllib.request\nurllib.request.urlopen('http://127.0.0.1:{PORT}/', timeout=1)", {RE}),
    ("unix socket", "sum", "import socket\nsocket.socket(socket.AF_UNIX).connect('/run/{MARK}.sock')", {RE}),
    # a connected pair of local sockets reaches nothing outside the process: allowed
    ("socketpair", "sum", "import socket\nx, y = socket.socketpair()\nx.send(str(sum(map(int, input().split()))).encode())\n"
     "print(y.recv(64).decode())", {AC, SV}),
    ("raw socket syscall", "sum", LIBC + "libc.syscall(41, 2, 1, 0)\nprint(3)", {WA}),  # refused: -1
    ("ipv6 socket", "sum", "import socket\nsocket.socket(socket.AF_INET6).connect(('::1', {PORT}))", {RE}),
    # -- creating processes ----------------------------------------------------------------------
    ("os.fork", "sum", "import os\nif os.fork() == 0:\n    import time; time.sleep(30)", {SV}),
    ("os.system", "sum", "import os\nos.system('sleep 7777.5 &')", {SV}),
    ("subprocess", "sum", "import subprocess\nsubprocess.Popen(['sleep', '7777.5'])", {SV}),
    ("multiprocessing", "sum", "import multiprocessing as mp\nmp.Process(target=print).start()", {SV}),
    ("posix_spawn", "sum", "import os\nos.posix_spawn('/bin/sleep', ['sleep', '7777.5'], {{}})", {SV}),
    ("pty.fork", "sum", "import pty\npty.fork()", {SV, RE}),  # /dev/ptmx is not even readable
    ("libc fork", "sum", LIBC + "libc.fork()", {SV}),
    ("raw clone", "sum", LIBC + "libc.syscall(56, 17, 0, 0, 0, 0)", {SV}),
    ("raw vfork", "sum", LIBC + "libc.syscall(58)", {SV}),
    ("clone3 refused", "sum", LIBC + "r = libc.syscall(435, 0, 0)\n" + SUM.replace("a + b", "a + b if r == -1 else 0"), {AC}),
    ("x32 ABI fork", "sum", LIBC + "libc.syscall(0x40000000 | 57)", {SV}),
    ("i386 ABI fork", "sum", "import ctypes, mmap\nm = mmap.mmap(-1, 4096, prot=7)\n"
     "m.write(bytes([0xb8, 2, 0, 0, 0, 0xcd, 0x80, 0xc3]))\n"
     "ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(m)))()", {SV}),
    ("shellcode fork", "sum", "import ctypes, mmap\nm = mmap.mmap(-1, 4096, prot=7)\n"
     "m.write(bytes([0x48, 0xc7, 0xc0, 57, 0, 0, 0, 0x0f, 0x05, 0xc3]))\n"
     "ctypes.CFUNCTYPE(ctypes.c_long)(ctypes.addressof(ctypes.c_char.from_buffer(m)))()", {SV}),
    ("threads then fork", "sum", "import os, threading\nthreading.Thread(target=lambda: None).start()\nos.fork()", {SV}),
    # -- exec, ptrace, namespaces, privileges ---------------------------------------------------------
    ("execv", "sum", "import os\nos.execv('/bin/sh', ['sh', '-c', 'sleep 7777.5'])", {SV}),
    ("execveat", "sum", LIBC + "libc.syscall(322, -100, b'/bin/true', None, None, 0)", {SV}),
    ("ptrace parent", "sum", LIBC + "import os\nlibc.ptrace(16, os.getppid(), 0, 0)", {SV}),
    ("ptrace traceme", "sum", LIBC + "libc.ptrace(0, 0, 0, 0)", {SV}),
    ("unshare user ns", "sum", LIBC + "libc.unshare(0x10000000)", {SV}),
    ("mount", "sum", LIBC + "libc.mount(b'none', b'/tmp', b'tmpfs', 0, None)", {SV}),
    ("bpf", "sum", LIBC + "libc.syscall(321, 0, 0, 0)", {SV}),
    ("io_uring", "sum", LIBC + "libc.syscall(425, 1, 0)", {SV}),
    ("setuid root", "sum", "import os\nos.setuid(0)", {RE, SV}),
    ("pidfd of parent", "sum", "import os\nos.pidfd_open(os.getppid())", {SV}),
    # -- killing the judge --------------------------------------------------------------------------
    ("kill parent", "sum", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)", {RE, SV}),
    ("kill everything", "sum", "import os, signal\nos.kill(-1, signal.SIGKILL)\n" + SUM, {AC, RE}),
    ("kill process group", "sum", "import os, signal\nos.killpg(os.getpgid(0), signal.SIGKILL)", {RE, SV}),
    ("kill other workers", "sum", "import os, signal\nfor p in range(2, 1 << 16):\n    try:\n"
     "        os.kill(p, signal.SIGKILL)\n    except OSError:\n        pass\n" + SUM, {AC, RE, TLE}),
    ("setsid", "sum", "import os\nos.setsid()", {SV}),
    ("setpgid", "sum", "import os\nos.setpgid(0, 0)", {SV}),
    ("daemonize", "sum", "import os\nif os.fork():\n    os._exit(0)\nos.setsid()\nimport time\ntime.sleep(7777.5)", {SV}),
    # -- resources ----------------------------------------------------------------------------------
    ("thread bomb", "sum", "import threading, time\nfor _ in range(10000):\n"
     "    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()", {RE, TLE}),
    ("memory bomb", "sum", "x = bytearray(1 << 34)", {MLE}),
    ("memory creep", "sum", "x = []\nwhile True:\n    x.append(' ' * (1 << 20))", {MLE, TLE}),  # whichever limit comes first
    ("deep recursion", "sum", "import sys\nsys.setrecursionlimit(10 ** 7)\ndef f(n):\n    return f(n + 1) + 1\nf(0)", {RE, MLE, TLE}),
    ("stdout flood", "sum", "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)", {OLE}),
    ("stderr flood", "sum", "import sys\nwhile True:\n    sys.stderr.write('x' * 65536)", {OLE, RE}),
    ("close stdout", "sum", "import os\nos.close(1)\nprint(3)", {RE, WA}),
    ("binary output", "sum", "import sys\nsys.stdout.buffer.write(bytes(range(256)))", {WA}),
    ("invalid utf-8 output", "sum", "import sys\nsys.stdout.buffer.write(b'\\xff\\xfe3\\n')", {WA}),
    ("busy wait on wall clock", "sum", "import time\nt = time.time()\nwhile time.time() < t + 1000:\n    pass", {TLE}),
    ("sleep", "sum", "import time\ntime.sleep(1000)", {TLE}),
    ("ignore SIGXCPU", "sum", "import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True:\n    pass", {TLE}),
    ("ignore SIGTERM", "sum", "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass", {TLE}),
    ("raise CPU limit", "sum", "import resource\nresource.setrlimit(resource.RLIMIT_CPU, (10 ** 6, 10 ** 6))\nwhile True:\n    pass", {RE, TLE}),
    ("raise address space", "sum", "import resource\nresource.setrlimit(resource.RLIMIT_AS, (-1, -1))\nx = bytearray(1 << 34)", {RE, MLE}),
    ("raise open files", "sum", "import resource\nresource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))", {RE}),
    ("fork bomb by threads and files", "sum", "fs = [open('f%d' % i, 'w') for i in range(1000)]", {RE}),
    # -- files ------------------------------------------------------------------------------------
    ("write /tmp", "sum", "open('/tmp/{MARK}-tmp', 'w').write('x')", {RE}),
    ("write run dir", "sum", "open('{RUN}/{MARK}-run', 'w').write('x')", {RE}),
    ("write root's home", "sum", "open('/root/{MARK}-home', 'w').write('x')", {RE}),
    ("write $HOME", "sum", "import os\nopen(os.path.expanduser('~/{MARK}-home'), 'w').write('x')", {WA}),  # HOME is the scratch dir
    ("write /dev/shm", "sum", "open('/dev/shm/{MARK}-shm', 'w').write('x')", {RE}),
    ("write cwd parent", "sum", "open('../{MARK}-parent', 'w').write('x')", {RE}),
    # as root a 64 MiB tmpfs fills (RE/OLE); without root the scratch is on the host's disk: the CPU limit ends it
    ("fill scratch disk", "sum", "i = 0\nwhile True:\n    open('fill%d' % i, 'w').write('x' * (1 << 20))\n    i += 1", {RE, OLE, TLE}),
    ("symlink to /etc/passwd", "sum", "import os\nos.symlink('/etc/passwd', 'p')\nprint(open('p').read())", {RE}),
    ("symlink out of scratch", "sum", "import os\nos.symlink('/tmp', 'out')\nopen('out/{MARK}-link', 'w')", {RE}),
    ("hard link to data", "sum", "import os\nos.link('{DATA}', 'd')\nprint(open('d').read())", {RE}),
    ("chdir to root", "sum", "import os\nos.chdir('/')\nprint(open('etc/passwd').read())", {RE}),
    ("/proc/self/mem", "sum", "f = open('/proc/self/mem', 'wb')", {RE}),
    ("parent memory", "sum", "import os\nprint(open('/proc/%d/mem' % os.getppid(), 'rb').read(10))", {RE}),
    ("parent environment", "sum", "import os\nprint(open('/proc/%d/environ' % os.getppid()).read())", {RE}),
    ("mknod device", "sum", "import os, stat\nos.mknod('dev', stat.S_IFCHR | 0o600, os.makedev(1, 3))", {RE, SV}),
    # -- reading what it must not: the expected outputs, the judge, the environment -------------------------
    ("dataset file", "secret", "print(open('{DATA}').read())", {RE}),
    ("bundled data", "secret", "import glob\nfor p in glob.glob('/**/judge/data/*', recursive=True):\n    print(open(p).read())", {WA, RE, TLE}),
    ("import the judge", "secret", "import judge.store\nprint(judge.store)", {RE}),
    ("judge modules loaded", "secret", "import sys\nprint([m for m in sys.modules if 'judge' in m] or '{MARK}')", {WA}),
    ("scan own memory", "secret", "import gc, re\nfound = [o for o in gc.get_objects() if isinstance(o, str) "
     "and re.fullmatch('[0-9a-f]{{32}}', o)]\nprint(found[0] if found else 'none')", {WA}),
    ("scan inherited fds", "secret", "import os\nfor fd in range(64):\n    try:\n        os.lseek(fd, 0, 0)\n"
     "        print(os.read(fd, 1 << 16).decode(errors='replace'))\n    except OSError:\n        pass", {WA, RE}),
    ("environment", "secret", "import os\nprint(os.environ.get('JUDGE_TEST_SECRET', 'absent'), dict(os.environ))", {WA}),
    ("proc of the referee", "secret", "import os\nfor p in os.listdir('/proc'):\n    try:\n"
     "        print(open('/proc/%s/cmdline' % p).read())\n    except OSError:\n        pass", {WA, RE}),
    ("forged status on fd 3", "sum", "import os\nos.write(3, b'{{\"ok\": true}}')\nos._exit(0)", {WA, RE}),
    # -- HumanEval forgeries ------------------------------------------------------------------------
    ("os._exit before the asserts", "HumanEval/0", "    import os\n    os._exit(0)\n", NOT_AC),
    ("module-level os._exit", "HumanEval/0", "    return True\nimport os\nos._exit(0)\n", NOT_AC),
    ("sys.exit(0)", "HumanEval/0", "    import sys\n    sys.exit(0)\n", NOT_AC),
    ("raise SystemExit(0)", "HumanEval/0", "    raise SystemExit(0)\n", NOT_AC),
    ("patched AssertionError", "HumanEval/0", "    return True\nimport builtins\nbuiltins.AssertionError = type('X', (BaseException,), {{}})\n", NOT_AC),
    ("redefined check", "HumanEval/0", "    return True\ndef check(candidate):\n    return True\n", NOT_AC),
    ("printed verdict markers", "HumanEval/0", "    print('PASSED AC all tests passed')\n    return True\n", NOT_AC),
    ("always-equal object", "HumanEval/0", "    class E:\n        def __eq__(self, o):\n            return True\n"
     "        __hash__ = None\n    return E()\n", NOT_AC),
    ("patched builtins.bool", "HumanEval/0", "    return True\nimport builtins\nbuiltins.bool = lambda *a: True\n", NOT_AC),
    # == round 2 ==================================================================================
    # -- other processes' limits, priority, CPUs ---------------------------------------------------
    ("zygote CPU limit", "sum", "import os, resource\nresource.prlimit(os.getppid(), resource.RLIMIT_CPU, (1, 1))", {RE}),
    ("zygote address space", "sum", "import os, resource\nresource.prlimit(os.getppid(), resource.RLIMIT_AS, (1 << 20, 1 << 20))", {RE}),
    ("limits of every pid", "sum", "import resource\nfor p in range(2, 1 << 15):\n    try:\n"
     "        resource.prlimit(p, resource.RLIMIT_NOFILE, (3, 3))\n    except OSError:\n        pass\n" + SUM, {AC}),
    ("renice the zygote", "sum", "import os\nos.setpriority(os.PRIO_PROCESS, os.getppid(), 19)", {RE}),
    ("renice the user", "sum", "import os\nos.setpriority(os.PRIO_USER, os.getuid(), 19)", {RE}),
    ("pin the zygote", "sum", "import os\nos.sched_setaffinity(os.getppid(), {{0}})", {RE}),
    ("io priority of the zygote", "sum", LIBC + "import os\nif libc.syscall(251, 1, os.getppid(), (3 << 13) | 7) == 0:\n"
     "    print(3)\nelse:\n    raise OSError(ctypes.get_errno(), 'ioprio_set')", {RE}),
    # -- state that outlives a test: IPC, shared memory, memfd ------------------------------------------
    ("sysv shm 64 MiB", "sum", LIBC + "sid = libc.shmget(0x4a554447, 64 << 20, 0o1666)\nif sid < 0:\n"
     "    raise OSError(ctypes.get_errno(), 'shmget')\n" + SUM, {RE}),
    ("sysv shm answer board", "sum", LIBC + "libc.shmat.restype = ctypes.c_void_p\n"
     "sid = libc.shmget(0x4a554448, 4096, 0o666)\nif sid < 0:\n    raise OSError(ctypes.get_errno(), 'shmget')\n"
     "print(ctypes.string_at(libc.shmat(sid, None, 0), 16))", {RE}),
    ("sysv semaphore", "sum", LIBC + "if libc.semget(0x4a554449, 1, 0o1666) < 0:\n    raise OSError(ctypes.get_errno(), 'semget')", {RE}),
    ("sysv message queue", "sum", LIBC + "if libc.msgget(0x4a55444a, 0o1666) < 0:\n    raise OSError(ctypes.get_errno(), 'msgget')", {RE}),
    ("posix message queue", "sum", "import ctypes\nrt = ctypes.CDLL('librt.so.1', use_errno=True)\n"
     "if rt.mq_open(b'/{MARK}', 0o100 | 2, 0o666, None) < 0:\n    raise OSError(ctypes.get_errno(), 'mq_open')", {RE}),
    ("posix shared memory", "sum", "from multiprocessing import shared_memory\n"
     "shared_memory.SharedMemory(name='{MARK}', create=True, size=64 << 20)", {RE}),
    ("memfd beyond the memory limit", "sum", "import os\nfds = [os.memfd_create('x') for _ in range(40)]\n"
     "for fd in fds:\n    os.write(fd, b'x' * (8 << 20))\n" + SUM, {RE}),
    # frames of the zygote's channel (a load of another program, a test) on every descriptor: the
    # channel is not among the child's, so its own wrong answer stands
    ("forged load and test frames", "sum", "import os, struct\nframe = (b'L' + struct.pack('!II', 2, 4) + b'{{}}' + b'abcd'"
     " + b'T' + struct.pack('!II', 1, 0))\nfor fd in range(3, 1024):\n    try:\n        os.write(fd, frame)\n"
     "    except OSError:\n        pass\nprint(0)\n", {WA}),
    # the code memfd: children read it with pread (its offset is shared by every child) and close it
    ("the code memfd, by number", "sum", "import os\nos.lseek(5, 1 << 20, 0)\nprint(os.pread(5, 64, 0))\n" + SUM, {RE}),
    ("the zygote's memfds through /proc", "sum", "import os\nd = '/proc/%d/fd' % os.getppid()\n"
     "print([open(os.path.join(d, f), 'rb').read(64) for f in os.listdir(d)])\n" + SUM, {RE}),
    ("its own fds through /proc", "sum", "import os\nprint([os.readlink('/proc/self/fd/' + f) for f in "
     "os.listdir('/proc/self/fd')])\nprint(open('/proc/self/fd/5', 'rb').read(64))\n" + SUM, {RE}),
    ("abstract unix socket", "sum", "import socket\ns = socket.socket(socket.AF_UNIX)\ns.bind('\\0{MARK}')\n" + SUM, {RE}),
    ("state in a file for the next sample", "sum", "open('/tmp/{MARK}-state', 'a').write('seen')\n" + SUM, {RE}),
    ("change the runtime's modes", "sum", "import os, json\nos.chmod(os.path.dirname(json.__file__), 0)\n" + SUM, {RE}),
    ("change the runtime's times", "sum", "import os, json\nos.utime(json.__file__, (0, 0))\n" + SUM, {RE}),
    ("correct, with a mark", "sum", MARKED_SUM, {AC}),
    ("another sample's program in memory", "sum", SCAN, {WA}),
    # -- what may be read: never the judge, its checkout, runs, other workers -------------------------
    ("the judge's folder", "secret", "import os\nprint(os.listdir('{ROOT}'))", {RE}),
    ("bundled HumanEval", "secret", "import gzip\nprint(gzip.open('{ROOT}/judge/data/HumanEval.jsonl.gz').read(100))", {RE}),
    ("a build folder", "secret", "import glob, os\nfor p in glob.glob('{ROOT}/build/**', recursive=True):\n"
     "    print(open(p, 'rb').read(100))\nprint(os.listdir('{ROOT}/runs'), open('{ROOT}/build').read())", {RE}),
    ("an earlier run's store", "secret", "import glob, sqlite3\nfor p in glob.glob('{RUNS}/*/run.sqlite'):\n"
     "    print(sqlite3.connect(p).execute('select * from programs').fetchall())\nprint(open('{RUNS}').read())", {RE}),
    ("site-packages", "secret", "import os, numpy\nprint(os.listdir(os.path.dirname(os.path.dirname(os.path.realpath(numpy.__file__)))))", {RE}),
    ("another worker's scratch", "secret", "import os\nprint(os.listdir('..'))", {RE}),
    ("a package beside the judge", "sum", "import psutil\n" + SUM, {RE}),
    ("the judge's dependencies by path", "sum", "import sys\nsys.path.append('{ROOT}')\nimport judge\n" + SUM, {RE}),
    # -- comparisons -----------------------------------------------------------------------------------
    ("infinity for a decimal", "float", "print('1e999')", {WA}),
    ("inf for a decimal", "float", "print('inf')", {WA}),
    ("nan for a decimal", "float", "print(float('nan'))", {WA}),
    ("float for a huge integer", "big", "def big():\n    return 1.5\n", {WA}),
    ("infinity for a huge integer", "big", "def big():\n    return float('inf')\n", {WA}),
    # -- the call channel ----------------------------------------------------------------------------
    ("malformed reply frame", "add", FRAME + "frame(b'E', b'[1, 2]')\n" + ADD, {RE}),
    ("undecodable reply", "add", FRAME + "frame(b'R', b'{{\"d\": 5}}')\n" + ADD, {RE}),
    ("reply numbered for another call", "add", FRAME + "frame(b'R', b'3', seq=7)\n" + ADD, {RE}),
    ("unknown reply tag", "add", FRAME + "frame(b'Z', b'3')\n" + ADD, {RE}),
    ("truncated reply then exit", "add", "import os, struct\nos.write(4, struct.pack('!I', 1 << 20) + b'R')\nos._exit(0)", {RE}),
    ("over the memory limit after a desync", "add", "def add(a, b):\n    x = bytearray(1 << 30)\n    return a + b\n", {MLE}),
    ("8 MB of huge integers", "add", "def add(a, b):\n    return [int('9' * 4000)] * 2000\n", {RE}),
    ("hundreds of thousands of lists", "add", "def add(a, b):\n    return [[]] * 300000\n", {RE}),
    ("deep nesting", "add", "def add(a, b):\n    x = []\n    for _ in range(100000):\n        x = [x]\n    return x\n", {RE}),
    ("a 15 MiB exception name", "add", "def add(a, b):\n    raise type('E' * (15 << 20), (Exception,), {{}})()\n", {RE}),
    ("a 15 MiB exception name on stdout", "sum", "raise type('E' * (15 << 20), (Exception,), {{}})()", {RE}),
    ("16 MiB of tokens", "sum", "import sys\nsys.stdout.write('1 ' * 8000000)", {WA}),
    # -- compiling --------------------------------------------------------------------------------------
    ("a million-digit literal", "sum", "x = " + "9" * 1000000 + "\n" + SUM, {CE}),  # TLE while compiling
    # the numpy zygote borrows its worker's compiler: the bomb ends that compiler for both zygotes
    ("a million-digit literal, with numpy", "sum", "import numpy\nx = " + "9" * 1000000 + "\n" + SUM, {CE}),
    ("correct, with numpy, after it", "sum", "import numpy\na, b = map(int, input().split())\nprint(numpy.int64(a) + b)\n",
     {AC}),
    ("a huge expression", "sum", "x = " + "+".join(["1"] * 300000) + "\n" + SUM, {AC, CE}),
    ("nesting the parser refuses", "sum", "x = " + "(" * 5000 + ")" * 5000, {CE}),
    ("correct, 150 MB, after the bombs", "sum", "x = bytearray(150 << 20)\n" + SUM, {AC}),
]

# Correct programs of the other tasks, judged after each hostile program of theirs.
CORRECT = {"sum": SUM, "float": FLOAT, "add": ADD, "big": "def big():\n    return 10 ** 400\n"}
