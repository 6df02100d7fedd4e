"""Staging import batches in worker processes: `santui import --jobs N` on PostgreSQL (issue 15).

Most of an import's time is Python work on each row before it reaches the database: the masked
copy of its text (which runs the text parser), the encryption of the text, the masked copy and
the name, the search columns and the counted snapshot (``statements_stage``; docs/benchmarks.md).
None of it touches the database, so ``N`` worker processes stage batches while the importing
process reads, validates and stores (``statements_copy_staged``), in file order, one
transaction per batch as with one process: an interrupted import keeps every batch stored and
resumes as before.

Workers are forked from the importing process (its settings, its loaded parser) and never use
its database connection; each encrypts under an epoch key of its own (santui.statements.crypto).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor

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
    """A pool of ``jobs`` processes staging batches (``submit`` returns the future Staged)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
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
