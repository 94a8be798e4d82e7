"""Generations made elsewhere (JSONL or bigcode ``generations.json``), imported as if sampled here.

Each requested sample number is filled from the file's sample with that number (explicit
``sample_id``, or the position among the task's rows); numbers the file lacks stay missing and
are reported by the sampler; generations of tasks outside the selection are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable

from judge.datasets import Task
from judge.sampling.base import Backend, Generation, OnResult, Request, SamplingParams


class FileBackend(Backend):
    name = "file"
    max_per_request = 1_000_000  # one request per task: the file has what it has

    def __init__(self, path: str) -> None:
        self.path = path
        self.tasks: list[Task] = []

    def prepare(self, tasks: list[Task]) -> None:
        self.tasks = tasks  # bigcode files are positional: their tasks are the dataset's, in order

    def generate(self, requests: Iterable[Request], params: SamplingParams, on_result: OnResult) -> None:
        from judge.evaluation import numbered_samples
        wanted: dict[tuple[str, int], Request] = {}
        for request in requests:
            for index in range(request.first_index, request.first_index + request.count):
                wanted[(request.prompt.task_id, index)] = request
        by_id = {t.task_id: t for t in self.tasks}
        batch: dict[tuple[str, int], list[Generation]] = {}
        for sample in numbered_samples(self.path, by_id, [t.task_id for t in self.tasks], skip_unknown=True):
            asked = wanted.get((sample.task_id, sample.index))
            if asked is None:
                continue
            key, meta = (sample.task_id, asked.first_index), sample.meta
            batch.setdefault(key, []).append(Generation(
                sample.index, sample.code, meta.get("tokens"), meta.get("finish_reason"),
                meta.get("sum_logprob"), meta.get("mean_logprob")))
            if len(batch[key]) >= 256:
                on_result(asked, batch.pop(key))
        for (task_id, _), generations in batch.items():
            on_result(wanted[(task_id, generations[0].index)], generations)


BACKEND = FileBackend
