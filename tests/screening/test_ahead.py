"""Reading the next batch ahead (santui.screening.ahead) changes when a text is read, never
what is decided: the same statements screened with and without it give the same records, keys,
counts and decisions, and the thread really did read ahead (on PostgreSQL, where it is used)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.db import connection, transaction

from santui.screening.actions import screen_round
from santui.screening.ahead import Memo, ReadAhead, names_in, read_text
from santui.screening.features import text_features
from santui.screening.models import Alert, Screening, ScreenKey, WindowCount
from santui.screening.run import screen_all
from santui.statements.models import Statement
from tests.screening.conftest import EARLIER, decisions, receive
from tests.screening.test_one_pass import TEXTS as ONE_PASS_TEXTS

# the one-pass test's texts, a name holding keywords and an empty text
TEXTS = [*ONE_PASS_TEXTS, "张三退党退团，北京朝阳区。", ""]
NOW = EARLIER + dt.timedelta(minutes=300)


class _Rollback(Exception):
    pass


class Counting(ReadAhead):
    """A read-ahead that counts the statements whose reading the round found done."""

    def __init__(self, batch: int) -> None:
        super().__init__(batch)
        self.hits = 0

    def take(self) -> Memo:
        memo = super().take()
        known = memo.known_features

        def counted(text: str, names: Any) -> Any:
            found = known(text, names)
            self.hits += found is not None
            return found

        memo.known_features = counted  # type: ignore[method-assign]
        return memo


def _receive_many(seed: int, n: int) -> None:
    rnd = random.Random(seed)
    for _ in range(n):
        name = rnd.choice(["", "", "真心", "李明", "王芳"])
        receive(
            name=name,
            name_kind="alias" if name else "anonymous",
            text=rnd.choice(TEXTS),
            region=rnd.choice(["", "210100", "210200", "110000"]),
            channel=rnd.choice(["web", "email", "phone"]),
            received_at=EARLIER + dt.timedelta(minutes=rnd.randrange(600)),
        )


def _postgresql_only() -> None:
    """The read-ahead runs beside the round's writes on PostgreSQL only: on SQLite (the test
    database shares one in-memory cache between connections) the thread's read would lock the
    table the round writes, which is why the screener never uses it there (``useful``)."""
    if connection.vendor != "postgresql":
        pytest.skip("the read-ahead is used on PostgreSQL only")


def _screen(batch: int, delay: float, ahead: ReadAhead | None) -> None:
    while screen_round(batch=batch, delay=delay, now=NOW, ahead=ahead):
        pass
    if ahead is not None:
        ahead.close()


def _state() -> tuple[Any, ...]:
    return (
        decisions(),
        sorted(Statement.objects.values_list("pk", "status", "duplicate_of_id")),
        sorted(ScreenKey.objects.values_list("key", "kind", "statement_id")),
        sorted(WindowCount.objects.values_list("key", "bucket", "n")),
        sorted(
            Screening.objects.values_list(
                "statement_id", "cluster", "rules", "signature", "bands", "sketches", "found"
            )
        ),
        sorted(Alert.objects.values_list("kind", "subject", "window_start", "count", "expected")),
    )


@pytest.mark.django_db(transaction=True)  # the thread reads what is committed
@pytest.mark.parametrize(("seed", "batch", "delay"), [(1, 4, 0.0), (2, 7, 3600.0), (3, 1, 0.0)])
def test_same_outcome_with_and_without(seed: int, batch: int, delay: float) -> None:
    _postgresql_only()
    _receive_many(seed, 30)
    ahead = Counting(batch)
    # a savepoint the screener's durable blocks may nest in, rolled back afterwards
    block = transaction.atomic()
    block._from_testcase = True  # type: ignore[attr-defined]
    try:
        with block:
            _screen(batch, delay, ahead)
            with_ahead = _state()
            raise _Rollback
    except _Rollback:
        pass
    assert not Screening.objects.exists()  # rolled back: screened again from the start
    _screen(batch, delay, None)
    assert _state() == with_ahead
    assert ahead.hits == 30 - batch  # every batch after the first was read by the thread


@pytest.mark.django_db(transaction=True)
def test_the_thread_reads_the_next_batch_as_the_round_would() -> None:
    _receive_many(4, 12)
    order = list(Statement.objects.order_by("received_at", "id"))
    ahead = ReadAhead(5)
    ahead.start((order[2].received_at, order[2].pk))
    memo = ahead.take()
    ahead.close()
    following = order[3:8]
    texts = {s.text for s in following}
    assert set(memo.parsed) == texts  # those five, no other
    for s in following:
        parsed = read_text(s.text)
        assert memo.parsed[s.text] == parsed
        names = names_in(s.name, parsed)
        assert memo.features[(s.text, names)] == text_features([(s.text, names)])[0]


@pytest.mark.django_db(transaction=True)
def test_a_failing_read_only_costs_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader that breaks leaves the round to read its batch itself: same decisions."""
    _postgresql_only()
    _receive_many(5, 9)

    def broken(text: str) -> None:
        raise RuntimeError("the reader broke")

    monkeypatch.setattr("santui.screening.ahead.text_features", broken)
    ahead = Counting(3)
    _screen(3, 0.0, ahead)
    assert ahead.hits == 0  # nothing came from the thread
    assert Screening.objects.count() == 9
    assert not Statement.objects.filter(status="received").exists()


@pytest.mark.django_db(transaction=True)
def test_screen_all_reads_ahead_only_where_useful(monkeypatch: pytest.MonkeyPatch) -> None:
    _receive_many(6, 12)
    made: list[ReadAhead] = []
    real_init = ReadAhead.__init__

    def spy(self: ReadAhead, batch: int) -> None:
        real_init(self, batch)
        made.append(self)

    monkeypatch.setattr(ReadAhead, "__init__", spy)
    screen_all(batch=5, delay=0)
    assert len(made) == (1 if connection.vendor == "postgresql" else 0)
    assert all(a._pool is None for a in made)  # closed: no thread left behind
    assert not Statement.objects.filter(status="received").exists()


@pytest.mark.django_db(transaction=True)
def test_a_round_does_not_wait_for_the_disk_and_leaves_the_setting() -> None:
    """The round's own transaction commits without waiting for its WAL flush (PostgreSQL);
    the connection's setting is untouched afterwards (SET LOCAL ends with the transaction)."""
    from django.test.utils import CaptureQueriesContext

    _receive_many(7, 3)
    with CaptureQueriesContext(connection) as seen:
        _screen(10, 0.0, None)
    said = [q["sql"] for q in seen.captured_queries if "synchronous_commit" in q["sql"]]
    if connection.vendor != "postgresql":
        assert not said
        return
    assert said == ["SET LOCAL synchronous_commit TO OFF"] * len(said) and said
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    assert Screening.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_during_a_round_the_thread_reads_only_while_the_round_waits() -> None:
    """Inside ``round()`` the thread reads a text only while the round waits for the database
    (a query) or for it (``take``): never beside the round's own Python work."""
    _postgresql_only()
    import threading
    import time

    import santui.screening.ahead as ahead_module

    _receive_many(7, 12)
    read: list[str] = []
    lock = threading.Lock()
    real = ahead_module.read_text

    def counted(text: str) -> Any:
        with lock:
            read.append(text)
        return real(text)

    ahead = ReadAhead(50)
    try:
        ahead_module.read_text = counted  # type: ignore[assignment]
        with ahead.round():
            ahead.start((EARLIER - dt.timedelta(days=1), 0))
            time.sleep(0.5)  # the round's own work: no query
            assert read == []
            with connection.cursor() as cursor:  # a query: the thread may read meanwhile
                cursor.execute("SELECT pg_sleep(0.5)")
            assert read
            memo = ahead.take()  # waiting for the thread: it finishes
        assert set(memo.parsed) == set(read) and len(read) == len(set(read)) >= 5  # each once
        with ahead.round():
            ahead.start((EARLIER - dt.timedelta(days=1), 0))
        before = len(read)
        time.sleep(0.5)  # after the round the thread reads freely
        assert len(read) > before
    finally:
        ahead_module.read_text = real  # type: ignore[assignment]
        ahead.close()
