"""Per-test cost of the sandbox's layers: Landlock and the network namespace (optional), and the
round-2 program loading (always on).

    python benchmarks/layers.py [--tests 1000] [--repeat 5]

One zygote per configuration (seccomp, rlimits and the private uid are always on), pinned to
one CPU, running a+b; configurations interleaved, medians of --repeat rounds.  Both layers are
applied once, to the zygote, and inherited by its children, so their per-test cost should be
near zero; what a child adds itself (the signal-scoped Landlock domain when the judge is not
root) shows up here too.

Program loading: each program is compiled by the sandboxed compiler process and reaches the
zygote as marshalled code in a sealed memfd, which each test's child reads and unmarshals (the
zygote never holds a program's objects, so no program can find another's in memory).  Measured:
per program, a+b variants that each need a compile (distinct texts) against the same text
again; per test, the child's CPU to read and unmarshal APPS reference programs (the median and
the largest of the 697 the APPS benchmark runs) against a child that inherits the code object,
in bare forked children of this process (nothing is executed).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from judge.sandbox.client import Limits, SandboxOptions, ZygoteClient  # noqa: E402
from judge.sandbox.harness import load_code  # noqa: E402

PROGRAM = "a, b = map(int, input().split())\nprint(a + b)\n"
CONFIGS = {"no Landlock, no netns": (False, False), "+ Landlock": (True, False), "+ netns": (False, True),
           "Landlock + netns (default)": (True, True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    scratch = tempfile.mkdtemp(prefix="bench-layers-")
    uid = 2_300_000 if os.geteuid() == 0 else None
    zygotes = {name: ZygoteClient(i, SandboxOptions(scratch, uid=uid + i if uid else None, landlock=ll, netns=ns),
                                  Limits())
               for i, (name, (ll, ns)) in enumerate(CONFIGS.items())}
    for name, z in zygotes.items():
        print(f"{name:28s} landlock ABI {z.info['landlock_abi']}, netns {z.info.get('netns')}")
    times: dict[str, list[float]] = {name: [] for name in zygotes}
    for _ in range(args.repeat):
        for name, zygote in zygotes.items():
            start = time.perf_counter()
            for _ in range(args.tests):
                run = zygote.run_stdio(PROGRAM, b"3 4\n")
                assert run.stdout == b"7\n", run
            times[name].append((time.perf_counter() - start) / args.tests)
    base = statistics.median(times["no Landlock, no netns"])
    print(f"\n{'configuration':28s}{'ms/test':>10s}{'vs none':>10s}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:28s}{1000 * median:10.3f}{1000 * (median - base):+10.3f}")
    loading(zygotes["Landlock + netns (default)"], args)
    for zygote in zygotes.values():
        zygote.close()


def loading(zygote: ZygoteClient, args: argparse.Namespace) -> None:
    import gzip
    import json
    import marshal
    import mmap
    import resource

    from benchmarks.shared_data import path
    fresh, same = [], []
    for r in range(args.repeat):
        start = time.perf_counter()
        for i in range(args.tests // 4):
            zygote.run_stdio(PROGRAM + f"# {r} {i}\n", b"3 4\n")
        fresh.append((time.perf_counter() - start) / (args.tests // 4))
        start = time.perf_counter()
        for i in range(args.tests // 4):
            zygote.run_stdio(PROGRAM, b"3 4\n")
        same.append((time.perf_counter() - start) / (args.tests // 4))
    print(f"\nper program: a new program (compile + sealed code memfd) {1000 * statistics.median(fresh):.3f} ms/test, "
          f"the same program again {1000 * statistics.median(same):.3f}: "
          f"{1000 * (statistics.median(fresh) - statistics.median(same)):+.3f} ms per program")

    with gzip.open(path("apps/apps_train_153.jsonl.gz"), "rt") as fh:
        sources = [s for row in map(json.loads, fh) for s in json.loads(row["solutions"] or "[]")[:5]]
    codes = []
    for source in sources:
        try:
            codes.append(compile(source, "<program>", "exec"))
        except (SyntaxError, ValueError):
            pass
    codes.sort(key=lambda c: len(marshal.dumps(c)))

    def child_cpu(mode: str, code, n: int) -> float:
        data = marshal.dumps(code)
        fd = os.memfd_create("code")
        os.write(fd, data)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        for _ in range(n):
            pid = os.fork()
            if pid == 0:
                if mode == "memfd":  # what each test's child does
                    load_code(fd)
                elif mode == "mmap":  # how it did it before
                    with mmap.mmap(fd, 0, mmap.MAP_PRIVATE, mmap.PROT_READ) as mapped:
                        marshal.loads(mapped)
                os._exit(0)
            os.waitpid(pid, 0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        os.close(fd)
        return (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / n

    print(f"\n{'per test, in the child':34s}{'inherited':>11s}{'memfd':>9s}{'difference':>12s}"
          f"{'(by mmap)':>11s}  (ms, medians)")
    for label, code in (("median APPS reference", codes[len(codes) // 2]), ("largest APPS reference", codes[-1])):
        rounds: dict[str, list[float]] = {"inherited": [], "memfd": [], "mmap": []}
        for _ in range(args.repeat):
            for mode in rounds:
                rounds[mode].append(child_cpu(mode, code, args.tests // 2))
        a, b, c = (statistics.median(rounds[m]) for m in ("inherited", "memfd", "mmap"))
        label = f"{label} ({len(marshal.dumps(code)) // 1024} KiB)"
        print(f"{label:34s}{1000 * a:11.3f}{1000 * b:9.3f}{1000 * (b - a):+12.3f}{1000 * (c - a):+11.3f}")


if __name__ == "__main__":
    main()
