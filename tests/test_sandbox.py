"""The sandbox and the verdicts it leads to, on small programs that each try one thing."""

import os
import signal
import uuid

import pytest

from judge.datasets import Task, Test
from judge.sandbox.client import Limits

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def stdio_task(inputs_outputs, task_id="t"):
    tests = [Test(i, o) for i, o in inputs_outputs]
    return Task(task_id=task_id, kind="stdio", tests=tests)


@pytest.fixture(scope="module")
def judge(judge_factory):
    return judge_factory("strict", Limits(cpu=3.0, memory=256 << 20, output=1 << 20))


def outcome(judge, source, stdin="", expected=""):
    return judge.judge(stdio_task([(stdin, expected)], task_id=str(uuid.uuid4())), source)


@pytest.mark.parametrize("name, source", [
    ("socket", "import socket\nsocket.socket().connect(('127.0.0.1', 80))"),
    ("unix socket", "import socket\nsocket.socket(socket.AF_UNIX).connect('/run/x.sock')"),
    ("dns", "import socket\nsocket.getaddrinfo('example.com', 80)"),
    ("sysv shared memory", "import ctypes, os\nif ctypes.CDLL(None, use_errno=True).shmget(77, 1 << 20, 0o1666) < 0:\n"
     "    raise OSError(ctypes.get_errno(), 'shmget')"),
    ("limits of the zygote", "import os, resource\nresource.prlimit(os.getppid(), resource.RLIMIT_CPU, (1, 1))"),
])
def test_reaching_out_is_refused_with_an_error_the_program_sees(judge, name, source):
    """Sockets, IPC objects and other processes' limits: refused (RE), not a kill (SV), so that a
    correct program that merely probes (user look-ups, HTTP clients at import) is not punished."""
    result = outcome(judge, source)
    assert result.verdict == "RE" and result.tests[0].detail in ("PermissionError", "gaierror"), (name, result)


def test_only_the_candidate_runtime_is_readable(judge):
    """Folders beside the runtime that a program must never list: every site-packages folder of
    this interpreter and of the system's Pythons, the checkout, its build/ and runs/ folders (a
    wheel install gets its own test in CI's other modes)."""
    import glob
    import site
    places = site.getsitepackages() + [site.getusersitepackages(), ROOT, os.path.join(ROOT, "build"),
                                       os.path.join(ROOT, "runs"), os.path.join(ROOT, "tests"), "/etc", "/proc/1"]
    places += glob.glob("/usr/lib/python3*/*-packages") + glob.glob("/usr/local/lib/python3*") + ["/usr/lib"]
    places = [p for p in places if os.path.isdir(p)]
    assert len(places) >= 4
    probe = ("import os\nopen_ = []\nfor p in %r:\n    try:\n        os.listdir(p)\n        open_.append(p)\n"
             "    except PermissionError:\n        pass\nprint(open_ or 'none')\n" % places)
    result = outcome(judge, probe, expected="none\n")
    assert result.verdict == "AC", result.tests[0].output


@pytest.mark.parametrize("source, expected", [
    ("import getpass\nprint(getpass.getuser())", "judge"),
    ("import os\nprint(os.path.basename(os.path.expanduser('~')) != '~')", "True"),
    ("import os, pwd\nprint(pwd.getpwuid(os.getuid()).pw_name, pwd.getpwnam('judge').pw_dir == os.environ['HOME'])",
     "judge True"),
    ("import socket\ntry:\n    socket.socket(socket.AF_UNIX).connect('/var/run/nscd/socket')\nexcept OSError:\n"
     "    print('no nscd')", "no nscd"),
])
def test_standard_look_ups_work_without_the_user_database(judge, source, expected):
    result = outcome(judge, source, expected=expected + "\n")
    assert result.verdict == "AC", result


def test_http_clients_import_and_reach_nothing(tmp_path):
    """requests/urllib3 (in the runtime when a preset names them) import fine; a connection to a
    listener on the host's loopback fails in the program and the listener sees nothing."""
    import socket
    import threading

    from judge.sandbox.client import SandboxOptions, ZygoteClient
    from judge.sandbox.runtime import Runtime
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port, hits = listener.getsockname()[1], []

    def accept():
        for _ in range(20):
            try:
                hits.append(listener.accept())
            except OSError:
                pass
    watcher = threading.Thread(target=accept)
    watcher.start()
    uid = 2_100_090 if os.geteuid() == 0 else None
    zygote = ZygoteClient(9, SandboxOptions(str(tmp_path), uid=uid, runtime=Runtime(packages=("numpy", "requests"))),
                          Limits())
    try:
        run = zygote.run_stdio("import requests, urllib3\ntry:\n    requests.get('http://127.0.0.1:%d/', timeout=2)\n"
                               "except Exception as err:\n    print('refused', type(err).__name__)\n" % port, b"")
    finally:
        zygote.close()
    watcher.join()
    listener.close()
    assert run.stdout.startswith(b"refused ") and run.exit == 0, run
    assert hits == []


@pytest.mark.parametrize("name, source", [
    ("fork", "import os\nos.fork()"),
    ("os.system", "import os\nos.system('echo hi')"),
    ("subprocess", "import subprocess\nsubprocess.run(['true'])"),
    ("multiprocessing", "import multiprocessing as mp\np = mp.Process(target=print)\np.start()"),
    ("exec", "import os\nos.execv('/bin/true', ['true'])"),
    ("ptrace", "import ctypes, os\nctypes.CDLL(None).ptrace(16, os.getppid(), 0, 0)"),
    ("setsid", "import os\nos.setsid()"),
    ("raw fork syscall", "import ctypes\nctypes.CDLL(None).syscall(57)"),
    ("raw clone syscall", "import ctypes\nctypes.CDLL(None).syscall(56, 17, 0, 0, 0, 0)"),
    ("x32 ABI", "import ctypes\nctypes.CDLL(None).syscall(0x40000000 | 57)"),
    ("i386 ABI (int 0x80)", "import ctypes, mmap\nm = mmap.mmap(-1, 4096, prot=7)\n"
     "m.write(bytes([0xb8, 2, 0, 0, 0, 0xcd, 0x80, 0xc3]))\n"
     "ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(m)))()"),
    ("io_uring", "import ctypes\nctypes.CDLL(None).syscall(425, 1, 0)"),
])
def test_forbidden_calls_are_sandbox_violations(judge, name, source):
    result = outcome(judge, source)
    assert result.verdict == "SV", (name, result)


def test_writes_outside_scratch_are_refused_and_scratch_works(judge, tmp_path):
    target = f"/tmp/judge-escape-{uuid.uuid4().hex}"
    result = outcome(judge, f"open({target!r}, 'w').write('x')")
    assert result.verdict == "RE" and result.tests[0].detail == "PermissionError"
    assert not os.path.exists(target)
    assert outcome(judge, "open('scratch.txt', 'w').write('ok')\nprint(open('scratch.txt').read())",
                   expected="ok").verdict == "AC"
    # the scratch directory is emptied between tests
    assert outcome(judge, "import os\nprint(os.listdir('.'))", expected="[]").verdict == "AC"


def test_cannot_signal_the_judge(judge):
    result = outcome(judge, "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)")
    assert result.verdict == "RE"
    assert outcome(judge, "print(1)", expected="1").verdict == "AC"  # the zygote survived


def test_cpu_loop_is_tle_near_the_limit(judge):
    result = outcome(judge, "while True:\n    pass")
    assert result.verdict == "TLE"
    assert 2.9 <= result.tests[0].cpu <= 4.2


def test_sleeper_is_stopped_by_the_watchdog(judge_factory):
    judge = judge_factory("strict", Limits(cpu=1.0, wall=2.0))
    result = outcome(judge, "import time\ntime.sleep(60)")
    assert result.verdict == "TLE" and "wall" in result.tests[0].detail
    assert result.tests[0].wall < 5
    # a wall-clock timeout with little CPU used may be the machine's load: it was run a second time
    assert result.tests[0].detail.endswith("(run twice)")
    busy = outcome(judge, "while True:\n    pass")
    assert busy.verdict == "TLE" and "run twice" not in busy.tests[0].detail  # a loop's timeout is not repeated


def test_a_slow_program_near_the_limit_gets_its_timeout_run_twice(judge_factory):
    judge = judge_factory("strict", Limits(cpu=1.0))
    # 0.6 s of CPU on the first input, then a loop: after a finished test that slow, a timeout
    # may be the few percent by which CPU time varies, so it is run once more.
    source = ("import time\nn = int(input())\nt = time.process_time()\n"
              "while time.process_time() - t < (0.6 if n == 1 else 100):\n    pass\nprint(n)")
    result = judge.judge(stdio_task([("1\n", "1\n"), ("2\n", "2\n")], task_id=str(uuid.uuid4())), source)
    assert [t.verdict for t in result.tests] == ["AC", "TLE"]
    assert result.tests[1].detail.endswith("(run twice)") and result.tests[1].wall > 0.9


def test_memory_bomb_is_mle(judge):
    assert outcome(judge, "x = bytearray(600 * 1024 * 1024)").verdict == "MLE"
    assert outcome(judge, "x = []\nwhile True:\n    x.append(' ' * 10**6)").verdict == "MLE"


def test_output_flood_is_ole(judge):
    assert outcome(judge, "while True:\n    print('x' * 1000)").verdict == "OLE"
    assert outcome(judge, "import sys\nwhile True:\n    sys.stderr.write('e' * 1000)").verdict == "OLE"


def test_syntax_error_is_ce(judge):
    result = outcome(judge, "print(")
    assert result.verdict == "CE" and result.tests[0].detail == "SyntaxError"


def test_runtime_error_names_the_exception(judge):
    result = outcome(judge, "x = [][1]")
    assert result.verdict == "RE" and result.tests[0].detail == "IndexError"
    assert outcome(judge, "import sys\nsys.exit(3)").tests[0].detail == "exit code 3"


@pytest.mark.parametrize("source, stdin, expected", [
    ("print(1)\nexit()\nprint(2)", "", "1"),
    ("import sys\nprint(sum(map(int, sys.stdin.buffer.read().split())))", "1 2\n3\n", "6"),
    ("def main():\n    print(input()[::-1])\nif __name__ == '__main__':\n    main()", "abc\n", "cba"),
    ("print(int(input()) + 1)", "9" * 9000 + "\n", "1" + "0" * 9000),
    ("import sys\nfor line in sys.stdin:\n    print(line.strip().upper())", "a\nb", "A\nB"),
    ("while True:\n    try:\n        print(input())\n    except EOFError:\n        break", "x\ny\n", "x\ny"),
    ("import sys, threading\nsys.setrecursionlimit(10**6)\nthreading.stack_size(2**26)\n"
     "def f(n):\n    return 0 if n == 0 else 1 + f(n - 1)\n"
     "t = threading.Thread(target=lambda: print(f(100000)))\nt.start()\nt.join()", "", "100000"),
    ("import numpy as np\nprint(int(np.arange(int(input())).sum()))", "5", "10"),
    ("from fractions import Fraction\nfrom decimal import Decimal\nprint(Fraction(1, 3), Decimal('0.1') * 3)", "", "1/3 0.3"),
    ("import os\nprint(os.getcwd() != '')", "", "True"),
])
def test_ordinary_programs_work(judge, source, stdin, expected):
    result = outcome(judge, source, stdin, expected)
    assert result.verdict == "AC", result


def test_program_cannot_find_the_expected_output(judge):
    """Expected outputs never enter the process that forks programs, nor can a program read them on disk."""
    secret = f"SECRET-{uuid.uuid4().hex}"
    # Memory of the judge's processes, their environment, the package's data files, temp files.
    probe = r'''
import os, re, glob
found = set()
def grab(data):
    found.update(m.decode() for m in re.findall(rb"SECRET-[0-9a-f]{32}", data))
for path in ["/proc/self/mem", f"/proc/{os.getppid()}/environ", f"/proc/{os.getppid()}/cmdline"]:
    try:
        grab(open(path, "rb").read(1 << 20))
    except OSError:
        pass
for key, value in os.environ.items():
    grab(value.encode())
import gc
for obj in gc.get_objects():
    try:
        grab(repr(obj).encode()[:100000])
    except Exception:
        pass
package = os.path.dirname(os.path.dirname(os.path.abspath(solution_file)))
for root in [package, "/tmp", os.path.expanduser("~")]:
    for path in glob.glob(root + "/**/*", recursive=True)[:2000]:
        try:
            grab(open(path, "rb").read(1 << 20))
        except OSError:
            pass
print(" ".join(sorted(found)) or "nothing")
'''
    # the judge's own folder, as the harness's file name in a traceback would show it
    result = outcome(judge, f"solution_file = {os.path.join(ROOT, 'judge', 'sandbox', 'harness.py')!r}\n" + probe,
                     "", secret)
    assert result.verdict == "WA", result


def test_zygote_memory_holds_no_test_data(zygote):
    """A direct check on the fork server: after serving a test, a child of it cannot find the test's input."""
    marker = f"INPUT-{uuid.uuid4().hex}".encode()
    zygote.run_stdio("print(1)", marker + b"\n")
    scan = ("import gc\nfound = any(isinstance(o, (bytes, str)) and 'INPUT-' in str(o) for o in gc.get_objects())\n"
            "print(found)")
    run = zygote.run_stdio(scan, b"")
    assert run.stdout.strip() == b"False"


def test_uid_is_dropped_when_root(zygote):
    run = zygote.run_stdio("import os\nprint(os.getuid(), os.geteuid())", b"")
    uid = zygote.info["uid"]
    if os.geteuid() == 0:
        assert run.stdout.split() == [str(uid).encode()] * 2
    # the program itself runs under seccomp filters (PR_GET_SECCOMP: 2, filter mode), root or not
    mode = zygote.run_stdio("import ctypes\nprint(ctypes.CDLL(None).prctl(21, 0, 0, 0, 0))", b"")
    assert mode.stdout == b"2\n", mode


def test_sigsys_is_what_sv_means(zygote):
    run = zygote.run_stdio("import os\nos.fork()", b"")
    assert run.signal == signal.SIGSYS


def test_raising_the_stack_limit_is_allowed(judge):
    source = ("import resource, sys\nresource.setrlimit(resource.RLIMIT_STACK, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n"
              "sys.setrecursionlimit(10**6)\ndef f(n):\n    return 0 if n == 0 else 1 + f(n - 1)\nprint(f(200000))")
    assert outcome(judge, source, expected="200000").verdict == "AC"


def test_without_a_private_uid_the_zygote_still_cannot_be_signalled(tmp_path):
    """The path taken when the judge does not run as root: same uid as the zygote."""
    from judge.sandbox.client import SandboxOptions, ZygoteClient
    client = ZygoteClient(9, SandboxOptions(str(tmp_path), uid=None), Limits())
    try:
        run = client.run_stdio("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)", b"")
        assert run.status.get("exc") == "PermissionError"
        assert client.run_stdio("import os\nos.fork()", b"").signal == signal.SIGSYS
        assert client.run_stdio("print(6 * 7)", b"").stdout == b"42\n"
    finally:
        client.close()


def test_filling_the_scratch_disk_fails_the_program_not_the_host(judge, zygote):
    if not zygote.info.get("scratch_tmpfs"):
        pytest.skip("scratch on a private tmpfs needs root")
    source = "for i in range(1000):\n    with open(f'f{i}', 'wb') as f:\n        f.write(b'x' * (900 << 10))"  # under the 1 MiB file cap
    result = outcome(judge, source)
    assert result.verdict == "RE" and result.tests[0].detail == "OSError"
    assert result.tests[0].cpu < 2


def test_symlinks_do_not_widen_what_can_be_read(judge):
    result = outcome(judge, "import os\nos.symlink('/etc/passwd', 'p')\nprint(open('p').read())")
    assert result.verdict == "RE" and result.tests[0].detail == "PermissionError"


SPAWN_CASES = [
    ("print(sum(map(int, input().split())))", b"3 4\n"),
    ("import sys\nprint('partial')\nraise ValueError('boom')", b""),
    ("import sys\nsys.exit(3)", b""),
    ("import os\nos.fork()", b""),
    ("while True:\n    pass", b""),
    ("open('f', 'w').write('x' * 10)\nprint(open('f').read())", b""),
    ("import os\nprint(os.listdir('.'), os.getuid() == os.geteuid())", b""),
    ("print('x' * (1 << 21))", b""),
    ("import os\nos._exit(0)", b""),
]


def test_c_and_python_spawn_agree(tmp_path):
    """The zygote's C fast path and its Python version of the same steps give the same results."""
    from judge.sandbox.client import SandboxOptions, ZygoteClient
    uid = 2_200_000 if os.geteuid() == 0 else None
    limits = Limits(cpu=1.0, output=1 << 20)
    clients = {c: ZygoteClient(7, SandboxOptions(str(tmp_path / str(c)), uid=uid, c_spawn=c), limits) for c in (True, False)}
    try:
        # The C path is built by every install on Linux: a run on the Python fallback is a broken install.
        assert clients[False].info["spawn"] == "Python" and clients[True].info["spawn"] == "C"
        for source, stdin in SPAWN_CASES:
            runs = [clients[c].run_stdio(source, stdin) for c in (True, False)]
            fields = [(r.exit, r.signal, r.watchdog, r.stdout[:100], r.stdout_size, r.stderr_tail[-60:], r.status)
                      for r in runs]
            assert fields[0] == fields[1], source
            assert (runs[0].cpu > 0.9) == (runs[1].cpu > 0.9), source
    finally:
        for client in clients.values():
            client.close()


DEEP_TREE = """
import os
os.mkdir('locked', 0o300); open('locked/f', 'w').write('x')  # not listable: the cleaner must chmod it
os.symlink('/etc/hostname', 'link')
for i in range(400):  # ~8,400 characters of path: deeper than PATH_MAX
    os.mkdir('d' * 20)
    os.chdir('d' * 20)
open('bottom', 'w').write('x')
print('built')
"""


@pytest.mark.parametrize("c_spawn", [True, False], ids=["C", "Python"])
def test_scratch_is_emptied_however_deep_the_tree(tmp_path, c_spawn):
    from judge.sandbox.client import SandboxOptions, ZygoteClient
    uid = 2_300_000 if os.geteuid() == 0 else None
    client = ZygoteClient(8, SandboxOptions(str(tmp_path), uid=uid, c_spawn=c_spawn), Limits())
    mode = os.stat("/etc/hostname").st_mode
    try:
        assert client.run_stdio(DEEP_TREE, b"").stdout == b"built\n"
        pid = client.proc.pid
        assert client.run_stdio("import os\nprint(os.listdir('.'))", b"").stdout == b"[]\n"
        assert client.proc.pid == pid  # emptied by the same zygote, no restart needed
    finally:
        client.close()
    assert os.stat("/etc/hostname").st_mode == mode  # the link was removed, not followed


def test_a_program_cannot_change_its_own_code_for_later_tests(zygote):
    """The code memfd is sealed and closed before the program starts: its descriptor number is free
    (or something else), and writing a program's code through any descriptor fails."""
    probe = ("import os\nhits = []\nfor fd in range(3, 64):\n    try:\n        os.pwrite(fd, b'print(666)', 0)\n"
             "        hits.append(fd)\n    except OSError:\n        pass\nprint(hits)\n")
    first = zygote.run_stdio(probe, b"")
    second = zygote.run_stdio(probe, b"")
    # fd 3 is the child's own status note (the harness rewrites it); nothing else is writable
    assert first.stdout == second.stdout == b"[3]\n", (first, second)


def test_a_compile_bomb_is_ce_and_leaves_nothing_for_the_next_program(judge_factory):
    """Compiling runs in the compiler process under the program's CPU limit: a million-digit literal
    (quadratic to convert) is CE "TLE while compiling"; the compiler is replaced and the next
    program, on the same worker, is judged as if nothing happened."""
    judge = judge_factory("strict", Limits(cpu=1.0, memory=256 << 20))
    bomb = judge.judge(stdio_task([("", "1\n")]), "x = " + "9" * 1_000_000 + "\nprint(1)\n")
    assert bomb.verdict == "CE" and "TLE while compiling" in bomb.tests[0].detail, bomb
    after = judge.judge(stdio_task([("", "1\n")]), "x = bytearray(200 << 20)\nprint(1)\n")
    assert after.verdict == "AC", after


def test_a_workers_numpy_zygote_shares_its_compiler_and_compile_bombs_stay_contained(judge_factory):
    """The lean and numpy zygotes of a worker have the same limits and one compiler between
    them: a program too costly to compile (a 400,000-digit literal: seconds of CPU) is CE in
    either, its compiler ends (a zygote restarting meanwhile does not need it), and the programs
    after it compile and pass in both."""
    judge = judge_factory(limits=Limits(cpu=0.5))
    task = Task(task_id="sum", kind="stdio", tests=[Test("3 4\n", "7\n")])
    plain = "a, b = map(int, input().split())\nprint(a + b)\n"
    with_numpy = "import numpy\na, b = map(int, input().split())\nprint(int(numpy.int64(a) + b))\n"
    bomb = "x = " + "7" * 400_000 + "\n"
    assert judge.judge(task, plain).passed and judge.judge(task, with_numpy).passed
    pair = judge.zygotes
    assert pair.numpy is not None and pair.numpy.compiler is pair.lean.compiler
    for source in (bomb, "# numpy\n" + bomb):
        outcome = judge.judge(task, source)
        assert outcome.verdict == "CE" and "while compiling" in outcome.tests[0].detail, outcome.tests
        pair.numpy.restart()  # a zygote that restarts while its compiler is down (as after a dirty scratch)
        assert judge.judge(task, plain + f"# after {len(source)}\n").passed
        assert judge.judge(task, with_numpy + f"# after {len(source)}\n").passed
