"""The candidate runtime: which interpreter runs programs and which packages they may import.

It is a setting of its own, not whatever surrounds the judge: by default the judge's own
interpreter with its standard library and numpy (the APPS harness imports numpy), nothing else
of the judge's environment.  Programs see exactly this: the zygote starts without ``site`` (no
``.pth`` files, no site-packages), its import path is the standard library plus a *view*, a
directory of links to the chosen packages (and what they require), and Landlock lets them read
the standard library, the packages behind the view and the system libraries, nothing more.
Installing anything beside the judge changes no verdict; the report records the runtime, and
a run refuses to resume with another.
"""

from __future__ import annotations

import functools
import glob
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

from judge.errors import JudgeError

DEFAULT_PACKAGES = ("numpy",)
ALL = "*"
JUDGE_DISTRIBUTION = "judge-codegen"
# What the C library and the interpreter's extension modules read besides the runtime itself:
# the architecture's shared-library folders ({arch}: e.g. x86_64-linux-gnu), locales, time zones.
SYSTEM_READABLE = ("/lib/{arch}", "/usr/lib/{arch}", "/lib64", "/usr/lib64", "/usr/lib/locale", "/usr/share/zoneinfo",
                   "/etc/localtime", "/dev/null", "/dev/zero", "/dev/urandom", "/dev/random")
# Other Pythons' packages, wherever a system keeps them: never readable (the view links what is chosen).
OTHER_PACKAGES = ("/usr/lib/python3*/*-packages", "/usr/lib/python3/dist-packages", "/usr/local/lib/python3*")


class RuntimeSettingError(JudgeError, ValueError):
    """The candidate runtime cannot be used (an unknown interpreter or package)."""


@dataclass(frozen=True)
class Runtime:
    """``python``: the interpreter (default: the judge's); ``packages``: distributions programs may
    import beyond the standard library (``("*",)``: every package of that environment)."""

    python: str = ""
    packages: tuple[str, ...] = DEFAULT_PACKAGES

    @property
    def interpreter(self) -> str:
        return self.python or sys.executable


# Runs in the candidate interpreter (``-s -S``: what it has before any site-packages), with the
# wanted distributions as its argument: it resolves them and what they require, reading only
# their own metadata (parsing every installed distribution's took ~0.5 s in a venv with torch).
_PROBE = r"""
import json, os, re, site, sys
norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
stdlib = [p for p in sys.path if p and os.path.exists(p)]
site.venv(None)  # without site's start-up, some interpreters do not see their virtual environment
sites = [p for p in site.getsitepackages() if os.path.isdir(p)]
index = {}
for folder in sites:
    for entry in sorted(os.listdir(folder)):
        if entry.endswith(".dist-info"):
            index.setdefault(norm(entry[:-len(".dist-info")].split("-")[0]), os.path.join(folder, entry))
wanted, judge = json.loads(sys.argv[1]), json.loads(sys.argv[2])
asked = [k for k in index if k != judge] if wanted == ["*"] else [norm(w) for w in wanted]
missing = [k for k in asked if k not in index]
dists, todo = {}, list(asked)
while todo:
    key = todo.pop()
    if key in dists or key == judge or key not in index:
        continue  # chosen already, the judge itself, or an optional requirement that is not installed
    with open(os.path.join(index[key], "METADATA"), encoding="utf-8", errors="replace") as fh:
        head = fh.read().split("\n\n", 1)[0].splitlines()  # the headers (the description follows)
    field = lambda name: [line.split(":", 1)[1].strip() for line in head if line.startswith(name + ":")]
    try:
        with open(os.path.join(index[key], "RECORD"), encoding="utf-8", errors="replace") as fh:
            tops = sorted({line.split(",")[0].split("/")[0] for line in fh if line.strip()} - {"..", "", "__pycache__"})
    except OSError:
        tops = []
    dists[key] = {"name": (field("Name") or [key])[0], "version": (field("Version") or [""])[0], "top": tops,
                  "site": os.path.dirname(index[key])}
    todo += [norm(re.split(r"[\s;<>=!~\[(]", r, maxsplit=1)[0]) for r in field("Requires-Dist") if "extra ==" not in r]
import sysconfig
libdir, library = sysconfig.get_config_var("LIBDIR") or "", sysconfig.get_config_var("LDLIBRARY") or ""
print(json.dumps({"version": sys.version.split()[0], "executable": sys.executable,
                  "arch": getattr(sys.implementation, "_multiarch", "") or "",
                  "libpython": os.path.join(libdir, library) if library.endswith(".so") else "",
                  "stdlib": stdlib, "sites": sites, "dists": dists, "missing": missing,
                  "user_site": site.getusersitepackages()}))
"""


@functools.lru_cache(maxsize=8)
def _probe(python: str, packages: tuple[str, ...]) -> dict[str, Any]:
    try:
        done = subprocess.run([python, "-s", "-S", "-c", _PROBE, json.dumps(list(packages)),
                               json.dumps(JUDGE_DISTRIBUTION)], capture_output=True, text=True, timeout=60,
                              env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, cwd="/")
    except (OSError, subprocess.TimeoutExpired) as err:
        raise RuntimeSettingError(f"--python {python}: cannot run it ({err})") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeSettingError(f"--python {python}: not a usable Python 3 interpreter ({last})")
    info = json.loads(done.stdout)
    if info["missing"]:
        raise RuntimeSettingError(f"--packages: {', '.join(info['missing'])} is not installed for the candidate "
                                  "interpreter; install it there (or point --python at one that has it), or leave it out")
    return info


def describe(runtime: Runtime) -> dict[str, Any]:
    """The interpreter's version and path and the importable packages with their versions: what
    a run records and refuses to resume without."""
    info = _probe(runtime.interpreter, runtime.packages)
    return {"python": info["version"], "executable": info["executable"],
            "packages": {d["name"]: d["version"] for _, d in sorted(info["dists"].items())}}


def parse_packages(text: str) -> tuple[str, ...]:
    """``--packages``: comma-separated distribution names, ``none`` (standard library only) or
    ``all`` (every package of the interpreter's environment)."""
    names = tuple(p.strip() for p in text.split(",") if p.strip())
    if names in ((), ("none",)):
        return ()
    return (ALL,) if names == ("all",) else names


def prepare(runtime: Runtime, root: str) -> dict[str, Any]:
    """Resolve the runtime and build its view under ``root``: what a zygote needs to start.

    Returns ``executable``, ``sys_path`` (the programs' import path), ``readable`` (paths
    Landlock lets programs read), ``hidden`` (folders never readable even if under a readable
    one) and ``describe`` (interpreter version and package versions, for the provenance).
    """
    info = _probe(runtime.interpreter, runtime.packages)
    keys = sorted(info["dists"])
    digest = hashlib.sha256(json.dumps([info["executable"], keys]).encode()).hexdigest()[:12]
    view = os.path.join(root, f"runtime-{digest}")
    targets, linked = [], set()
    for key in keys:
        dist = info["dists"][key]
        for top in dist["top"]:
            path = os.path.join(dist["site"], top)
            # A name two distributions share (a namespace package such as google/) is linked once:
            # the view is one folder, so the first distribution's copy of it is the one programs see.
            if os.path.exists(path) and not top.endswith(".pth") and top not in linked:
                linked.add(top)
                targets.append((top, os.path.realpath(path)))
    if not os.path.isdir(view):
        os.makedirs(root, mode=0o711, exist_ok=True)
        building = tempfile.mkdtemp(prefix=".runtime-", dir=root)
        for top, target in targets:
            os.symlink(target, os.path.join(building, top))
        os.chmod(building, 0o755)
        try:
            os.rename(building, view)
        except OSError:  # another worker built it first
            for name in os.listdir(building):
                os.unlink(os.path.join(building, name))
            os.rmdir(building)
    hidden = set(info["sites"]) | {info["user_site"]}
    hidden |= {os.path.join(p, sub) for p in info["stdlib"] for sub in ("site-packages", "dist-packages")}
    hidden |= {p for pattern in OTHER_PACKAGES for p in glob.glob(pattern)} - set(info["stdlib"])
    system = [p.format(arch=info["arch"]) for p in SYSTEM_READABLE if info["arch"] or "{arch}" not in p]
    return {
        "executable": info["executable"],
        "sys_path": info["stdlib"] + [view],
        "readable": (info["stdlib"] + [view, info["executable"]] + [t for _, t in targets] + system
                     + (glob.glob(info["libpython"] + "*") if info["libpython"] else [])),
        "hidden": sorted({os.path.realpath(p) for p in hidden}),
        "describe": describe(runtime),
    }
