"""Per-test cost of the sandbox's optional layers: Landlock and the network namespace.

    python benchmarks/layers.py [--tests 1000] [--repeat 5]

One zygote per configuration (seccomp, rlimits and the private uid are always on), pinned to
one CPU, running a+b; configurations interleaved, medians of --repeat rounds.  Both layers are
applied once, to the zygote, and inherited by its children, so their per-test cost should be
near zero; what a child adds itself (the signal-scoped Landlock domain when the judge is not
root) shows up here too.
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
    for zygote in zygotes.values():
        zygote.close()


if __name__ == "__main__":
    main()
