"""Staging import batches beside their storing: `santui import --jobs N` on PostgreSQL (issue 15).

Most of an import's time is Python work on each row before it reaches the database: the masked
copy of its text (which runs the text parser), the encryption of the text, the masked copy and
the name, the search columns and the counted snapshot (``statements_stage``; docs/benchmarks.md).
None of it touches the database, so batches are staged while the importing process reads,
validates and stores (``statements_copy_staged``), in file order, one transaction per batch:
an interrupted import keeps every batch stored and resumes as before.

- ``--jobs 1`` (the default): one thread of the importing process stages the next batch while
  the process stores the one before. Python runs one thread at a time, but storing is mostly
  waiting for PostgreSQL (its ``COPY`` and its ``INSERT ... SELECT`` run in the server's
  process), and the driver lets the other thread run while it waits: staging fills that wait
  (docs/benchmarks.md, "Staging beside storing").
- ``--jobs N`` (N > 1): ``N`` worker processes, forked from the importing process (its
  settings, its loaded parser), stage batches; they never use its database connection, and
  each encrypts under an epoch key of its own (santui.statements.crypto).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor

from django.db import connections

from santui.statements.bulk import Staged, StatementRow, statements_stage


def _forget_parent_connections() -> None:
    """In a forked worker: drop (never close) the database connections copied from the
    importing process. Closing one would end the parent's session; using one would corrupt it.
    Staging needs no database; a call that tried would now open a connection of its own."""
    for conn in connections.all(initialized_only=True):
        conn.connection = None


def _stage(rows: Sequence[StatementRow]) -> Staged:
    return statements_stage(rows=rows)


class BatchStager:
    """Stages batches (``submit`` returns the future Staged): in one thread of this process
    for ``jobs`` 1, in a pool of ``jobs`` processes beyond."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool: Executor
        if jobs == 1:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="santui-stage")
        else:
            self._pool = ProcessPoolExecutor(
                max_workers=jobs,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_forget_parent_connections,
            )

    def submit(self, rows: Sequence[StatementRow]) -> Future[Staged]:
        return self._pool.submit(_stage, list(rows))

    def close(self) -> None:
        """Stop the workers; batches not yet stored are dropped (and imported on a rerun)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
