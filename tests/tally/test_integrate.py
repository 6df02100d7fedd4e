import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from santui.statements.actions import statement_reject
from santui.statements.models import LedgerEntry, LogPosition, PublishedEntry, QueuedEntry
from santui.tally import actions as tally_actions
from santui.tally.actions import tally_integrate
from santui.tally.models import IntegrationState, Rollup, Stat
from santui.tally.selectors import stats_document
from santui.tally.verify import tally_verify
from tests.factories import AcceptedStatementFactory, ReceivedStatementFactory

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2005, 4, 21, 4, 0, tzinfo=dt.UTC)


def test_integration_gives_consecutive_positions_and_counts_persons() -> None:
    AcceptedStatementFactory(headcount=1, received_at=DAY)
    AcceptedStatementFactory(headcount=140, channel="group", received_at=DAY)
    ReceivedStatementFactory(headcount=7)  # not accepted: never counted
    result = tally_integrate(batch_size=1)
    assert (result.entries, result.batches, result.size) == (2, 2, 2)
    assert sorted(LogPosition.objects.values_list("position", flat=True)) == [0, 1]
    assert not QueuedEntry.objects.exists()
    doc = stats_document(public=False)
    assert doc["persons"] == 141
    assert doc["statements"] == 2
    assert doc["organizations"] == {"party": 141, "league": 141, "pioneers": 141}
    assert doc["daily"] == [{"date": "2005-04-21", "persons": 141, "cumulative": 141}]


def test_rerun_with_empty_queue_changes_nothing() -> None:
    AcceptedStatementFactory(headcount=3)
    tally_integrate()
    before = list(Rollup.objects.order_by("id").values_list("stat", "key", "day", "value"))
    assert tally_integrate().entries == 0
    after = list(Rollup.objects.order_by("id").values_list("stat", "key", "day", "value"))
    assert before == after


def test_revoke_subtracts_exactly_what_was_added() -> None:
    keep = AcceptedStatementFactory(headcount=2, received_at=DAY)
    drop = AcceptedStatementFactory(headcount=5, received_at=DAY, sector="police")
    tally_integrate()
    statement_reject(statement=drop, by=None, reason="duplicate", via="t")
    assert stats_document(public=False)["persons"] == 7  # not integrated yet: figures lag
    tally_integrate()
    doc = stats_document(public=False)
    assert doc["persons"] == 2
    assert doc["statements"] == 1
    assert all(cell["key"] != "police" for cell in doc["sectors"])
    assert tally_verify().ok
    assert keep.pk


def test_crash_inside_a_batch_leaves_no_partial_integration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    AcceptedStatementFactory(headcount=4)
    AcceptedStatementFactory(headcount=6)

    seen = []

    def boom(start: int, end: int, bounds: tuple[int, int]) -> None:
        # positions given, the queue taken, the cells folded: then the power goes
        seen.append((LogPosition.objects.count(), QueuedEntry.objects.count()))
        seen.append(Rollup.objects.exists())
        raise RuntimeError("power cut after the fold")

    monkeypatch.setattr(tally_actions, "ledger_batch", boom)
    with pytest.raises(RuntimeError):
        tally_integrate()
    assert seen == [(2, 0), True]  # all written in the batch's transaction...
    assert IntegrationState.objects.get().size == 0  # ...and all gone with it
    assert not LogPosition.objects.exists()
    assert QueuedEntry.objects.count() == 2
    assert not Rollup.objects.exists()
    monkeypatch.undo()
    assert tally_integrate().entries == 2
    assert stats_document(public=False)["persons"] == 10
    assert tally_verify().ok


def test_a_crash_after_the_public_lists_rows_leaves_none_of_the_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    AcceptedStatementFactory(publish=True)
    written = []

    def boom(start: int, leaves: list[bytes], now: dt.datetime) -> None:
        written.extend(PublishedEntry.objects.values_list("position", flat=True))
        raise RuntimeError("power cut while the log is appended")

    monkeypatch.setattr(tally_actions, "log_append", boom)
    with pytest.raises(RuntimeError):
        tally_integrate()
    assert written == [0]  # the row was written in the batch's transaction...
    assert not PublishedEntry.objects.exists()  # ...and went with it
    assert not LogPosition.objects.exists()
    monkeypatch.undo()
    tally_integrate()
    assert list(PublishedEntry.objects.values_list("position", flat=True)) == [0]
    assert tally_verify().ok


def published_rows() -> list[tuple[int, int, dt.date, str]]:
    return list(
        PublishedEntry.objects.order_by("position").values_list(
            "entry_id", "position", "day", "region"
        )
    )


def add_of(statement: object) -> LedgerEntry:
    return LedgerEntry.objects.get(statement=statement, kind="add")


def test_integration_writes_the_public_lists_rows_for_published_adds_only() -> None:
    first = AcceptedStatementFactory(publish=True, region="110105", received_at=DAY)
    AcceptedStatementFactory(publish=False, region="US")
    second = AcceptedStatementFactory(publish=True, region="US", received_at=DAY)
    tally_integrate(batch_size=2)  # the two published adds in different batches

    adds = [add_of(first), add_of(second)]
    assert [a.position for a in adds] == [0, 2]
    assert published_rows() == [(a.pk, a.position, a.day, a.region) for a in adds]
    assert adds[0].region == "110000" and adds[0].day == DAY.date()  # the add's own values
    assert tally_verify().ok

    # Rejected later: the revoke gets a position and no row; the add's row stays (the public
    # list reads accepted statements only).
    statement_reject(statement=first, by=None, reason="spam", via="t")
    tally_integrate()
    assert LogPosition.objects.filter(entry__kind="revoke", position=3).exists()
    assert published_rows() == [(a.pk, a.position, a.day, a.region) for a in adds]
    assert tally_verify().ok


def test_verify_names_a_public_list_row_missing_or_wrong() -> None:
    gone = AcceptedStatementFactory(publish=True, region="110105")
    moved = AcceptedStatementFactory(publish=True, region="110105")
    tally_integrate()
    assert tally_verify().ok
    PublishedEntry.objects.filter(entry__statement=gone).delete()
    PublishedEntry.objects.filter(entry__statement=moved).update(region="US")

    problems = tally_verify().problems
    a, b = add_of(gone), add_of(moved)
    assert problems == [
        f"ledger entry {a.pk} (position {a.position}) is published but not in the public list",
        f"the public list has ledger entry {b.pk} at position {b.position}, day {b.day}, region "
        "'US': not what the ledger says",
    ]


def test_verify_names_a_rollup_that_drifted() -> None:
    AcceptedStatementFactory(headcount=3, received_at=DAY)
    tally_integrate()
    assert tally_verify().ok
    Rollup.objects.filter(stat="persons").update(value=4)
    report = tally_verify()
    assert not report.ok
    assert any(p.startswith("persons[] 2005-04-21: rollup 4, ledger 3") for p in report.problems)
    assert any("rollup 4, statements 3" in p for p in report.problems)
    with pytest.raises(Exception, match="differences"):
        call_command("tally", "verify")


def test_verify_catches_a_statement_edited_behind_the_ledger() -> None:
    s = AcceptedStatementFactory(headcount=3, received_at=DAY)
    tally_integrate()
    with connection.cursor() as cursor:  # someone edits the counted record by hand
        cursor.execute("UPDATE statements_statement SET headcount = 30 WHERE id = %s", [s.pk])
    report = tally_verify()
    assert any("rollup 3, statements 30" in p for p in report.problems)


def test_verify_catches_status_without_ledger_entry() -> None:
    s = ReceivedStatementFactory()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE statements_statement SET status = 'accepted' WHERE id = %s", [s.pk])
    report = tally_verify()
    assert f"statement {s.pk} is accepted but has no live add entry" in report.problems


def test_verify_catches_a_gap_in_positions() -> None:
    AcceptedStatementFactory()
    AcceptedStatementFactory()
    tally_integrate()
    LogPosition.objects.filter(position=1).update(position=5)
    assert any("integrated size is 2" in p for p in tally_verify().problems)


def test_integrate_command_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    AcceptedStatementFactory()
    call_command("integrate")
    assert "integrated 1 entries in 1 batches; log size 1" in capsys.readouterr().out


def test_an_entry_committed_late_with_a_lower_id_waits_for_the_next_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Writers commit in any order: an entry with a lower id can join the queue after the
    integrator numbered newer ones. It must stay queued (taken off by position, not as "the
    oldest n" again) and get the next batch's position."""
    late, early = AcceptedStatementFactory(headcount=2), AcceptedStatementFactory(headcount=3)
    late_entry = add_of(late)
    QueuedEntry.objects.filter(entry=late_entry).delete()  # not committed yet
    real_dequeue = tally_actions._dequeue

    def commits_meanwhile(cursor: Any, ids: list[int]) -> int:
        QueuedEntry.objects.create(entry=late_entry)  # between the numbering and the dequeue
        return real_dequeue(cursor, ids)

    monkeypatch.setattr(tally_actions, "_dequeue", commits_meanwhile)
    assert tally_actions.tally_integrate_batch(batch_size=10) == 1
    monkeypatch.undo()
    assert list(QueuedEntry.objects.values_list("entry_id", flat=True)) == [late_entry.pk]
    assert add_of(early).position == 0
    assert tally_integrate().entries == 1
    assert add_of(late).position == 1
    assert stats_document(public=False)["persons"] == 5
    assert tally_verify().ok


def test_verify_names_an_entry_neither_queued_nor_integrated_or_both() -> None:
    lost, twice = AcceptedStatementFactory(), AcceptedStatementFactory()
    QueuedEntry.objects.filter(entry__statement=lost).delete()
    tally_integrate()
    QueuedEntry.objects.create(entry=add_of(twice))
    problems = tally_verify().problems
    assert f"ledger entry {add_of(lost).pk} is neither queued nor integrated" in problems
    assert f"ledger entry {add_of(twice).pk} is both queued and integrated" in problems


def test_verify_names_a_position_whose_entry_is_not_in_the_ledger() -> None:
    AcceptedStatementFactory()
    tally_integrate()
    LogPosition.objects.create(position=1, entry_id=10**9, integrated_at=timezone.now())
    assert "1 log positions name no ledger entry" in tally_verify().problems


def test_a_day_gets_a_cell_only_for_what_its_entries_count() -> None:
    """The stats with a condition (each organization, current members) are summed per day in
    one pass: a day with no entry meeting the condition gets no cell, not a cell of 0."""
    AcceptedStatementFactory(organizations=("league",), received_at=DAY)
    tally_integrate()
    cells = set(Rollup.objects.values_list("stat", "key"))
    assert (Stat.ORGANIZATION, "league") in cells and (Stat.PERSONS, "") in cells
    assert (Stat.ORGANIZATION, "party") not in cells
    assert (Stat.ORGANIZATION, "pioneers") not in cells
    assert not Rollup.objects.filter(stat=Stat.CURRENT_PARTY_MEMBERS).exists()
    assert not Rollup.objects.filter(value=0).exists()
