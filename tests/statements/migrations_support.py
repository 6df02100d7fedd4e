"""Running the statements' migrations back and forth in a test (a transactional one): to a
state, and back to the latest after it (the ``back_to_latest`` fixture, in conftest.py)."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    """Migrate to ``targets``; the executor returned knows the state there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
