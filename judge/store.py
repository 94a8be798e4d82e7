"""The run store: one SQLite database (WAL) per run directory.

Samples are ingested once and deduplicated into programs (identical code of a task runs
once and counts for every sample that has it).  A program's outcome and its per-test records
are written in one transaction, so a run killed at any moment resumes with nothing judged
twice and nothing lost.  Expected outputs are never stored here.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import fields
from typing import Any, NamedTuple

from judge.errors import JudgeError
from judge.kinds import kind_of
from judge.outcomes import OUTCOME_FIELDS, TEST_FIELDS, ProgramOutcome, TestRecord

# The outcome columns are the fields of judge.outcomes' records, in their order; a result's
# ``index`` and ``strict`` are stored as test_index and strict_accepts (``index`` is an SQL word).
_SQL_TYPES = {"str": "TEXT", "bool": "INTEGER", "bool | None": "INTEGER", "int": "INTEGER", "float": "REAL"}
_TEST_COLUMNS = {"index": "test_index", "strict": "strict_accepts"}
OUTCOME_COLUMNS = ", ".join(f"{f.name} {_SQL_TYPES[str(f.type)]}" for f in fields(ProgramOutcome) if f.name != "tests")
_LEADING_TEST_FIELDS = TEST_FIELDS[:-2]  # then output (NULL when empty) and strict
assert TEST_FIELDS[-2:] == ("output", "strict")
RESULT_COLUMNS = ", ".join(_TEST_COLUMNS.get(name, name) for name in TEST_FIELDS)
_RESULT_SCHEMA = ", ".join(f"{_TEST_COLUMNS.get(f.name, f.name)} {_SQL_TYPES[str(f.type)]}"
                           + (" NOT NULL" if f.name in ("role", "index", "verdict") else "") for f in fields(TestRecord))

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks(
    task_id TEXT PRIMARY KEY, position INTEGER, difficulty TEXT, kind TEXT,
    n_tests INTEGER, n_public INTEGER, public_source TEXT, defect TEXT, checker TEXT, multi_answer INTEGER);
CREATE TABLE IF NOT EXISTS programs(
    id INTEGER PRIMARY KEY, task_id TEXT NOT NULL, digest TEXT NOT NULL, source TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0, {OUTCOME_COLUMNS},
    UNIQUE(task_id, digest));
CREATE INDEX IF NOT EXISTS programs_pending ON programs(done, task_id);
CREATE TABLE IF NOT EXISTS samples(
    task_id TEXT NOT NULL, sample_index INTEGER NOT NULL, program_id INTEGER NOT NULL,
    tokens INTEGER, finish_reason TEXT, sum_logprob REAL, mean_logprob REAL,
    PRIMARY KEY(task_id, sample_index));
CREATE TABLE IF NOT EXISTS results(
    program_id INTEGER NOT NULL, {_RESULT_SCHEMA},
    PRIMARY KEY(program_id, role, test_index));
CREATE TABLE IF NOT EXISTS ingests(path TEXT, size INTEGER, mtime_ns INTEGER, samples INTEGER,
    PRIMARY KEY(path, size, mtime_ns));
"""


SCHEMA_VERSION = 2  # 2: programs.all_timeout, tasks.checker and tasks.multi_answer

TASK_COLUMNS = "task_id, position, difficulty, kind, n_tests, n_public, public_source, defect, checker, multi_answer"


# Per task: its fields, then counts of samples by outcome (what judge.report.problem_counts reads).
_PER_PROBLEM = """
SELECT t.task_id, t.difficulty, t.kind, t.public_source, t.checker, t.multi_answer,
       SUM(p.done), SUM(p.done AND p.passed), SUM(p.done AND p.timeout_only),
       SUM(p.done AND p.public_passed), SUM(p.done AND p.passed AND p.public_passed),
       SUM(p.done AND p.public_passed_with_timeouts),
       SUM(p.done AND (p.passed OR p.timeout_only) AND p.public_passed_with_timeouts),
       SUM(p.done AND p.all_timeout), SUM(p.done AND p.all_timeout AND p.public_passed_with_timeouts),
       COUNT(*)
FROM tasks t JOIN samples s USING(task_id) JOIN programs p ON p.id = s.program_id
WHERE t.defect IS NULL
GROUP BY t.task_id ORDER BY t.position
"""

class SampleRow(NamedTuple):
    """One sample as stored: the program that runs and, when sampled here, what the model said of it."""

    task_id: str
    index: int  # type: ignore[assignment]  # the sample's number (it hides tuple.index, unused here)
    source: str
    where: str                         # file:line or backend request, for messages
    tokens: int | None = None
    finish_reason: str | None = None   # "stop", "length", ...
    sum_logprob: float | None = None
    mean_logprob: float | None = None


class JudgedSample(NamedTuple):
    task_id: str
    sample_index: int
    program_id: int
    digest: str         # sha256 of the program (see program_digest)
    source: str
    outcome: ProgramOutcome


class StoreError(JudgeError, RuntimeError):
    """The run directory cannot be used as asked; the message says why and what to do."""


def program_digest(source: str) -> str:
    """Identity of a program for deduplication: line endings and trailing blank space do not count."""
    text = source.replace("\r\n", "\n").rstrip() + "\n"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + "…"


class RunStore:
    @classmethod
    def existing(cls, run_dir: str) -> RunStore:
        """The store of a run that must already exist (reports, export, merge inputs)."""
        if not os.path.exists(os.path.join(run_dir, "run.sqlite")):
            raise StoreError(f"{run_dir}: not a run directory (no run.sqlite); create one with "
                             f"`judge evaluate ... --run {run_dir}`")
        return cls(run_dir)

    def __init__(self, run_dir: str, readonly: bool = False) -> None:
        """The store of ``run_dir``, created if new; ``readonly``: a run another process may be
        writing, read as it is (it must exist and be of this judge's schema)."""
        self.path = os.path.join(run_dir, "run.sqlite")
        self._results: list[tuple[Any, ...]] = []   # saved outcomes, written at the next commit
        self._outcomes: list[tuple[Any, ...]] = []
        if readonly:
            try:
                self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, timeout=120)
                row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            except sqlite3.Error as err:
                raise StoreError(f"{self.path}: cannot read the run database ({err})") from None
            if row is None or json.loads(row[0]) != SCHEMA_VERSION:
                raise StoreError(f"{self.path}: not of this judge's store schema; open it for writing to upgrade it")
            return
        try:
            os.makedirs(run_dir, exist_ok=True)
        except OSError as err:
            raise StoreError(f"{run_dir}: cannot create the run directory ({err.strerror}); choose another --run") from None
        if os.path.isfile(self.path) and os.path.getsize(self.path) == 0:
            # SQLite would take an empty file for a new database: a damaged run would start again.
            raise StoreError(f"{self.path}: the run database is empty (0 bytes), so the run is damaged; move it "
                             "away to start afresh, or use a new --run directory")
        try:
            # A sampler thread and the judging loop may write at once: wait for the lock, don't fail.
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=120)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            self._check_schema()
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: cannot open the run database ({err})") from None

    def close(self) -> None:
        self.db.close()

    def _check_schema(self) -> None:
        """Stores carry their schema version: an older one is brought up to date (``_upgrade``), a
        newer one (made by a later judge) is refused rather than misread."""
        row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        version = json.loads(row[0]) if row else SCHEMA_VERSION
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: made by a newer judge (store schema {version}, this one reads up to "
                             f"{SCHEMA_VERSION}); upgrade judge to use this run")
        self._upgrade()
        self.db.execute("INSERT OR REPLACE INTO meta VALUES('schema', ?)", (json.dumps(SCHEMA_VERSION),))

    def _upgrade(self) -> None:
        """Stores made before ``all_timeout`` existed counted a sample that timed out on every test
        as timeout-only; split that flag as it is now defined (from the stored per-test verdicts)."""
        task_columns = {row[1] for row in self.db.execute("PRAGMA table_info(tasks)")}
        for column in ("checker TEXT", "multi_answer INTEGER"):  # added with per-task checkers
            if column.split()[0] not in task_columns:
                self.db.execute(f"ALTER TABLE tasks ADD COLUMN {column}")
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(programs)")}
        if "all_timeout" in columns:
            return
        passed_one = "EXISTS (SELECT 1 FROM results r WHERE r.program_id=programs.id AND r.role='hidden' AND r.verdict='AC')"
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute("ALTER TABLE programs ADD COLUMN all_timeout INTEGER")
            self.db.execute(f"UPDATE programs SET all_timeout = timeout_only AND NOT {passed_one}, "
                            f"timeout_only = timeout_only AND {passed_one} WHERE done")

    # -- metadata ---------------------------------------------------------------------------
    def get_meta(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_meta(self, key: str, value: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES(?, ?)", (key, json.dumps(value)))

    def bind_config(self, key: str, config: dict[str, Any]) -> None:
        """Record one part of the run's configuration (dataset, judging, sampling), or check that a
        resumed run uses the same."""
        stored = self.get_meta(key)
        if stored is None:
            self.set_meta(key, config)
        elif stored != config:
            changed = sorted(k for k in set(stored) | set(config) if stored.get(k) != config.get(k))
            shown = "; ".join(f"{k}: stored {_short(stored.get(k))}, asked {_short(config.get(k))}" for k in changed)
            raise StoreError(f"{self.path}: this run was made with other {key} settings ({shown}); "
                             "rerun with the same options to resume, or use a new --run directory")

    def save_tasks(self, tasks: list[Any], positions: list[int] | None = None) -> None:
        """Record the tasks of the run; ``positions`` are their places in the dataset selection."""
        positions = positions if positions is not None else list(range(len(tasks)))
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany(
                f"INSERT OR REPLACE INTO tasks({TASK_COLUMNS}) VALUES(?,?,?,?,?,?,?,?,?,?)",
                [(t.task_id, i, t.difficulty, t.kind, kind_of(t).hidden_tests(t),
                  len(t.public_tests), t.public_source, t.defect, t.checker.label if t.checker else None,
                  int(t.multi_answer)) for i, t in zip(positions, tasks)])

    # -- samples ----------------------------------------------------------------------------
    def already_ingested(self, path: str) -> bool:
        st = os.stat(path)
        return self.db.execute("SELECT 1 FROM ingests WHERE path=? AND size=? AND mtime_ns=?",
                               (os.path.abspath(path), st.st_size, st.st_mtime_ns)).fetchone() is not None

    def mark_ingested(self, path: str, count: int) -> None:
        st = os.stat(path)
        self.db.execute("INSERT OR REPLACE INTO ingests VALUES(?,?,?,?)",
                        (os.path.abspath(path), st.st_size, st.st_mtime_ns, count))

    def add_samples(self, rows: Iterable[SampleRow], batch: int = 2000) -> int:
        """Insert samples; returns how many were read.

        Re-adding the same sample is a no-op; the same (task, index) with other code is an error.
        """
        known: dict[tuple[str, str], int] = {}  # recent programs, bounded: samples repeat programs
        pending: list[tuple[Any, ...]] = []
        count = 0
        cur = self.db.cursor()
        first_rowid = cur.execute("SELECT COALESCE(MAX(rowid), 0) FROM samples").fetchone()[0]  # older samples

        def flush() -> None:
            before = self.db.total_changes
            cur.executemany("INSERT OR IGNORE INTO samples VALUES(?,?,?,?,?,?,?)", [r[:-1] for r in pending])
            if self.db.total_changes - before < len(pending):  # some existed already: same code?
                for task_id, index, program_id, *_, where in pending:
                    existing, rowid = cur.execute("SELECT program_id, rowid FROM samples WHERE task_id=? AND "
                                                  "sample_index=?", (task_id, index)).fetchone()
                    if existing != program_id and rowid > first_rowid:
                        raise StoreError(f"{where}: sample {index} of task {task_id} appears twice with different "
                                         "code in these samples; give each sample of a task its own sample_id")
                    if existing != program_id:
                        raise StoreError(f"{where}: sample {index} of task {task_id} differs from the one already "
                                         "in this run; samples files must not change between resumes (use a new --run)")
            pending.clear()
            cur.execute("COMMIT")
            cur.execute("BEGIN")

        cur.execute("BEGIN")
        try:
            for row in rows:
                task_id, source = row.task_id, row.source
                digest = program_digest(source)
                program_id = known.get((task_id, digest))
                if program_id is None:
                    cur.execute("INSERT OR IGNORE INTO programs(task_id, digest, source) VALUES(?,?,?)",
                                (task_id, digest, source))
                    program_id = cur.execute("SELECT id FROM programs WHERE task_id=? AND digest=?",
                                             (task_id, digest)).fetchone()[0]
                    if len(known) >= 100_000:
                        known.clear()
                    known[(task_id, digest)] = program_id
                pending.append((task_id, row.index, program_id, row.tokens, row.finish_reason, row.sum_logprob,
                                row.mean_logprob, row.where))
                count += 1
                if len(pending) >= batch:
                    flush()
            flush()
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return count

    def sample_indices(self, task_id: str) -> set[int]:
        return {r[0] for r in self.db.execute("SELECT sample_index FROM samples WHERE task_id=?", (task_id,))}

    def sample_counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT task_id, COUNT(*) FROM samples GROUP BY task_id").fetchall())

    # -- judging ----------------------------------------------------------------------------
    def last_program_id(self) -> int:
        return self.db.execute("SELECT COALESCE(MAX(id), 0) FROM programs").fetchone()[0]

    def pending(self, after: int = 0, upto: int | None = None) -> Iterator[tuple[str, list[tuple[int, str]]]]:
        """(task_id, [(program_id, source), ...]) of unjudged programs with after < id <= upto, in task order.

        Program ids only grow, so a caller that remembers the last id it has seen gets every new
        program exactly once while samples are still being added by another connection.  One
        task's programs are in memory at a time.
        """
        upto = self.last_program_id() if upto is None else upto
        task_ids = [r[0] for r in self.db.execute(
            "SELECT DISTINCT p.task_id FROM programs p JOIN tasks t USING(task_id) "
            "WHERE p.done=0 AND t.defect IS NULL AND p.id>? AND p.id<=? ORDER BY t.position", (after, upto))]
        for task_id in task_ids:
            yield task_id, self.db.execute("SELECT id, source FROM programs WHERE task_id=? AND done=0 AND id>? "
                                           "AND id<=? ORDER BY id", (task_id, after, upto)).fetchall()

    def count_pending(self) -> int:
        """Unjudged programs of judgeable tasks."""
        return self.db.execute("SELECT COUNT(*) FROM programs p JOIN tasks t USING(task_id) "
                               "WHERE p.done=0 AND t.defect IS NULL").fetchone()[0]

    def commit(self) -> None:
        """Write the outcomes saved since the last commit, in one transaction (two statements for
        any number of programs)."""
        if not self._outcomes:
            return
        with self.db:
            self.db.execute("BEGIN")
            self.db.executemany("INSERT OR REPLACE INTO results VALUES(?,?,?,?,?,?,?,?,?,?,?)", self._results)
            self.db.executemany(f"UPDATE programs SET done=1, {', '.join(f + '=?' for f in OUTCOME_FIELDS)} WHERE id=?",
                                self._outcomes)
        self._results, self._outcomes = [], []

    def save_outcome(self, program_id: int, outcome: dict[str, Any]) -> None:
        """Keep one program's outcome (a ProgramOutcome as a dict) for the next ``commit``."""
        # Empty outputs (every passing test) are stored as NULL: a smaller store.
        self._results.extend((program_id, *[t[f] for f in _LEADING_TEST_FIELDS], t["output"] or None, t["strict"])
                             for t in outcome["tests"])
        self._outcomes.append(tuple(outcome[f] for f in OUTCOME_FIELDS) + (program_id,))

    # -- reading: the one place that knows the schema (reports, export, audit, merge use these) --
    def problem_rows(self) -> list[tuple]:
        """Per judgeable task with samples, in dataset order: task_id, difficulty, kind,
        public_source, checker, multi_answer, then judged, passed, timeout_only, public_passed,
        passed-and-public_passed, public_passed_with_timeouts, (passed or timeout_only) and
        public with timeouts, all_timeout, all_timeout and public with timeouts, samples."""
        return self.db.execute(_PER_PROBLEM).fetchall()

    def count_judged_programs(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM programs WHERE done").fetchone()[0]

    def count_results(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM results").fetchone()[0]

    def count_internal_errors(self) -> int:
        return self.db.execute("SELECT COALESCE(SUM(internal_errors), 0) FROM programs").fetchone()[0]

    def sample_verdicts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT p.verdict, COUNT(*) FROM samples s JOIN programs p ON p.id=s.program_id "
                                    "WHERE p.done GROUP BY p.verdict ORDER BY 2 DESC").fetchall())

    def test_verdicts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT verdict, COUNT(*) FROM results GROUP BY verdict ORDER BY 2 DESC").fetchall())

    def accepted_by(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT accepted_by, COUNT(*) FROM results WHERE verdict='AC' "
                                    "GROUP BY accepted_by ORDER BY 2 DESC").fetchall())

    def defects_with_samples(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT defect FROM tasks WHERE defect IS NOT NULL "
                                              "AND task_id IN (SELECT task_id FROM samples)")]

    def task_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT task_id FROM tasks ORDER BY position")]

    def logprob_rows(self) -> Iterator[tuple[str, float | None, float | None, bool]]:
        """(task_id, mean log-prob, sum log-prob, passed) of judged samples that have log-probs."""
        yield from self.db.execute(
            "SELECT s.task_id, s.mean_logprob, s.sum_logprob, p.passed FROM samples s JOIN programs p "
            "ON p.id=s.program_id WHERE p.done AND s.mean_logprob IS NOT NULL ORDER BY s.task_id, s.sample_index")

    def failing_programs(self) -> Iterator[tuple[str, int, int, str, str]]:
        """(task_id, first sample number, program id, verdict, source) of judged programs that fail."""
        yield from self.db.execute(
            "SELECT p.task_id, MIN(s.sample_index), p.id, p.verdict, p.source FROM programs p JOIN samples s "
            "ON s.program_id=p.id WHERE p.done AND NOT p.passed GROUP BY p.id ORDER BY p.task_id, MIN(s.sample_index)")

    def first_failing_hidden_test(self, program_id: int) -> tuple[int, str, str, str] | None:
        """(test index, verdict, detail, output) of a program's first failing hidden test."""
        return self.db.execute("SELECT test_index, verdict, detail, output FROM results WHERE program_id=? AND "
                               "role='hidden' AND verdict!='AC' ORDER BY test_index LIMIT 1", (program_id,)).fetchone()

    def lenient_only_samples(self, exclude: list[str], limit: int) -> tuple[int, int, list[tuple[str, int, list[str]]]]:
        """(samples passing only because a hidden test's acceptance was not strict, passing samples,
        up to ``limit`` examples as (task_id, sample number, the steps that accepted))."""
        passing = ("FROM samples s JOIN programs p ON p.id=s.program_id WHERE p.done AND p.passed "
                   "AND s.task_id NOT IN (SELECT value FROM json_each(?))")
        query = (f"{passing} AND EXISTS (SELECT 1 FROM results r WHERE r.program_id=p.id AND r.role='hidden' "
                 "AND r.strict_accepts=0)")
        left_out = json.dumps(exclude)
        count = self.db.execute(f"SELECT COUNT(*) {query}", (left_out,)).fetchone()[0]
        passed = self.db.execute(f"SELECT COUNT(*) {passing}", (left_out,)).fetchone()[0]
        examples = []
        for task_id, sample_index, program_id in self.db.execute(
                f"SELECT s.task_id, s.sample_index, p.id {query} GROUP BY p.id ORDER BY s.task_id LIMIT ?",
                (left_out, limit)).fetchall():
            steps = [r[0] for r in self.db.execute(
                "SELECT DISTINCT accepted_by FROM results WHERE program_id=? AND strict_accepts=0", (program_id,))]
            examples.append((task_id, sample_index, steps))
        return count, passed, examples

    def passing_only_by_checker(self) -> dict[str, int]:
        """Per task, passing samples one of whose hidden tests the strict rule would reject."""
        return dict(self.db.execute(
            "SELECT s.task_id, COUNT(*) FROM samples s JOIN programs p ON p.id=s.program_id WHERE p.done AND p.passed "
            "AND EXISTS (SELECT 1 FROM results r WHERE r.program_id=p.id AND r.role='hidden' AND r.strict_accepts=0) "
            "GROUP BY s.task_id").fetchall())

    def failing_sample_verdicts(self) -> Iterator[tuple[str, str]]:
        """(task_id, verdict) of each judged sample that fails."""
        yield from self.db.execute("SELECT s.task_id, p.verdict FROM samples s JOIN programs p ON p.id=s.program_id "
                                   "WHERE p.done AND NOT p.passed")

    def judged_samples(self) -> Iterator[JudgedSample]:
        """Each judged sample, in task then sample order, with its program's outcome (its test
        records are left out: ``tests_of`` reads them, once per program)."""
        columns = ", ".join(f"p.{f}" for f in OUTCOME_FIELDS)
        for row in self.db.execute(
                f"SELECT s.task_id, s.sample_index, p.id, p.digest, p.source, {columns} FROM samples s "
                "JOIN programs p ON p.id = s.program_id JOIN tasks t ON t.task_id = s.task_id "
                "WHERE p.done ORDER BY t.position, s.sample_index"):
            task_id, sample_index, program_id, digest, source = row[:5]
            yield JudgedSample(task_id, sample_index, program_id, digest, source, ProgramOutcome.from_row(row[5:], []))

    def judged_programs(self) -> Iterator[tuple[JudgedSample, list[TestRecord]]]:
        """Each judged program once (as its first sample, in task then sample order), with its
        per-test records."""
        seen: set[int] = set()
        for sample in list(self.judged_samples()):
            if sample.program_id not in seen:
                seen.add(sample.program_id)
                yield sample, self.tests_of(sample.program_id)

    def judged_sample_tests(self) -> Iterator[tuple[JudgedSample, list[TestRecord]]]:
        """Each judged sample with its program's per-test records (read once per program)."""
        cached: dict[int, list[TestRecord]] = {}
        for sample in list(self.judged_samples()):
            if sample.program_id not in cached:
                cached[sample.program_id] = self.tests_of(sample.program_id)
            yield sample, cached[sample.program_id]

    def tests_of(self, program_id: int) -> list[TestRecord]:
        """A program's per-test records, hidden then public, by index."""
        return [TestRecord.from_row(row) for row in self.db.execute(
            f"SELECT {RESULT_COLUMNS} FROM results WHERE program_id=? ORDER BY role, test_index", (program_id,))]

    def stored_samples(self) -> list[tuple[str, int, str, int | None, str | None, float | None]]:
        """(task_id, sample index, program, tokens, finish reason, mean log-prob) of every sample."""
        return self.db.execute("SELECT s.task_id, s.sample_index, p.source, s.tokens, s.finish_reason, s.mean_logprob "
                               "FROM samples s JOIN programs p ON p.id=s.program_id ORDER BY 1, 2").fetchall()

    def passed(self, task_id: str, source: str) -> bool | None:
        """Whether ``source``, a program of ``task_id``, passed (None: not in this run, or not judged)."""
        row = self.db.execute("SELECT passed FROM programs WHERE task_id=? AND digest=? AND done",
                              (task_id, program_digest(source))).fetchone()
        return None if row is None else bool(row[0])

    def absorb(self, path: str) -> None:
        """Copy another run's tasks, programs, samples and results into this one (a shard, for
        merging), program ids moved past this store's."""
        db = self.db
        offset = db.execute("SELECT COALESCE(MAX(id), 0) FROM programs").fetchone()[0]
        db.execute("ATTACH DATABASE ? AS src", (f"file:{path}?mode=ro",))
        try:
            db.execute("BEGIN")
            db.execute(f"INSERT INTO tasks({TASK_COLUMNS}) SELECT {TASK_COLUMNS} FROM src.tasks")
            columns = ", ".join(OUTCOME_FIELDS)
            db.execute(f"INSERT INTO programs(id, task_id, digest, source, done, {columns}) "
                       f"SELECT id + ?, task_id, digest, source, done, {columns} FROM src.programs", (offset,))
            db.execute("INSERT INTO samples SELECT task_id, sample_index, program_id + ?, tokens, finish_reason, "
                       "sum_logprob, mean_logprob FROM src.samples", (offset,))
            db.execute(f"INSERT INTO results(program_id, {RESULT_COLUMNS}) SELECT program_id + ?, {RESULT_COLUMNS} "
                       "FROM src.results", (offset,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.execute("DETACH DATABASE src")

    def intact(self) -> bool:
        """SQLite's own integrity check of the database file."""
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def count_programs(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM programs").fetchone()[0]

    def count_tasks(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]

    def count_samples(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM samples").fetchone()[0]


def progress(run_dir: str) -> tuple[int, int]:
    """(programs, judged programs) of a run that may be running in another process; (0, 0) while
    it is being created."""
    try:
        store = RunStore(run_dir, readonly=True)
    except StoreError:  # not there yet, or its tables not yet made
        return 0, 0
    try:
        return store.count_programs(), store.count_judged_programs()
    except sqlite3.Error:  # locked for a moment
        return 0, 0
    finally:
        store.close()


def read_meta(path: str, key: str) -> Any:
    """One metadata value of a run database, read without opening it for writing (None if absent)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    except sqlite3.Error as err:
        raise StoreError(f"{path}: cannot read the run database ({err})") from None
    return json.loads(row[0]) if row else None


def read_task_ids(path: str) -> list[str]:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return [r[0] for r in db.execute("SELECT task_id FROM tasks")]
    except sqlite3.Error as err:
        raise StoreError(f"{path}: cannot read the run database ({err})") from None
