"""``judge sample``: prompts -> backend -> programs in the run store, as they arrive.

Sample numbers are fixed before asking: task T's samples are 0 .. n-1, each request asks for a
contiguous range of the numbers still missing, and its seed is derived from the run's seed and
that range.  So a rerun (after a crash, Ctrl-C or a larger ``n``) asks only for what is missing,
and no sample is stored twice.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from judge import prompting
from judge.datasets import Task
from judge.kinds import kind_of
from judge.samples import extract_code, program_source, truncate
from judge.sampling import make_backend
from judge.sampling.base import Backend, Generation, Request, SamplingError, SamplingParams, request_seed
from judge.store import RunStore, SampleRow

MAX_SAMPLES = 1000
ROUNDS = 3  # a server may return fewer choices than asked: ask again for what is missing


@dataclass
class SampleOptions:
    n: int
    template: str
    backend: str
    backend_options: dict[str, Any] = field(default_factory=dict)
    params: SamplingParams = field(default_factory=SamplingParams)

    def __post_init__(self) -> None:  # refused before any run directory is made
        if isinstance(self.n, bool) or not isinstance(self.n, int) or not 1 <= self.n <= MAX_SAMPLES:
            raise SamplingError(f"-n {self.n}: not a usable value (samples per task, 1 to {MAX_SAMPLES})")


@dataclass
class SampleStats:
    requested: int = 0       # samples missing at the start
    received: int = 0
    seconds: float = 0.0
    missing: int = 0         # still missing at the end (the backend could not provide them)
    retries: int = 0

    @property
    def per_second(self) -> float:
        return self.received / self.seconds if self.seconds else 0.0


def program_of(task: Task, template: prompting.Template, text: str, stops: tuple[str, ...]) -> str:
    """The program a generation stands for: cut at the stops; the code block of a chat answer;
    HumanEval completions follow their prompt."""
    if template.style == "chat":
        return kind_of(task).program_from_chat(task, extract_code(text))
    return program_source(task, truncate(text, stops))


def missing_ranges(have: set[int], n: int, chunk: int) -> Iterator[tuple[int, int]]:
    """(first, count) runs of the numbers in 0..n-1 not in ``have``, each at most ``chunk`` long."""
    index = 0
    while index < n:
        if index in have:
            index += 1
            continue
        first = index
        while index < n and index not in have and index - first < chunk:
            index += 1
        yield first, index - first


def plan(store: RunStore, tasks: list[Task], template: prompting.Template, n: int, chunk: int,
         seed: int) -> Iterator[Request]:
    """Requests for every missing sample, task after task (servers' prefix caches like that)."""
    for task in tasks:
        if task.defect:
            continue
        have = store.sample_indices(task.task_id)
        ranges = list(missing_ranges(have, n, chunk))
        if not ranges:
            continue
        prompt = template.render(task)
        for first, count in ranges:
            yield Request(prompt, first, count, request_seed(seed, task.task_id, first))


def sampling_config(template: prompting.Template, backend: Backend, params: SamplingParams) -> dict[str, Any]:
    texts = json.dumps([template.style, template.system, template.texts], sort_keys=True)
    return {"template": template.name, "template_sha256": hashlib.sha256(texts.encode()).hexdigest(),
            **backend.describe(), **asdict(params), "stop": list(params.stop)}


def sample(store: RunStore, tasks: list[Task], opts: SampleOptions, console: Console | None = None,
           progress: Progress | None = None, cancel: threading.Event | None = None) -> SampleStats:
    """Sample until every judgeable task has ``opts.n`` samples in ``store`` (or ``cancel`` is set)."""
    console = console or Console(stderr=True)
    template = prompting.load(opts.template)
    judgeable = [t for t in tasks if not t.defect]
    for task in judgeable[:1]:
        template.render(task)  # a template that does not fit the dataset fails before any request
    backend = make_backend(opts.backend, opts.backend_options)
    backend.prepare(tasks)
    params = replace(opts.params, stop=tuple(dict.fromkeys(template.stop + opts.params.stop)))
    store.bind_config("sampling", sampling_config(template, backend, params))
    by_id = {t.task_id: t for t in tasks}

    counts = store.sample_counts()
    stats = SampleStats(requested=sum(max(0, opts.n - counts.get(t.task_id, 0)) for t in judgeable))
    own_progress = progress is None
    if progress is None:
        progress = Progress(TextColumn("[bold]{task.description}[/]"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rates]}"), TimeRemainingColumn(), console=console)
    bar = progress.add_task("sampling", total=stats.requested, rates="")
    start = time.monotonic()

    def on_result(request: Request, generations: list[Generation]) -> None:
        if cancel is not None and cancel.is_set():
            raise SamplingError("sampling cancelled")
        task = by_id[request.prompt.task_id]
        rows = [SampleRow(task.task_id, g.index, program_of(task, template, g.text, params.stop),
                          f"{backend.name} sample {task.task_id}#{g.index}", g.tokens, g.finish_reason,
                          g.sum_logprob, g.mean_logprob)
                for g in generations if request.first_index <= g.index < request.first_index + request.count]
        store.add_samples(rows)
        stats.received += len(rows)
        elapsed = max(time.monotonic() - start, 1e-9)
        progress.update(bar, advance=len(rows), rates=f"samples · {stats.received / elapsed:.1f}/s")

    try:
        if own_progress:
            progress.start()
        for _ in range(ROUNDS):
            before = stats.received
            backend.generate(plan(store, judgeable, template, opts.n, backend.max_per_request, params.seed),
                             params, on_result)
            if stats.received >= stats.requested or stats.received == before:
                break
    finally:
        if own_progress:
            progress.stop()
        stats.seconds = time.monotonic() - start
        stats.retries = getattr(backend, "retries", 0)
        backend.close()
    counts = store.sample_counts()
    stats.missing = sum(max(0, opts.n - counts.get(t.task_id, 0)) for t in judgeable)
    return stats


def most_per_task(path: str, tasks: list[Task]) -> int:
    """The most samples a generations file has for one of the selected tasks."""
    from collections import Counter

    from judge.evaluation import numbered_samples
    by_id = {t.task_id: t for t in tasks}
    counts = Counter(s.task_id for s in numbered_samples(path, by_id, list(by_id), skip_unknown=True))
    return max(counts.values(), default=0)
