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
from typing import Any, NamedTuple

from judge.errors import JudgeError

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tasks(
    task_id TEXT PRIMARY KEY, position INTEGER, difficulty TEXT, kind TEXT,
    n_tests INTEGER, n_public INTEGER, public_source TEXT, defect TEXT, checker TEXT, multi_answer INTEGER);
CREATE TABLE IF NOT EXISTS programs(
    id INTEGER PRIMARY KEY, task_id TEXT NOT NULL, digest TEXT NOT NULL, source TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0, verdict TEXT, passed INTEGER, timeout_only INTEGER,
    public_passed INTEGER, public_passed_with_timeouts INTEGER, internal_errors INTEGER, all_timeout INTEGER,
    UNIQUE(task_id, digest));
CREATE INDEX IF NOT EXISTS programs_pending ON programs(done, task_id);
CREATE TABLE IF NOT EXISTS samples(
    task_id TEXT NOT NULL, sample_index INTEGER NOT NULL, program_id INTEGER NOT NULL,
    tokens INTEGER, finish_reason TEXT, sum_logprob REAL, mean_logprob REAL,
    PRIMARY KEY(task_id, sample_index));
CREATE TABLE IF NOT EXISTS results(
    program_id INTEGER NOT NULL, role TEXT NOT NULL, test_index INTEGER NOT NULL,
    verdict TEXT NOT NULL, detail TEXT, accepted_by TEXT, cpu REAL, wall REAL, memory_kb INTEGER,
    output TEXT, strict_accepts INTEGER,
    PRIMARY KEY(program_id, role, test_index));
CREATE TABLE IF NOT EXISTS ingests(path TEXT, size INTEGER, mtime_ns INTEGER, samples INTEGER,
    PRIMARY KEY(path, size, mtime_ns));
"""


SCHEMA_VERSION = 2  # 2: programs.all_timeout, tasks.checker and tasks.multi_answer

# A program's outcome as stored (the programs table's columns after ``done``), in this order:
# the one definition the store, export and merge use.
OUTCOME_FIELDS = ("verdict", "passed", "timeout_only", "public_passed", "public_passed_with_timeouts",
                  "internal_errors", "all_timeout")


class SampleRow(NamedTuple):
    """One sample as stored: the program that runs and, when sampled here, what the model said of it."""

    task_id: str
    index: int
    source: str
    where: str                         # file:line or backend request, for messages
    tokens: int | None = None
    finish_reason: str | None = None   # "stop", "length", ...
    sum_logprob: float | None = None
    mean_logprob: float | None = None


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
    def __init__(self, run_dir: str) -> None:
        os.makedirs(run_dir, exist_ok=True)
        self.path = os.path.join(run_dir, "run.sqlite")
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
        self._results: list[tuple] = []   # saved outcomes, written at the next commit
        self._outcomes: list[tuple] = []

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
                "INSERT OR REPLACE INTO tasks(task_id, position, difficulty, kind, n_tests, n_public, public_source, "
                "defect, checker, multi_answer) VALUES(?,?,?,?,?,?,?,?,?,?)",
                [(t.task_id, i, t.difficulty, t.kind, len(t.tests) if t.kind != "humaneval" else 1,
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
        self._results.extend(
            (program_id, t["role"], t["index"], t["verdict"], t["detail"], t["accepted_by"], t["cpu"], t["wall"],
             t["memory_kb"], t.get("output") or None, t.get("strict")) for t in outcome["tests"])
        self._outcomes.append(tuple(outcome[f] for f in OUTCOME_FIELDS) + (program_id,))
