"""Public statements as selectors see them: who is public, search columns, search, paging."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import unicodedata
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from santui.backoffice.roles import ADMINISTRATOR, MODERATOR
from santui.statements.actions import statement_accept, statement_reject
from santui.statements.bulk import StatementRow, statements_bulk_load
from santui.statements.models import LedgerEntry, Statement
from santui.statements.public import (
    MAX_NUMBER,
    StatementQuery,
    fold_name,
    fold_text,
    name_key,
    nfkc,
    public_entry,
    public_page,
    public_search,
)
from santui.tally.actions import tally_integrate
from tests.backoffice.test_backoffice import record_form, staff
from tests.factories import AcceptedStatementFactory, ReceivedStatementFactory

pytestmark = pytest.mark.django_db


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day + "T12:00:00+08:00")


def numbers(query: StatementQuery | None = None) -> list[int]:
    entries = public_search(query=query or StatementQuery())
    return [p for p in entries.values_list("log_index", flat=True) if p is not None]


def number_of(statement: Statement) -> int:
    position = LedgerEntry.objects.get(statement=statement, kind="add").position
    assert position is not None
    return position


# --- folding -------------------------------------------------------------------------------


def test_text_folds_script_width_case_and_spaces() -> None:
    assert fold_text("頭髮 ＡＢＣ\n\n  Déjà") == "头发 abc déjà"
    assert fold_text("我聲明退出中共") == fold_text("我声明退出中共")


def test_name_folds_to_one_key_for_every_spelling() -> None:
    spellings = ["張三", "张三", "张 三", "\u3000張三 ", "ＺＨＡＮＧ san", "zhang SAN", "ZhangSan"]
    folded = {fold_name(s) for s in spellings}
    assert folded == {"张三", "zhangsan"}
    assert name_key("張 三") == name_key("张三")
    assert name_key("张三") != name_key("张四")
    assert name_key("   ") is None


def test_name_key_is_keyed_not_a_plain_hash() -> None:
    key = name_key("张三")
    assert key is not None and len(key) == 64
    assert key != hashlib.sha256("张三".encode()).hexdigest()


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30))
def test_fast_nfkc_is_nfkc(text: str) -> None:
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_fast_nfkc_on_known_hard_cases() -> None:
    for text in ["ｅ\u0301", "e\u0301\u0323", "Å", "ﬁ①㍿", "\u1100\u1161\u11a8", "ﾊﾟ", "退，党！"]:
        assert nfkc(text) == unicodedata.normalize("NFKC", text)


# --- search columns exist only while a statement is public ---------------------------------


def columns(statement: Statement) -> tuple[str | None, str | None]:
    row = Statement.objects.filter(pk=statement.pk).values_list("name_key", "search_text").get()
    return row[0], row[1]


def test_search_columns_follow_consent_and_status() -> None:
    received = ReceivedStatementFactory(publish=True, name="张三", text="退出 ABC")
    assert columns(received) == (None, None)  # not public yet: nothing kept
    accepted = statement_accept(statement=received, by=None, via="t")
    assert columns(accepted) == (name_key("张三"), "退出 abc")
    statement_reject(statement=accepted, by=None, reason="declarant_request", via="t")
    assert columns(accepted) == (None, None)  # withdrawn: the blind index goes too

    unpublished = AcceptedStatementFactory(publish=False, name="李四")
    assert columns(unpublished) == (None, None)
    anonymous = AcceptedStatementFactory(publish=True, name="", name_kind="anonymous", text="t")
    assert columns(anonymous) == (None, "t")


def test_back_office_edits_before_acceptance_are_what_gets_indexed() -> None:
    s = ReceivedStatementFactory(publish=False, name="旧名", name_kind="real")
    office = staff(ADMINISTRATOR)  # through the real admin pages
    form = record_form(name="新名", publish="on", text="聲明")
    response = office.post(f"/office/statements/statement/{s.pk}/change/", form)
    assert response.status_code == 302
    assert columns(s) == (None, None)  # still awaiting review: nothing kept
    # The edit changed counted fields (day, region): a second person accepts.
    staff(MODERATOR).post(
        "/office/statements/statement/", {"action": "accept_selected", "_selected_action": [s.pk]}
    )
    assert columns(s) == (name_key("新名"), "声明")
    # Once counted the record is frozen: an edit changes neither the name nor the index.
    office.post(f"/office/statements/statement/{s.pk}/change/", {**form, "name": "别名"})
    assert columns(s) == (name_key("新名"), "声明")


def test_name_is_nowhere_in_plaintext_in_the_database() -> None:
    name = "王小明Zhang"
    AcceptedStatementFactory(publish=True, name=name, name_kind="real", text="声明")
    tally_integrate()
    assert numbers(StatementQuery(name="王小明 zhang"))  # found through the blind index
    folded = fold_name(name)
    needles = {name, folded, name.casefold(), hashlib.sha256(folded.encode()).hexdigest()}
    table = connection.ops.quote_name(Statement._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # a table name, quoted
        rows = cursor.fetchall()
    assert len(rows) == 1
    for value in rows[0]:
        if isinstance(value, bytes | memoryview):
            raw = bytes(value)
            assert not any(n.encode() in raw for n in needles), value
        else:
            assert not any(n in str(value) for n in needles), value


def test_bulk_load_writes_search_columns_of_public_rows_only() -> None:
    def row(eid: str, *, status: str, publish: bool, name_kind: str = "real") -> StatementRow:
        return StatementRow(
            external_id=eid, received_at=at("2005-01-02"), channel="posting", text="頭髮 Text",
            party=True, league=False, pioneers=False, headcount=1, name="趙六",
            name_kind=name_kind, region="HK", sector="", current_party_member=None,
            publish=publish, status=status,
        )  # fmt: skip

    statements_bulk_load(
        rows=[
            row("public", status="accepted", publish=True),
            row("private", status="accepted", publish=False),
            row("queued", status="received", publish=True),
            row("anonymous", status="accepted", publish=True, name_kind="anonymous"),
        ],
        source="bulk-test",
        via="test",
    )
    got = dict(Statement.objects.values_list("external_id", "name_key"))
    assert got == {"public": name_key("赵六"), "private": None, "queued": None, "anonymous": None}
    texts = dict(Statement.objects.values_list("external_id", "search_text"))
    assert texts["public"] == "头发 text" and texts["private"] is None
    tally_integrate()
    found = public_search(query=StatementQuery(name="赵六", text="头发"))
    assert [e.statement.external_id for e in found] == ["public"]


def test_migration_fills_search_columns_of_existing_public_rows() -> None:
    migration = importlib.import_module("santui.statements.migrations.0003_public_search")
    public = AcceptedStatementFactory(publish=True, name="孫七", name_kind="alias", text="頭")
    private = AcceptedStatementFactory(publish=False, name="周八")
    received = ReceivedStatementFactory(publish=True, name="吴九")
    Statement.objects.update(name_key=None, search_text=None)  # as before the migration

    migration.fill_search_columns(django_apps, SimpleNamespace(connection=connection))

    assert columns(public) == (name_key("孙七"), "头")
    assert columns(private) == (None, None)
    assert columns(received) == (None, None)


# --- who is public -------------------------------------------------------------------------


def test_only_consented_accepted_integrated_statements_are_public() -> None:
    public = AcceptedStatementFactory(publish=True)
    unpublished = AcceptedStatementFactory(publish=False)
    ReceivedStatementFactory(publish=True)
    withdrawn = AcceptedStatementFactory(publish=True)
    tally_integrate()
    statement_reject(statement=withdrawn, by=None, reason="declarant_request", via="t")
    tally_integrate()
    queued = AcceptedStatementFactory(publish=True)  # accepted, not integrated yet

    assert numbers() == [number_of(public)]
    assert public_entry(number=number_of(public)) is not None
    for hidden in (unpublished, withdrawn):
        assert public_entry(number=number_of(hidden)) is None
    assert LedgerEntry.objects.get(statement=queued).position is None
    assert public_entry(number=MAX_NUMBER + 1) is None
    assert public_entry(number=-1) is None


# --- search --------------------------------------------------------------------------------


@pytest.fixture
def corpus() -> dict[str, Statement]:
    made: dict[str, Statement] = {
        "simplified": AcceptedStatementFactory(
            publish=True, text="我声明退出中国共产党。头发都白了", region="110105",
            received_at=at("2005-01-01"), name="刘一", name_kind="real",
        ),
        "traditional": AcceptedStatementFactory(
            publish=True, text="我聲明退出共青團。\n頭髮", region="US",
            received_at=at("2005-02-01"), name="陳二", name_kind="alias",
        ),
        "latin": AcceptedStatementFactory(
            publish=True, text="I QUIT the Party 100%_done", region="440103",
            received_at=at("2005-03-01"), name="Li Lei", name_kind="real",
        ),
    }  # fmt: skip
    AcceptedStatementFactory(publish=False, text="我声明退出中国共产党", name="刘一")
    tally_integrate()
    return made


def found(corpus: dict[str, Statement], **query: Any) -> set[str]:
    by_number = {number_of(s): key for key, s in corpus.items()}
    return {by_number[n] for n in numbers(StatementQuery(**query))}


def test_text_search_matches_either_script_and_case(corpus: dict[str, Statement]) -> None:
    assert found(corpus, text="声明") == {"simplified", "traditional"}
    assert found(corpus, text="聲明退出") == {"simplified", "traditional"}
    assert found(corpus, text="头发") == {"simplified", "traditional"}  # 髮 and 發 both fold to 发
    assert found(corpus, text="共青团") == {"traditional"}
    assert found(corpus, text="quit THE party") == {"latin"}
    assert found(corpus, text="ｑｕｉｔ") == {"latin"}  # full-width
    assert found(corpus, text="头发 头发") == set()


def test_like_wildcards_are_literal(corpus: dict[str, Statement]) -> None:
    assert found(corpus, text="100%_done") == {"latin"}
    assert found(corpus, text="%") == {"latin"}
    assert found(corpus, text="_") == {"latin"}
    assert found(corpus, text="1%d") == set()


def test_name_search_is_exact_after_folding(corpus: dict[str, Statement]) -> None:
    assert found(corpus, name="劉一") == {"simplified"}  # the unpublished 刘一 stays hidden
    assert found(corpus, name="陈 二") == {"traditional"}
    assert found(corpus, name="LI LEI") == {"latin"}
    assert found(corpus, name="Li") == set()  # exact, not a prefix


def test_region_and_date_filters(corpus: dict[str, Statement]) -> None:
    assert found(corpus, region="110000") == {"simplified"}  # the province, not the county
    assert found(corpus, region="110105") == set()
    assert found(corpus, region="US") == {"traditional"}
    assert found(corpus, date_from=dt.date(2005, 2, 1)) == {"traditional", "latin"}
    assert found(corpus, date_to=dt.date(2005, 2, 1)) == {"simplified", "traditional"}
    assert found(corpus, date_from=dt.date(2005, 2, 1), date_to=dt.date(2005, 2, 1)) == {
        "traditional"
    }
    assert found(corpus, text="声明", region="440000") == set()
    assert found(corpus, text="声明", date_from=dt.date(2005, 1, 15), name="陈二") == {
        "traditional"
    }


# --- paging --------------------------------------------------------------------------------

FATES = st.sampled_from(["public"] * 3 + ["unpublished", "received", "withdrawn", "queued"])


def build(fates: list[str]) -> list[int]:
    """Statements of the given fates; the numbers of the public ones, newest first."""
    made: list[tuple[str, Statement]] = []
    for fate in fates:
        if fate == "received":
            ReceivedStatementFactory(publish=True)
        elif fate != "queued":
            made.append((fate, AcceptedStatementFactory(publish=fate != "unpublished")))
    tally_integrate()
    for fate, statement in made:
        if fate == "withdrawn":
            statement_reject(statement=statement, by=None, reason="other", via="t")
    for fate in fates:
        if fate == "queued":
            AcceptedStatementFactory(publish=True)
    return sorted((number_of(s) for fate, s in made if fate == "public"), reverse=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fates=st.lists(FATES, max_size=30), size=st.integers(min_value=1, max_value=7))
def test_walking_pages_yields_the_public_set_in_order(fates: list[str], size: int) -> None:
    with transaction.atomic():
        expected = build(fates)
        walked: list[int] = []
        pages = []
        before: int | None = None
        while True:
            page = public_page(query=StatementQuery(), before=before, size=size)
            assert len(page.entries) <= size
            assert page.has_newer == bool(walked)
            pages.append(page)
            walked += [int(e.position or 0) for e in page.entries]
            if page.older is None:
                break
            assert len(page.entries) == size
            before = page.older
        assert walked == expected  # every public statement once, newest first, nothing else

        # Back again through the "newer" links: each gives the statements just above.
        for page in pages[1:]:
            top = expected.index(int(page.entries[0].position or 0)) if page.entries else None
            newer = public_page(query=StatementQuery(), before=page.newer, size=size)
            got = [int(e.position or 0) for e in newer.entries]
            assert top is not None
            assert got == (expected[top - size : top] if top > size else expected[:size])
        transaction.set_rollback(True)


def test_page_past_the_end_is_empty_and_links_back() -> None:
    AcceptedStatementFactory(publish=True)
    tally_integrate()
    page = public_page(query=StatementQuery(), before=0)
    assert page.entries == [] and page.older is None
    assert page.has_newer and page.newer is None  # the newer page is the first one
    with pytest.raises(ValueError, match="at least one"):
        public_page(query=StatementQuery(), size=0)
