"""``judge run``: prompts -> sampling -> judging -> report, pipelined.

The sampler runs in a thread with its own connection to the run store; the judging loop follows
the programs it stores, so the sandboxes work while the model is still sampling.  Either side
stopping (Ctrl-C, a server that gives up) keeps everything stored so far; rerunning the same
command continues both.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from judge.evaluation import JudgingStats, evaluate, load_run
from judge.runconfig import RunConfig
from judge.sampling.sampler import SampleStats, sample
from judge.store import RunStore


@dataclass
class PipelineResult:
    report: dict[str, Any]
    sampling: SampleStats
    judging: JudgingStats
    seconds: float
    errors: list[BaseException] = field(default_factory=list)

    @property
    def overlap(self) -> float:
        """Share of the judged programs that were judged while sampling was still going on."""
        return self.judging.while_sampling / self.judging.programs if self.judging.programs else 0.0


def run(config: RunConfig, console: Console | None = None) -> PipelineResult:
    console = console or Console(stderr=True)
    start = time.monotonic()
    tasks, store = load_run(config.evaluate)
    store.close()
    progress = Progress(TextColumn("[bold]{task.description:>8}[/]"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("{task.fields[rates]}"), TimeRemainingColumn(), console=console)
    sampled, cancel = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    sample_stats = SampleStats()

    def sampler() -> None:
        nonlocal sample_stats
        sampler_store = RunStore(config.evaluate.run_dir)
        try:
            sample_stats = sample(sampler_store, tasks, config.sampling, console, progress, cancel)
        except BaseException as err:  # noqa: BLE001 - re-raised by the main thread once judging stops
            errors.append(err)
        finally:
            sampler_store.close()
            sampled.set()

    thread = threading.Thread(target=sampler, name="judge-sampler", daemon=True)
    judging = JudgingStats()
    with progress:
        thread.start()
        try:
            report = evaluate(config.evaluate, console, more_coming=lambda: not sampled.is_set(), progress=progress,
                              stats=judging, tasks=tasks)
        except BaseException:
            cancel.set()  # the sampler stops at its next result; what it stored stays
            thread.join(timeout=60)
            raise
        thread.join()
    return PipelineResult(report, sample_stats, judging, time.monotonic() - start, errors)
