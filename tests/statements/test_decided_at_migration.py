"""statements 0013_decided_at on seeded rows: each kept decided statement gets the time of its
latest audit row into its status, in batches; a statement awaiting a decision, a shredded one
and one without such a row stay NULL (retention asks the audit trail for those). SQLite,
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

from tests.statements.migrations_support import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("statements", "0012_statements_fillfactor")]
AFTER = [("statements", "0013_decided_at")]
T = dt.datetime(2020, 5, 1, tzinfo=dt.UTC)


def test_decided_at_is_filled_from_the_audit_trail_in_batches(
    back_to_latest: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    migration = importlib.import_module("santui.statements.migrations.0013_decided_at")
    monkeypatch.setattr(migration, "BATCH", 2)  # several batches for a handful of rows
    old = migrate(BEFORE).loader.project_state(BEFORE).apps
    Statement = old.get_model("statements", "Statement")
    Change = old.get_model("statements", "StatusChange")
    # (status, reason, shredded, audit rows as (to_status, days after T))
    seeds = {
        "accepted": ("accepted", "", False, [("received", 0), ("accepted", 2)]),
        "revoked": ("rejected", "spam", False, [("received", 0), ("accepted", 1), ("rejected", 5)]),
        "reinstated": ("accepted", "", False,
                       [("received", 0), ("rejected", 1), ("accepted", 3), ("accepted", 4)]),
        "waiting": ("held", "", False, [("received", 0), ("held", 1)]),
        "shredded": ("accepted", "", True, [("received", 0), ("accepted", 1)]),
        "untraced": ("accepted", "", False, []),
    }  # fmt: skip
    for key, (status, reason, shredded, rows) in seeds.items():
        statement = Statement.objects.create(
            source="import", external_id=key, channel="web", received_at=T, party=True,
            name_kind="anonymous", status=status, reject_reason=reason,
            shredded_at=T if shredded else None,
        )  # fmt: skip
        for to_status, days in rows:
            change = Change.objects.create(statement=statement, to_status=to_status, via="seed")
            Change.objects.filter(pk=change.pk).update(at=T + dt.timedelta(days=days))

    new = migrate(AFTER).loader.project_state(AFTER).apps.get_model("statements", "Statement")
    decided = dict(new.objects.values_list("external_id", "decided_at"))
    assert decided == {
        "accepted": T + dt.timedelta(days=2),
        "revoked": T + dt.timedelta(days=5),
        "reinstated": T + dt.timedelta(days=4),
        "waiting": None,
        "shredded": None,
        "untraced": None,
    }
