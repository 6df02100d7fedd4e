"""The moderation workbench, /office/queue/ and /office/invalidate/, as moderators use it (forms,
no JavaScript): grouping, masking, decisions together and one by one, the two-person rule, bulk
invalidation with preview, cancel and confirm (a background job: tests/backoffice/test_jobs.py);
tally verify holds after any sequence, decisions made at once or as jobs."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import re
import string
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from santui.backoffice.actions import bulk_invalidate, queue_decide
from santui.backoffice.jobs import office_job_create, office_job_step, office_jobs_run_all
from santui.backoffice.labels import cluster_name
from santui.backoffice.models import JobKind
from santui.backoffice.queue import Selection, selection_numbers
from santui.backoffice.roles import INTAKE_VOLUNTEER, MODERATOR, ensure_roles
from santui.screening.models import Screening
from santui.screening.run import screen_all
from santui.statements.actions import (
    TransitionError,
    statement_accept,
    statement_edit,
    statement_receive,
)
from santui.statements.models import EntryKind, LedgerEntry, Statement, Status
from santui.tally.actions import tally_integrate
from santui.tally.models import IntegrationState
from santui.tally.verify import tally_verify

QUEUE = "/office/queue/"
INVALIDATE = "/office/invalidate/"
TEMPLATE = "坚决退出中共邪党及其一切组织，天灭中共，三退保平安！声明人：{}"
EARLIER = timezone.now() - dt.timedelta(days=60)


def _user(name: str, role: str | None = None, *perms: str) -> User:
    groups = ensure_roles()
    user = User.objects.create_user(name, password="x" * 16, is_staff=True)
    if role:
        user.groups.set([groups[role]])
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    return user


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _receive(**overrides: Any) -> Statement:
    values: dict[str, Any] = {
        "channel": "web", "organizations": ["party", "league"], "name_kind": "alias",
        "name": "真心", "text": "我声明退出中共的党、团组织。化名真心", "region": "210100",
        "source": "web", "via": "test", "received_at": EARLIER,
    }  # fmt: skip
    values.update(overrides)
    return statement_receive(**values).statement


def _random_name(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(8)) + str(rng.randint(1, 99))


def _flood(n: int = 60) -> list[Statement]:
    """``n`` statements of one new template within minutes: the rules hold them as one flood."""
    rng = random.Random(1)
    start = timezone.now() - dt.timedelta(minutes=20)
    return [
        _receive(
            name=(name := _random_name(rng)),
            text=TEMPLATE.format(name),
            region="",
            received_at=start + dt.timedelta(seconds=i),
        )
        for i in range(n)
    ]


def _same_person() -> tuple[Statement, Statement]:
    """A real name by the web form, then by email with another text: held as one duplicate set
    ("dup:<the first>")."""
    web = _receive(name="張 三", name_kind="real", text="", region="210100")
    mail = _receive(
        name="张三", name_kind="real", channel="email", source="email", region="210000", text="",
        received_at=EARLIER + dt.timedelta(days=1),
    )  # fmt: skip
    return web, mail


def _rows(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'name="statement" value="(\d+)"', html)]


def _verify() -> None:
    tally_integrate()
    report = tally_verify()
    assert report.ok, report.problems


@pytest.fixture
def held() -> dict[str, Any]:
    flood = _flood()
    web, mail = _same_person()
    screen_all(delay=0)
    cluster = Screening.objects.get(statement=flood[0]).cluster
    assert cluster.startswith("flood:")
    assert Statement.objects.filter(pk__in=[s.pk for s in flood], status=Status.HELD).count() == 60
    assert Screening.objects.get(statement=mail).cluster == f"dup:{web.pk}"
    return {"flood": flood, "cluster": cluster, "web": web, "mail": mail}


# --- the held queue -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_queue_counts_per_reason_and_per_cluster(held: dict[str, Any]) -> None:
    client = _client(_user("mod", MODERATOR))
    response = client.get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    reasons = {code: n for code, _, n in response.context["reasons"]}
    assert reasons["flood_template"] == 60
    assert reasons["same_person"] == 1
    assert 'href="/office/queue/reason/flood_template/"' in html
    assert f'href="/office/queue/cluster/{held["cluster"]}/"' in html
    assert (held["cluster"], cluster_name(held["cluster"]), 60) in response.context["clusters"]
    assert len(_rows(html)) == 50  # paged
    assert "<script" not in html.split("<body")[1] and "style=" not in html  # CSP-safe
    # a reason's own page
    page = client.get("/office/queue/reason/same_person/").content.decode()
    assert _rows(page) == [held["mail"].pk]


@pytest.mark.django_db
def test_a_cluster_is_one_page_set_and_paged(held: dict[str, Any]) -> None:
    client = _client(_user("mod", MODERATOR))
    url = f"/office/queue/cluster/{held['cluster']}/"
    first, second = client.get(url), client.get(url + "?page=2")
    assert first.status_code == second.status_code == 200
    members = _rows(first.content.decode()) + _rows(second.content.decode())
    assert sorted(members) == sorted(s.pk for s in held["flood"])
    assert "Count all 60 held here" in first.content.decode()


@pytest.mark.django_db
def test_a_duplicate_set_shows_the_statement_it_may_repeat_first(held: dict[str, Any]) -> None:
    html = _client(_user("mod", MODERATOR)).get(f"/office/queue/cluster/dup:{held['web'].pk}/")
    text = html.content.decode()
    assert html.status_code == 200
    assert text.index(f'id="statement-{held["web"].pk}"') < text.index(
        f'id="statement-{held["mail"].pk}"'
    )
    assert _rows(text) == [held["mail"].pk]  # the earlier one is shown, not decided here


@pytest.mark.django_db
def test_names_are_masked_without_the_personal_data_permission(held: dict[str, Any]) -> None:
    name = held["flood"][0].name
    plain = _user("plain", None, "statements.moderate_statement")
    url = f"/office/queue/cluster/{held['cluster']}/"
    masked = _client(plain).get(url).content.decode()
    assert name not in masked and "〔姓名〕" in masked
    shown = _client(_user("mod", MODERATOR)).get(url).content.decode()
    assert name in shown
    # the region by name in the viewer's language
    page = _client(plain).get("/office/queue/reason/same_person/").content.decode()
    assert '<span class="region">Liaoning</span>' in page


@pytest.mark.django_db
def test_staff_without_the_moderate_permission_are_refused() -> None:
    client = _client(_user("vol", INTAKE_VOLUNTEER))
    assert client.get(QUEUE).status_code == 403
    assert client.get(INVALIDATE).status_code == 403
    assert Client().get(QUEUE).status_code == 302  # to the login


@pytest.mark.django_db
def test_count_all_on_a_flood_counts_every_member(held: dict[str, Any]) -> None:
    client = _client(_user("mod", MODERATOR))
    url = f"/office/queue/cluster/{held['cluster']}/"
    upto = client.get(url).context["upto"]
    late = _flood(1)[0]  # arrives after the page was shown: not taken by "all"
    response = client.post(url, {"do": "accept:all", "upto": upto}, follow=True)
    assert response.status_code == 200
    assert "Counted 60 statements." in response.content.decode()
    ids = [s.pk for s in held["flood"]]
    assert Statement.objects.filter(pk__in=ids, status=Status.ACCEPTED).count() == 60
    assert Statement.objects.get(pk=late.pk).status == Status.RECEIVED
    assert LedgerEntry.objects.filter(statement__in=ids, kind=EntryKind.ADD).count() == 60
    _verify()


@pytest.mark.django_db
def test_reject_all_needs_a_reason_and_rejects_the_cluster(held: dict[str, Any]) -> None:
    client = _client(_user("mod", MODERATOR))
    url = f"/office/queue/cluster/{held['cluster']}/"
    upto = client.get(url).context["upto"]
    missing = client.post(url, {"do": "reject:all", "upto": upto})
    assert missing.status_code == 400
    assert "Choose the reason for rejecting." in missing.content.decode()
    bogus = client.post(url, {"do": "reject:all", "upto": upto, "reason": "because"})
    assert bogus.status_code == 400
    assert Statement.objects.filter(status=Status.REJECTED).count() == 0
    client.post(url, {"do": "reject:all", "upto": upto, "reason": "spam"})
    ids = [s.pk for s in held["flood"]]
    assert set(Statement.objects.filter(pk__in=ids).values_list("reject_reason", flat=True)) == {
        "spam"
    }
    _verify()


@pytest.mark.django_db
def test_one_by_one_and_ticked(held: dict[str, Any]) -> None:
    client = _client(_user("mod", MODERATOR))
    a, b, c = held["flood"][:3]
    client.post(QUEUE, {"do": f"accept:{a.pk}"})
    client.post(QUEUE, {"do": "reject:ticked", "statement": [b.pk, c.pk], "reason": "spam"})
    statuses = dict(Statement.objects.filter(pk__in=[a.pk, b.pk, c.pk]).values_list("pk", "status"))
    assert statuses == {a.pk: "accepted", b.pk: "rejected", c.pk: "rejected"}
    # decided already: refused, said so
    again = client.post(QUEUE, {"do": f"accept:{b.pk}"}, follow=True).content.decode()
    assert "Counted 0 statements." in again and "no longer held" in again
    assert Statement.objects.get(pk=b.pk).status == Status.REJECTED
    nothing = client.post(QUEUE, {"do": "accept:ticked"})
    assert nothing.status_code == 400 and "Tick at least one statement." in nothing.content.decode()
    _verify()


@pytest.mark.django_db
def test_the_two_person_rule_is_kept() -> None:
    editor, other = _user("editor", MODERATOR), _user("other", MODERATOR)
    s = _receive(channel="phone", source="office")
    statement_edit(statement=s, by=editor, changes={"headcount": 3}, via="test")
    assert Statement.objects.get(pk=s.pk).status == Status.HELD
    mine = _client(editor).post(QUEUE, {"do": f"accept:{s.pk}"}, follow=True).content.decode()
    assert "a second moderator must decide" in mine
    assert Statement.objects.get(pk=s.pk).status == Status.HELD
    _client(other).post(QUEUE, {"do": "accept:ticked", "statement": [s.pk]})
    assert Statement.objects.get(pk=s.pk).status == Status.ACCEPTED
    _verify()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["?page=abc", "?page=0", "?page=99999999999999999999", "?page=-3"],
)
def test_bad_page_numbers_are_a_clear_400(held: dict[str, Any], query: str) -> None:
    response = _client(_user("mod", MODERATOR)).get(QUEUE + query)
    assert response.status_code == 400
    assert "That page number is not valid" in response.content.decode()


@pytest.mark.django_db
def test_malformed_decisions_are_refused(held: dict[str, Any]) -> None:
    client = _client(_user("mod", MODERATOR))
    before = Statement.objects.filter(status=Status.HELD).count()
    for data in (
        {"do": "accept:ticked", "statement": ["abc"]},
        {"do": "accept:ticked", "statement": ["١٢"]},  # Arabic-Indic digits
        {"do": "frobnicate"},
        {"do": "accept:all"},  # no upto, and the whole queue at once
        {"do": "accept:all", "upto": "x"},
    ):
        assert client.post(QUEUE, data).status_code == 400, data
    assert client.get("/office/queue/reason/no_such_reason/").status_code == 404
    assert Statement.objects.filter(status=Status.HELD).count() == before


# --- bulk invalidation --------------------------------------------------------------------------


@pytest.fixture
def counted() -> dict[str, Any]:
    mod, volunteer = _user("mod", MODERATOR), _user("vol", INTAKE_VOLUNTEER)
    phone = [
        _receive(channel="phone", source="office", by=volunteer, headcount=2, name=f"甲{i}",
                 text=f"本人甲{i}声明退出中共。", received_at=EARLIER + dt.timedelta(hours=i))
        for i in range(3)
    ]  # fmt: skip
    web = [
        _receive(name=f"乙{i}", text=f"本人乙{i}声明退出中共。", source="batch-7",
                 received_at=EARLIER + dt.timedelta(hours=i))
        for i in range(2)
    ]  # fmt: skip
    for s in phone + web:
        statement_accept(statement=s, by=mod, via="test")
    _verify()
    return {"mod": mod, "volunteer": volunteer, "phone": phone, "web": web}


def _preview(client: Client, query: dict[str, Any]) -> dict[str, Any]:
    response = client.get(INVALIDATE, query)
    assert response.status_code == 200, response.content.decode()
    confirm = response.context["confirm"]
    data = {name: confirm[name].value() or "" for name in confirm.fields}
    return {"response": response, "data": {k: v for k, v in data.items() if v != ""}}


@pytest.mark.django_db
def test_preview_says_what_the_totals_would_lose(counted: dict[str, Any]) -> None:
    client = _client(counted["mod"])
    assert client.get(INVALIDATE).status_code == 200
    for query, n, persons in (
        ({"channel": "phone"}, 3, 6),
        ({"volunteer": counted["volunteer"].pk}, 3, 6),
        ({"source": "batch-7"}, 2, 2),
        ({"channel": "web", "source": "office"}, 0, 0),
    ):
        size = _preview(client, query)["response"].context["size"]
        assert (size.statements, size.persons) == (n, persons), query
    html = _preview(client, {"channel": "phone"})["response"].content.decode()
    assert "The totals would lose 3 counted statements and 6 persons." in html
    assert 'name="cancel"' in html and 'name="confirm"' in html


@pytest.mark.django_db
def test_a_window_is_typed_in_the_reporting_time_zone(counted: dict[str, Any]) -> None:
    client = _client(counted["mod"])
    local = counted["phone"][1].received_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    query = {
        "received_from": local.strftime("%Y-%m-%d %H:%M"),
        "received_to": (local + dt.timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M"),
    }
    size = _preview(client, query)["response"].context["size"]
    assert size.statements == 2  # phone[1] and web[1], received at the same time


@pytest.mark.django_db
def test_cancel_changes_nothing(counted: dict[str, Any]) -> None:
    client = _client(counted["mod"])
    data = _preview(client, {"channel": "phone"})["data"]
    entries = LedgerEntry.objects.count()
    response = client.post(
        INVALIDATE, {**data, "public_reason": "spam", "cancel": "1"}, follow=True
    )
    assert "nothing was changed" in response.content.decode()
    assert LedgerEntry.objects.count() == entries
    assert Statement.objects.filter(status=Status.ACCEPTED).count() == 5


@pytest.mark.django_db
def test_confirm_writes_one_revoke_per_counted_statement(counted: dict[str, Any]) -> None:
    client = _client(counted["mod"])
    data = _preview(client, {"channel": "phone"})["data"]
    missing = client.post(INVALIDATE, {**data, "confirm": "1"})
    assert missing.status_code == 400  # a public reason is required
    unknown = client.post(INVALIDATE, {**data, "public_reason": "whim", "confirm": "1"})
    assert unknown.status_code == 400
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVOKE).exists()
    done = client.post(INVALIDATE, {**data, "public_reason": "spam", "confirm": "1"}, follow=True)
    assert "3 statements are decided in the background" in done.content.decode()
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVOKE).exists()  # the job does it
    office_jobs_run_all(chunk=2)
    phone = [s.pk for s in counted["phone"]]
    revokes = LedgerEntry.objects.filter(kind=EntryKind.REVOKE)
    assert sorted(revokes.values_list("statement", flat=True)) == phone
    assert set(revokes.values_list("reason", flat=True)) == {"spam"}
    assert Statement.objects.filter(status=Status.ACCEPTED).count() == 2
    _verify()


@pytest.mark.django_db
def test_a_stale_preview_is_previewed_again(counted: dict[str, Any]) -> None:
    client = _client(counted["mod"])
    data = _preview(client, {"channel": "phone"})["data"]
    extra = _receive(channel="phone", source="office", name="丙", text="本人丙声明退出中共。")
    statement_accept(statement=extra, by=counted["mod"], via="test")
    response = client.post(INVALIDATE, {**data, "public_reason": "spam", "confirm": "1"})
    assert response.status_code == 200
    assert "The selection changed since the preview" in response.content.decode()
    assert response.context["size"].statements == 4
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVOKE).exists()
    # the same counts over other statements are stale too
    data = _preview(client, {"channel": "phone"})["data"]
    statement_accept(
        statement=_receive(channel="phone", source="office", name="丁", text="本人丁声明。"),
        by=counted["mod"], via="test",
    )  # fmt: skip
    bulk_invalidate(numbers=[extra.pk], reason="other", by=counted["mod"])
    response = client.post(INVALIDATE, {**data, "public_reason": "spam", "confirm": "1"})
    assert "The selection changed since the preview" in response.content.decode()
    assert LedgerEntry.objects.filter(kind=EntryKind.REVOKE).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"received_from": "yesterday-ish"}, "Enter a valid date/time."),
        ({"received_from": "2024-02-30 10:00"}, "Enter a valid date/time."),
        (
            {"received_from": "2024-03-02 10:00", "received_to": "2024-03-01 10:00"},
            "must come after",
        ),
        ({"reason": "vibes"}, "Select a valid choice."),
        ({"volunteer": "abc"}, "Select a valid choice."),
        ({"volunteer": "99999999"}, "Select a valid choice."),
        ({"channel": "pigeon"}, "Select a valid choice."),
    ],
)
def test_malformed_selections_are_a_form_error(
    counted: dict[str, Any], query: dict[str, str], message: str
) -> None:
    response = _client(counted["mod"]).get(INVALIDATE, query)
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.django_db
def test_an_empty_selection_is_refused(counted: dict[str, Any]) -> None:
    client = _client(counted["mod"])
    response = client.post(INVALIDATE, {"statements": "5", "persons": "8", "digest": "0" * 64,
                                        "public_reason": "spam", "confirm": "1"})  # fmt: skip
    assert response.status_code == 400
    assert "Choose at least one criterion." in response.content.decode()
    assert Statement.objects.filter(status=Status.ACCEPTED).count() == 5


# --- tally verify holds after any sequence (hypothesis) ------------------------------------------

operations = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), st.sampled_from(["web", "phone"]), st.integers(1, 30)),
        st.tuples(st.just("edit"), st.integers(0, 30), st.integers(1, 30)),
        st.tuples(st.just("screen")),
        st.tuples(
            st.just("queue"),
            st.booleans(),
            st.sampled_from([0, 1]),
            st.lists(st.integers(0, 30), max_size=4),
        ),
        st.tuples(st.just("invalidate"), st.sampled_from(["web", "phone"])),
        st.tuples(st.just("integrate")),
        # the same decisions as background jobs, left half done for a while
        st.tuples(
            st.just("invalidate_job"),
            st.sampled_from(["web", "phone"]),
            st.integers(1, 4),
            st.integers(0, 3),
        ),
        st.tuples(
            st.just("queue_job"),
            st.booleans(),
            st.sampled_from([0, 1]),
            st.lists(st.integers(0, 30), max_size=6),
            st.integers(1, 3),
            st.integers(0, 2),
        ),
        st.tuples(st.just("run_jobs"), st.integers(1, 5)),
    ),
    max_size=25,
)


def _steps(job: int, *, chunk: int, steps: int) -> None:
    for _ in range(steps):
        office_job_step(job_id=job, chunk=chunk)


class TallyHoldsThroughTheWorkbench(TestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(operations)
    def test_tally_verify_holds_after_any_sequence(self, ops: list[tuple[Any, ...]]) -> None:
        IntegrationState.objects.get_or_create(pk=1)
        users = [_user("editor", MODERATOR), _user("second", MODERATOR)]
        made: list[int] = []
        for op in ops:
            if op[0] == "receive":
                made.append(
                    _receive(channel=op[1], name=f"人{len(made)}", headcount=op[2],
                             text=f"本人{len(made)}号声明退出中共。",
                             received_at=EARLIER + dt.timedelta(minutes=len(made))).pk
                )  # fmt: skip
            elif op[0] == "screen":
                screen_all(delay=0)
            elif op[0] == "integrate":
                _verify()
            elif op[0] == "invalidate":
                chosen = selection_numbers(Selection(channel=op[1]))
                bulk_invalidate(numbers=chosen, reason="spam", by=users[1])
            elif op[0] == "invalidate_job":  # as the page confirms it: a job, run a while
                chosen = selection_numbers(Selection(channel=op[1]))
                job = office_job_create(
                    kind=JobKind.REVOKE, numbers=chosen, by=users[1], reason="spam"
                )
                _steps(job.pk, chunk=op[2], steps=op[3])
            elif op[0] == "run_jobs":
                office_jobs_run_all(chunk=op[1])
            elif made and op[0] == "edit":
                s = Statement.objects.get(pk=made[op[1] % len(made)])
                with contextlib.suppress(TransitionError):  # decided: frozen
                    statement_edit(statement=s, by=users[0], changes={"headcount": op[2]}, via="t")
            elif made and op[0] == "queue":
                numbers = [made[i % len(made)] for i in op[3]]
                queue_decide(numbers=numbers, accept=op[1], reason="spam", by=users[op[2]])
            elif made and op[0] == "queue_job":
                numbers = [made[i % len(made)] for i in op[3]]
                job = office_job_create(
                    kind=JobKind.ACCEPT if op[1] else JobKind.REJECT, numbers=numbers,
                    by=users[op[2]], reason="" if op[1] else "spam",
                )  # fmt: skip
                _steps(job.pk, chunk=op[4], steps=op[5])
        office_jobs_run_all(chunk=3)
        screen_all(delay=0)
        _verify()
        for s in Statement.objects.filter(status=Status.ACCEPTED):
            adds = s.entries.filter(kind="add").count()
            assert adds - s.entries.filter(kind="revoke").count() == 1
