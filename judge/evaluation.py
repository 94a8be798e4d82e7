"""``judge evaluate``: dataset -> samples -> execution -> verdicts -> run store -> report."""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import math
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)

import judge
from judge.checkers import CheckerSpec, get_rule, load_checkers
from judge.datasets import DatasetError, Selection, Task, get_dataset, load_tasks
from judge.kinds import kind_of
from judge.errors import JudgeError
from judge.execution.pool import RefereePool, Unit
from judge.samples import Numbered, SampleError, program_source, read_samples, truncate
from judge.sandbox.client import Limits, warm_up
from judge.sandbox.runtime import Runtime, RuntimeSettingError, describe
from judge.store import RunStore, SampleRow, StoreError, read_meta


class SettingError(JudgeError, ValueError):
    """A setting no run can use; the message names the option and what it accepts."""


PROGRESS_EVERY = float(os.environ.get("JUDGE_PROGRESS_SECONDS", "60"))  # plain progress lines, in logs
UNIT_SIZE = 16  # programs per work unit: small enough to balance the tail across workers


@dataclass
class EvaluateOptions:
    samples: list[str]
    dataset: str
    run_dir: str
    data: str | None = None
    selection: Selection = field(default_factory=Selection)
    limits: Limits = field(default_factory=Limits)
    workers: int = 0
    ks: list[int] = field(default_factory=lambda: [1, 5, 10, 100, 1000])
    compare: str = "strict"
    public_tests: str = "statement"
    stop: tuple[str, ...] = ()
    exclude: frozenset[str] = frozenset()   # problems left out (recorded as not judged, with the reason)
    engine: str = "local"                   # "local" (this machine) or "ray" (a Ray cluster)
    address: str | None = None              # the Ray cluster ("auto", "ray://host:10001", "host:6379")
    shard: tuple[int, int] | None = None    # (i, n): judge only the i-th of n deterministic parts of the tasks
    runtime: Runtime = field(default_factory=Runtime)  # the interpreter programs run in, what they may import
    checkers: str | None = None             # a folder of per-task checkers (<task_id>.toml / .py)
    after_timeout: str = "continue"         # "stop": a TLE ends the program (bracket numbers not computed)
    timeout_only: str = "some"              # how the report counts timeout-only samples (see judge.report)


def parse_ks(spec: str) -> list[int]:
    """'1,10,100' -> [1, 10, 100] (sorted, without repeats)."""
    try:
        return sorted({int(x) for x in spec.split(",") if x.strip()})
    except ValueError:
        raise SettingError(f"--k must be comma-separated integers, not {spec!r}") from None


def check_options(opts: EvaluateOptions) -> None:
    """Refuse settings no run can use, before anything is started or stored (a negative time
    limit made every sample TLE, a memory limit of 0 every sample CE, and was locked into the run)."""
    limits, wall = opts.limits, opts.limits.wall
    problems = [
        ("--timeout", limits.cpu, math.isfinite(limits.cpu) and 0 < limits.cpu <= 3600, "CPU seconds per test, > 0 and at most 3600"),
        ("--memory", limits.memory >> 20, limits.memory >= 1 << 20, "MiB per test, at least 1"),
        ("--output-limit", limits.output >> 20, limits.output >= 1 << 20, "MiB per test, at least 1"),
        ("--wall", wall, wall is None or (math.isfinite(wall) and 0 < wall <= 36000), "seconds, > 0"),
        ("--workers", opts.workers, opts.workers >= 0, "a number of workers, or 0 for one per physical core"),
        ("--k", ",".join(map(str, opts.ks)), bool(opts.ks) and min(opts.ks) >= 1, "comma-separated integers >= 1"),
        ("--limit", opts.selection.limit, opts.selection.limit is None or opts.selection.limit >= 1, "a number of tasks >= 1"),
    ]
    for option, value, ok, allowed in problems:
        if not ok:
            raise SettingError(f"{option} {value}: not a usable value ({allowed})")
    if opts.after_timeout not in ("continue", "stop"):
        raise SettingError(f"--after-timeout {opts.after_timeout}: use continue or stop")
    if opts.timeout_only not in ("some", "any"):
        raise SettingError(f"--timeout-only {opts.timeout_only}: use some or any")


def default_workers() -> int:
    import psutil  # here: ~15 ms of every command's start-up otherwise
    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


def _dataset_digest(tasks: Sequence[Task]) -> str:
    digest = hashlib.sha256()
    for task in tasks:
        digest.update(json.dumps([task.task_id, [[t.input, t.output] for t in task.tests], task.test_code],
                                 default=str).encode())
    return digest.hexdigest()


def _installed_packages() -> list[str]:
    """``name==version`` of the installed distributions, read off their metadata directories'
    names (parsing every METADATA file costs about a millisecond per package)."""
    found = set()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            stem = name[:-len(".dist-info")] if name.endswith(".dist-info") else \
                name[:-len(".egg-info")] if name.endswith(".egg-info") else None
            if stem:
                project, _, rest = stem.partition("-")
                version = rest.split("-")[0]
                found.add(f"{project}=={version}" if version else project)
    return sorted(found)


def _provenance(tasks: Sequence[Task]) -> dict[str, Any]:
    packages = _installed_packages()
    cpu = platform.machine()  # not platform.processor(): it runs `uname -p`
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {"judge_version": judge.__version__, "python": sys.version.split()[0], "platform": platform.platform(),
            "cpu": cpu, "cpus": os.cpu_count(), "dataset_sha256": _dataset_digest(tasks), "tasks": len(tasks),
            "installed_packages": packages, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def numbered_samples(path: str, by_id: dict[str, Task], order: list[str], skip_unknown: bool = False,
                     skip: frozenset[str] = frozenset(), skipped: Counter[str] | None = None) -> Iterator[Numbered]:
    """The samples of a file with their numbers: explicit ``sample_id`` or the next free one per task.

    A sample of a task outside the selection is an error, or skipped with ``skip_unknown``;
    samples of the tasks in ``skip`` (other shards') are skipped.
    """
    if not os.path.isfile(path):
        raise SampleError(f"{path}: no such samples file")
    next_index: Counter[str] = Counter()
    for sample in read_samples(path, order):
        if sample.task_id in skip:
            continue
        if sample.task_id not in by_id:
            if skip_unknown:
                if skipped is not None:
                    skipped[path] += 1
                continue
            raise SampleError(f"{sample.where}: task_id {sample.task_id!r} is not in the selected dataset "
                              f"({len(by_id)} tasks); check --dataset, --data, --split and the id filters")
        index = next_index[sample.task_id] if sample.index is None else sample.index
        next_index[sample.task_id] = max(next_index[sample.task_id], index + 1)
        yield Numbered(sample.task_id, index, sample.code, sample.where, sample.meta)


def _ingest(store: RunStore, paths: list[str], tasks: list[Task], stop: tuple[str, ...],
            other_shards: frozenset[str] = frozenset(), selected_only: bool = False,
            console: Console | None = None) -> None:
    """Add the samples of ``paths``; with ``selected_only`` (the options select some tasks), samples
    of other tasks are left out and counted, else they are an error (a wrong --dataset or file)."""
    by_id = {t.task_id: t for t in tasks}
    order = [t.task_id for t in tasks]
    skipped: Counter[str] = Counter()
    for path in paths:
        if os.path.isfile(path) and store.already_ingested(path):
            continue
        rows = (SampleRow(s.task_id, s.index, program_source(by_id[s.task_id], truncate(s.code, stop) if stop else s.code),
                          s.where, **s.meta)
                for s in numbered_samples(path, by_id, order, selected_only, other_shards, skipped))
        store.mark_ingested(path, store.add_samples(rows))
        if skipped[path] and console is not None:
            console.print(f"{path}: {skipped[path]} samples of tasks outside the selection (--ids, --difficulty, "
                          "--limit) left out")


def _unit_size(remaining: int, workers: int) -> int:
    """Guided scheduling: units shrink as the work runs out, so that the workers finish together.
    With fixed units, the last unit of 16 looping programs cost 16 x tests x the time limit on one
    worker while the others waited (8 loops on a 1-test problem: 25 s on 2 workers, floor 12 s)."""
    return max(1, min(UNIT_SIZE, remaining // (4 * workers)))


def _units(store: RunStore, by_id: dict[str, Task], more_coming: Callable[[], bool] | None,
           on_new: Callable[[int], None], on_idle: Callable[[], None], workers: int = 1) -> Iterator[Unit | None]:
    """Work units of unjudged programs; while ``more_coming()`` says samples still arrive, keep looking.

    Yields None when there is nothing to do yet, so that the pool keeps collecting outcomes;
    ``on_idle`` runs first (the judging loop commits, so the sampler can write).
    """
    unit_id, watermark = 0, 0
    while True:
        finished = more_coming is None or not more_coming()  # read first: nothing written before is missed
        upto = store.last_program_id()
        # Sizes shrink only once all the work is known (while sampling goes on, more may come).
        remaining = store.count_pending() if finished else None
        for task_id, programs in store.pending(watermark, upto):
            on_new(len(programs))
            start = 0
            while start < len(programs):
                size = UNIT_SIZE if remaining is None else _unit_size(remaining, workers)
                unit_id += 1
                yield Unit(unit_id, by_id[task_id], programs[start:start + size])
                start += size
                if remaining is not None:
                    remaining -= size
        watermark = upto
        if finished:
            return
        on_idle()
        yield None


def _uid_base() -> int | None:
    # A private uid per worker (when root): programs of different workers cannot signal each
    # other, and RLIMIT_NPROC counts only their own threads.
    return 2_000_000 + (os.getpid() % 100_000) * 64 if os.geteuid() == 0 else None


def dataset_config(opts: EvaluateOptions) -> dict[str, Any]:
    sel = opts.selection
    data = os.path.abspath(opts.data) if opts.data and os.path.exists(opts.data) else opts.data
    # The bundled APPS problems are all from the train split, whatever --split says (it picks a hub split).
    split = (get_dataset(opts.dataset).bundled_split or sel.split) if opts.data == "bundled" else sel.split
    config = {"dataset": opts.dataset, "data": data, "split": split, "difficulty": list(sel.difficulties),
              "ids": list(sel.ids), "limit": sel.limit, "public_tests": opts.public_tests}
    if opts.shard:
        config["shard"] = f"{opts.shard[0]}/{opts.shard[1]}"
    return config


def in_shard(task_id: str, shard: tuple[int, int]) -> bool:
    """Shard i of n (1-based) holds the tasks whose id hashes to i - 1 modulo n: stable across machines
    and selections, so any scheduler can run the n parts independently."""
    digest = hashlib.sha256(task_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shard[1] == shard[0] - 1


def tasks_of_run(store: RunStore) -> list[Task] | None:
    """The tasks a run was made on, reloaded from its recorded dataset selection; None if unavailable."""
    config = store.get_meta("dataset")
    if not config:
        return None
    selection = Selection(split=config["split"], difficulties=tuple(config["difficulty"]), ids=tuple(config["ids"]),
                          limit=config["limit"])
    try:
        return load_tasks(config["dataset"], config["data"], selection, config["public_tests"])
    except (DatasetError, OSError):
        return None


def with_stored_selection(opts: EvaluateOptions) -> EvaluateOptions:
    """Resuming a run (e.g. one `judge sample` made) without selection options means the run's own
    selection, not the whole dataset: the stored --split/--difficulty/--ids/--limit are used."""
    path = os.path.join(opts.run_dir, "run.sqlite")
    if opts.selection != Selection() or not os.path.isfile(path) or os.path.getsize(path) == 0:
        return opts
    try:
        stored = read_meta(path, "dataset")
    except StoreError:
        return opts  # opening the store says what is wrong with it
    if not stored or stored.get("dataset") != opts.dataset:
        return opts
    split = opts.selection.split if opts.data == "bundled" else stored.get("split", "test")
    selection = Selection(split=split, difficulties=tuple(stored.get("difficulty") or ()),
                          ids=tuple(stored.get("ids") or ()), limit=stored.get("limit"))
    return dataclasses.replace(opts, selection=selection)


def attach_checkers(tasks: list[Task], opts: EvaluateOptions) -> str | None:
    """Give tasks their own checkers: the bundled APPS problems' (shipped with them), then those of
    ``--checkers DIR``, which win.  Returns a digest of all the checkers found (the same for every
    shard of a run), or None when there are none."""
    found: dict[str, CheckerSpec] = {}
    folder = get_dataset(opts.dataset).bundled_checkers
    if folder and opts.data == "bundled":
        bundled = str(resources.files("judge.data") / folder)
        if os.path.isdir(bundled):
            found.update(load_checkers(bundled))
    if opts.checkers:
        found.update(load_checkers(opts.checkers))
    for task in tasks:
        if task.task_id in found and kind_of(task).io_tests:
            task.checker = found[task.task_id]
    if not found:
        return None
    return hashlib.sha256(json.dumps(sorted((k, v.digest()) for k, v in found.items())).encode()).hexdigest()[:16]


def load_run(opts: EvaluateOptions, tasks: list[Task] | None = None) -> tuple[list[Task], RunStore]:
    """The selected tasks (loaded unless given) and the run store, bound to this dataset selection."""
    if tasks is None:
        tasks = load_tasks(opts.dataset, opts.data, opts.selection, opts.public_tests)
    if not tasks:
        raise SampleError("no task matches the dataset selection (check --split, --difficulty, --ids, --limit)")
    for task in tasks:
        if task.task_id in opts.exclude and not task.defect:
            task.defect = f"problem {task.task_id} excluded (--exclude)"
    attach_checkers(tasks, opts)
    positions = list(range(len(tasks)))
    if opts.shard:  # positions stay those of the whole selection, so that merged shards keep its order
        kept = [(i, t) for i, t in enumerate(tasks) if in_shard(t.task_id, opts.shard)]
        positions, tasks = [i for i, _ in kept], [t for _, t in kept]
    store = RunStore(opts.run_dir)
    try:
        store.bind_config("dataset", dataset_config(opts))
        store.save_tasks(tasks, positions)
    except sqlite3.OperationalError as err:
        store.close()
        raise StoreError(f"{store.path}: cannot write the run database ({err}); free space or fix the file "
                         "system, then rerun the same command") from None
    except BaseException:
        store.close()
        raise
    return tasks, store


@dataclass
class JudgingStats:
    programs: int = 0
    tests: int = 0
    seconds: float = 0.0
    while_sampling: int = 0   # programs judged before the sampler finished (pipelined runs)


def evaluate(opts: EvaluateOptions, console: Console | None = None, more_coming: Callable[[], bool] | None = None,
             progress: Progress | None = None, stats: JudgingStats | None = None,
             tasks: list[Task] | None = None) -> dict[str, Any]:
    """Judge the samples of ``opts`` (files, and whatever the run already holds) and return the report.

    With ``more_coming``, samples are still being added to the run by a sampler: judging follows
    them until ``more_coming()`` is false and nothing is left.
    """
    console = console or Console(stderr=True)
    check_options(opts)
    if tasks is None:
        opts = with_stored_selection(opts)
    get_rule(opts.compare)  # fail fast on an unknown rule
    # The workers start first: their interpreters and sandboxes come up while this process
    # loads the dataset and the samples (about half a second of start-up saved).
    # The seccomp filters are built (~40 ms) while the runtime is probed (a subprocess, ~75 ms):
    # the workers forked next inherit both.
    warming = threading.Thread(target=warm_up)
    warming.start()
    try:
        described = describe(opts.runtime)
    except RuntimeSettingError as err:
        raise SampleError(str(err)) from None
    finally:
        warming.join()
    workers = _Workers(opts)
    try:
        if tasks is None:
            tasks = load_tasks(opts.dataset, opts.data, opts.selection, opts.public_tests)
        selected = {t.task_id for t in tasks}
        tasks, store = load_run(opts, tasks)
        try:
            judging = {"limits": asdict(opts.limits), "compare": opts.compare, "stop": list(opts.stop)}
            if opts.after_timeout != "continue":  # only then: runs made before the option resume as they were
                judging["after_timeout"] = opts.after_timeout
            checkers = attach_checkers([], opts)
            if checkers:  # per-task checkers change verdicts: a resume (or a shard to merge) must use the same
                judging["checkers"] = checkers
            store.bind_config("judging", judging)
            store.bind_config("runtime", described)
            store.set_meta("k", opts.ks)
            selection = opts.selection
            _ingest(store, opts.samples, tasks, opts.stop, frozenset(selected - {t.task_id for t in tasks}),
                    bool(selection.ids or selection.difficulties or selection.limit is not None), console)
            if more_coming is None and not store.sample_counts() and opts.shard is not None:
                # A shard can be empty (more shards than tasks with samples): that is a finished
                # part of the run, so that a scheduler's "after all succeeded" merge goes ahead.
                console.print(f"shard {opts.shard[0]}/{opts.shard[1]} has no samples to judge")
            elif more_coming is None and not store.sample_counts():
                raise SampleError(f"{opts.run_dir}: no samples to judge; give a samples file, or sample into this "
                                  "run with `judge sample` first")
            _judge_pending(store, opts, tasks, workers, console, more_coming, progress, stats or JudgingStats())
            from judge.report import build_report  # not needed before the end
            report = build_report(store, timeout_only=opts.timeout_only)
        except sqlite3.OperationalError as err:  # disk full, read-only file system, ...
            raise StoreError(f"{store.path}: cannot write the run database ({err}); free space or fix the file "
                             "system, then rerun the same command: everything stored so far is kept") from None
        finally:
            store.close()
    finally:
        workers.close()
    return report


class _Workers:
    """The sandboxed judging workers of one evaluation, launched at once and waited for on first use."""

    def __init__(self, opts: EvaluateOptions) -> None:
        self.opts = opts
        self.pool: Any = None  # a RefereePool, or a RayPool (the same methods)
        self.scratch = tempfile.mkdtemp(prefix="judge-sandbox-")
        os.chmod(self.scratch, 0o711)
        if opts.engine != "ray":  # a Ray cluster is only reached once there is work for it
            self.pool = RefereePool(max(1, opts.workers or default_workers()), self._config())

    def _config(self) -> dict[str, Any]:
        opts = self.opts
        hidden = [os.path.abspath(p) for p in opts.samples] + [os.path.abspath(opts.run_dir)]
        if opts.data and os.path.exists(opts.data):
            hidden.append(os.path.abspath(opts.data))
        return {"limits": asdict(opts.limits), "rule": opts.compare, "after_timeout": opts.after_timeout,
                "sandbox": {"scratch_root": self.scratch, "uid": _uid_base(), "hidden": hidden,
                            "runtime": opts.runtime}}

    def ready(self) -> Any:
        if self.pool is None:
            from judge.execution.ray_engine import RayPool
            self.pool = RayPool(self.opts.workers, self._config(), self.opts.address)
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
        shutil.rmtree(self.scratch, ignore_errors=True)


def _judge_pending(store: RunStore, opts: EvaluateOptions, tasks: list[Task], workers: _Workers, console: Console,
                   more_coming: Callable[[], bool] | None, progress: Progress | None, stats: JudgingStats) -> None:
    programs = store.count_pending()
    if programs == 0 and more_coming is None:
        return
    by_id = {t.task_id: t for t in tasks}
    pool = workers.ready()
    provenance = _provenance(tasks) if store.get_meta("provenance") is None else None  # while workers start
    pool.wait_ready()
    if provenance is not None:
        provenance["sandbox"] = {k: v for k, v in pool.info.items() if k != "pid"}
        store.set_meta("provenance", provenance)
    if os.geteuid() != 0 and opts.engine == "local":
        console.print("note: not running as root, so programs run as this user (no uid of their own, no IPC "
                      "namespace): other processes of this user are less isolated from them; see SECURITY.md")
    commits = {"pending": 0, "last": time.monotonic()}
    start = time.monotonic()
    plain = {"last": start}  # without a terminal the bar is not drawn: a line every PROGRESS_EVERY seconds
    terminal = console.is_terminal  # asked once: it reads the environment each time

    own_progress = progress is None
    if progress is None:
        # Elapsed time, not an estimate of what is left: a program that takes its full time limit
        # on each of its tests stalls the bar, and the estimate said "0:00:01" for minutes.
        # Without a terminal the bar is drawn once, at the end: no refresh thread (rendering it ten
        # times a second cost the driver ~0.1 s of CPU per 8 s of judging).
        progress = Progress(TextColumn("[bold]{task.description}[/]"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rates]} · elapsed"), TimeElapsedColumn(), console=console,
                            auto_refresh=terminal)
    live = more_coming is not None
    bar = progress.add_task("judging", total=0 if live else programs, rates="")

    def on_new(count: int) -> None:
        if live:
            progress.update(bar, total=(progress.tasks[bar].total or 0) + count)

    def commit() -> None:
        if commits["pending"]:
            store.commit()
            commits["pending"], commits["last"] = 0, time.monotonic()

    def on_outcome(program_id: int, outcome: dict[str, Any]) -> None:
        store.save_outcome(program_id, outcome)
        stats.programs += 1
        stats.tests += len(outcome["tests"])
        if more_coming is not None and more_coming():
            stats.while_sampling += 1
        commits["pending"] += 1
        now = time.monotonic()
        if commits["pending"] >= 256 or now - commits["last"] > 0.5:
            commit()
        elapsed = max(now - start, 1e-9)
        progress.update(bar, advance=1, rates=f"programs · {stats.programs / elapsed:.1f}/s · "
                                              f"{stats.tests / elapsed:.0f} tests/s")
        if not terminal and now - plain["last"] >= PROGRESS_EVERY:
            plain["last"] = now
            total = progress.tasks[bar].total
            console.print(f"judging: {stats.programs}{f'/{total:.0f}' if total else ''} programs, {stats.tests} tests, "
                          f"{elapsed:.0f} s", soft_wrap=True)

    interrupted = False
    # The tasks, samples and modules loaded so far stay for the whole run: the garbage collector
    # need not scan them again on each of its passes (~7% of this process's CPU while judging).
    gc.freeze()
    try:
        if own_progress:
            progress.start()
        pool.run(_units(store, by_id, more_coming, on_new, commit, max(1, opts.workers or default_workers())),
                 on_outcome)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        gc.unfreeze()
        if own_progress:
            progress.stop()
        commit()
        stats.seconds = time.monotonic() - start
    if interrupted:
        console.print(f"[yellow]interrupted: {stats.programs} programs judged and saved in {opts.run_dir}; "
                      "run the same command again to resume[/]")
        raise KeyboardInterrupt
