"""The back office in Chinese: no English left on its pages, places and sectors by name in the
viewer's language, every time in the reporting zone and saying so, and the place field a plain
select that works without JavaScript.

The pages are rendered through the test client as staff see them (an administrator, and a
moderator who may only view statements), over data built through the real actions: held,
counted, duplicate and staff-edited statements, an alert, loops (one failing) and a job.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from santui.backoffice.jobs import office_job_create
from santui.backoffice.labels import place_name, sector_name
from santui.backoffice.models import JobKind
from santui.backoffice.roles import INTAKE_VOLUNTEER, MODERATOR, ensure_roles
from santui.intake.models import Quarantine
from santui.screening.models import Alert, Screening
from santui.screening.review import reporting_today, review_draw
from santui.screening.run import screen_all
from santui.statements.actions import statement_edit, statement_receive
from santui.statements.models import LedgerEntry, Statement, Status, StatusChange
from santui.tally.loops import Round, loop_record
from santui.tally.models import LoopState
from tests.backoffice.test_mail_office import ingest
from tests.backoffice.visible_text import english_words, visible_texts
from tests.factories import AcceptedStatementFactory
from tests.intake.mailmaker import JPEG, with_attachments

pytestmark = pytest.mark.django_db

LANGUAGES = ("zh-hans", "zh-hant")
# 2024-05-01 02:00 UTC is 10:00 in Asia/Shanghai, the reporting zone of the tests
RECEIVED = dt.datetime(2024, 5, 1, 2, 0, tzinfo=dt.UTC)
ADD = "/office/statements/statement/add/"


def _receive(**overrides: Any) -> Statement:
    values: dict[str, Any] = {
        "channel": "phone", "organizations": ["party", "league"], "name_kind": "alias",
        "name": "自由人", "text": "我声明退出中共的党、团组织。辽宁沈阳 自由人", "headcount": 1,
        "region": "210100", "sector": "police", "source": "office", "via": "back office",
        "received_at": RECEIVED,
    }  # fmt: skip
    return statement_receive(**(values | overrides)).statement


@pytest.fixture
def office(tmp_path: Path) -> dict[str, Any]:
    """An administrator (every page) and a moderator (statements only viewed), with a bit of
    everything the office shows."""
    groups = ensure_roles()
    admin = User.objects.create_superuser("管理员甲", password="x" * 16)
    admin.groups.set([groups["administrator"]])
    moderator = User.objects.create_user("审核员乙", password="x" * 16, is_staff=True)
    moderator.groups.set([groups[MODERATOR]])
    volunteer = User.objects.create_user("志愿者丁", password="x" * 16, is_staff=True)
    volunteer.groups.set([groups[INTAKE_VOLUNTEER]])
    held = _receive(headcount=300, name="", name_kind="anonymous", text="我退出中共。")
    first = _receive(name="王五", text="我声明退出中共的党、团、队组织。王五")
    _receive(name="王五", text="我声明退出中共的党、团、队组织。王五", channel="email")
    county = _receive(region="210102", text="", name="", name_kind="anonymous")  # 和平区
    counted = AcceptedStatementFactory(region="US", sector="student", received_at=RECEIVED)
    for name in ("王伟", "李娜"):  # counted by the rules: drawn for the blind review
        _receive(name=name, name_kind="real", text=f"我声明退出中共的党、团组织。本人{name}。")
    statement_edit(statement=county, by=admin, changes={"region": "310000"}, via="back office")
    screen_all(delay=0)
    Alert.objects.create(
        kind="channel_surge", subject="web", window_start=RECEIVED, count=120, expected=2.5
    )
    Alert.objects.create(
        kind="volunteer_surge", subject=f"volunteer #{admin.pk}", window_start=RECEIVED,
        count=80, expected=1.0,
    )  # fmt: skip
    loop_record(name="integrator", result=Round(done=3, backlog=2, oldest_waiting_at=RECEIVED))
    loop_record(name="screener", result=None, error=TimeoutError("lost"))
    job = office_job_create(kind=JobKind.ACCEPT, numbers=[held.pk], by=admin, persons=300)
    review_draw(day=reporting_today(), now=timezone.now() + dt.timedelta(days=1, minutes=11))
    raw = with_attachments(
        "你好，我想了解一下。李秀兰", [("声明.jpg", "image/jpeg", JPEG)], message_id="<q@x>"
    )
    ingest(tmp_path, "q.eml", raw)
    clusters = Screening.objects.exclude(cluster="").values_list("cluster", flat=True)
    return {
        "admin": admin, "moderator": moderator, "volunteer": volunteer, "held": held,
        "first": first, "county": county, "counted": counted, "job": job,
        "clusters": sorted(set(clusters)), "quarantine": Quarantine.objects.get(),
    }  # fmt: skip


def _client(user: User, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _admin_pages(office: dict[str, Any]) -> list[str]:
    held, counted = office["held"].pk, office["counted"].pk
    pages = [
        "/office/",
        "/office/queue/",
        "/office/queue/reason/headcount_unsupported/",
        f"/office/statements/statement/{held}/change/",
        f"/office/statements/statement/{counted}/change/",  # counted: frozen, read-only
        f"/office/statements/statement/{office['county'].pk}/change/",
        ADD,
        "/office/statements/statement/",
        "/office/statements/statement/?status__exact=held",
        "/office/statements/statuschange/",
        "/office/statements/ledgerentry/",
        "/office/screening/alert/",
        "/office/tally/loopstate/",
        "/office/intake/quarantine/",
        "/office/auth/user/",
        f"/office/auth/user/{office['admin'].pk}/change/",
        "/office/auth/group/",
        "/office/statements/",
        "/office/jobs/",
        f"/office/jobs/{office['job'].pk}/",
        "/office/invalidate/",
        "/office/invalidate/?channel=phone",
        "/office/review/",
        f"/office/intake/quarantine/{office['quarantine'].pk}/change/",
        f"{ADD}?quarantine={office['quarantine'].pk}",
        # each read-only record's own page
        f"/office/statements/statuschange/{StatusChange.objects.order_by('pk').last().pk}/change/",
        f"/office/statements/ledgerentry/{LedgerEntry.objects.order_by('pk').last().pk}/change/",
        f"/office/screening/alert/{Alert.objects.order_by('pk').last().pk}/change/",
        f"/office/tally/loopstate/{LoopState.objects.get(name='screener').pk}/change/",
        f"/office/auth/group/{Group.objects.get(name=MODERATOR).pk}/change/",
        f"/office/statements/statement/{held}/history/",
    ]
    return pages + [f"/office/queue/cluster/{c}/" for c in office["clusters"]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_is_left_on_the_office_pages(office: dict[str, Any], language: str) -> None:
    client = _client(office["admin"], language)
    left = {}
    pages = _admin_pages(office)
    assert any("/queue/cluster/dup:" in p for p in pages)  # a duplicate set is among them
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}"' in html, url
        if url == "/office/review/":  # a drawn statement, not the empty page
            assert 'id="review-fields"' in html
        words = english_words(html)
        if words:
            left[url] = words
    # an action's own page: rejecting the ticked statements asks for the reason
    response = client.post(
        "/office/statements/statement/",
        {"action": "reject_selected", "_selected_action": [str(office["held"].pk)]},
    )
    assert response.status_code == 200
    left["reject"] = english_words(response.content.decode())
    assert {url: words for url, words in left.items() if words} == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_moderator_viewing_a_statement_sees_no_english(
    office: dict[str, Any], language: str
) -> None:
    """Only viewed (no change permission): every field read-only, by name ("Names: None" was
    the list of names' empty box, shown as English)."""
    client = _client(office["moderator"], language)
    for statement in ("held", "first", "counted", "county"):
        url = f"/office/statements/statement/{office[statement].pk}/change/"
        response = client.get(url)
        assert response.status_code == 200, url
        assert english_words(response.content.decode()) == [], url


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ["moderator", "volunteer"])
def test_each_roles_pages_have_no_english(office: dict[str, Any], role: str, language: str) -> None:
    """What each role sees of the office: its home page (the parts it may see), the lists, an
    editable statement (the volunteer) and the add form."""
    client = _client(office[role], language)
    pages = ["/office/", "/office/statements/statement/", ADD]
    pages += ["/office/queue/", "/office/screening/alert/"] if role == "moderator" else []
    pages.append(f"/office/statements/statement/{office['county'].pk}/change/")
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 403), url
        assert english_words(response.content.decode()) == [], url


def test_the_check_finds_english_where_there_is_some(office: dict[str, Any]) -> None:
    """The same pages in English are full of words the check finds, and a single untranslated
    word in a Chinese page is found wherever it is shown."""
    html = _client(office["admin"], "en").get("/office/").content.decode()
    assert len(english_words(html)) > 20
    assert english_words("<p>已暂留 From quarantine</p>") == ["已暂留 From quarantine"]
    assert english_words('<img alt="Search">') == ["Search"]
    assert english_words('<input type="submit" value="Save">') == ["Save"]
    assert english_words('<select><optgroup label="Liaoning"></optgroup></select>') != []
    assert english_words('<input type="hidden" value="accept">') == []  # not shown
    assert english_words("<script>var x = 1;</script><code>TimeoutError</code>") == []
    assert english_words("<p>2024-05-01 10:00 (Asia/Shanghai)</p>") == []
    assert english_words('<button lang="en">English</button><p lang="en">Hello</p>') == []
    assert english_words('<html lang="en"><p>Hello</p></html>') == ["Hello"]


@pytest.mark.parametrize(
    ("language", "place", "country"),
    [
        ("zh-hans", "辽宁省 沈阳市", "美国"),
        ("zh-hant", "遼寧省 瀋陽市", "美國"),
        ("en", "Shenyang, Liaoning", "United States"),
    ],
)
def test_regions_and_sectors_are_named_in_the_viewers_language(
    office: dict[str, Any], language: str, place: str, country: str
) -> None:
    client = _client(office["admin"], language)
    listing = client.get("/office/statements/statement/").content.decode()
    texts = visible_texts(listing)
    assert place in texts and country in texts, texts
    assert "210100" not in texts and "US" not in texts
    with translation.override(language):
        police, student = sector_name("police"), sector_name("student")
    assert police in texts and student in texts
    assert "police" not in texts and "student" not in texts
    queue = client.get("/office/queue/").content.decode()
    assert f'<span class="region">{place}</span>' in queue
    assert f'<span class="sector">{police}</span>' in queue
    assert "210100" not in " ".join(visible_texts(queue))
    # the audit trail's diff: the edited place by name
    trail = " ".join(visible_texts(client.get("/office/statements/statuschange/").content.decode()))
    assert "310000" not in trail and "210102" not in trail
    with translation.override(language):
        assert f"{place_name('210102')} → {place_name('310000')}" in trail


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_time_is_in_the_reporting_zone_and_says_so(
    office: dict[str, Any], language: str
) -> None:
    client = _client(office["admin"], language)
    listing = client.get("/office/statements/statement/").content.decode()
    texts = visible_texts(listing)
    assert "2024-05-01 10:00" in texts  # 02:00 UTC
    assert not any("2024-05-01 02:00" in t for t in texts)
    assert any(t.endswith("(Asia/Shanghai)") for t in texts)
    alerts = visible_texts(client.get("/office/screening/alert/").content.decode())
    assert "2024-05-01 10:00" in alerts
    assert sum("(Asia/Shanghai)" in t for t in alerts) >= 2  # raised at, window from
    loops = visible_texts(client.get("/office/tally/loopstate/").content.decode())
    assert "2024-05-01 10:00:00" in loops  # the oldest waiting
    assert sum("(Asia/Shanghai)" in t for t in loops) >= 3
    held = office["held"].pk
    page = client.get(f"/office/statements/statement/{held}/change/").content.decode()
    # the time to correct, in the zone: 10:00 on 1 May 2024 in the language's date format
    assert re.search(r'value="2024[-/]0?5[-/]0?1"', page)
    assert re.search(r'value="10:00(:00)?"', page)
    assert "Asia/Shanghai" in " ".join(visible_texts(page))


# --- the place field --------------------------------------------------------------------------


def _select(html: str, name: str = "region") -> str:
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>.*?</select>', html, re.S)
    assert match is not None, f"no select named {name}"
    return match.group(0)


@pytest.mark.parametrize(
    ("language", "group", "option"),
    [
        ("zh-hans", "辽宁省", "辽宁省 沈阳市"),
        ("zh-hant", "遼寧省", "遼寧省 瀋陽市"),
        ("en", "Liaoning", "Shenyang, Liaoning"),
    ],
)
def test_places_are_a_select_of_provinces_with_their_cities_then_countries(
    office: dict[str, Any], language: str, group: str, option: str
) -> None:
    html = _client(office["admin"], language).get(ADD).content.decode()
    select = _select(html)
    groups = re.findall(r'<optgroup label="([^"]*)">', select)
    assert groups[0] in ("北京市", "Beijing") and group in groups
    assert len(groups) == 32  # 31 provinces, then other countries and areas
    liaoning = re.search(rf'<optgroup label="{group}">(.*?)</optgroup>', select, re.S)
    assert liaoning is not None
    assert f'<option value="210100">{option}</option>' in liaoning.group(1)
    assert liaoning.group(1).startswith('<option value="210000">')  # the whole province first
    last = select.rsplit("<optgroup", 1)[1]
    assert 'value="US"' in last and 'value="210100"' not in last
    assert 'value="CN"' in select  # the mainland, province unknown
    assert "<script" not in select and "data-place-filter" in select
    assert "backoffice/place-filter.js" in html  # the enhancement: our own static file


def test_a_chosen_place_is_stored_and_a_county_is_kept(office: dict[str, Any]) -> None:
    from tests.backoffice.test_backoffice import record_form

    client = _client(office["admin"], "zh-hans")
    response = client.post(ADD, record_form(region="210100", name="李明"))
    assert response.status_code == 302
    made = Statement.objects.order_by("pk").last()
    assert made is not None and (made.name, made.region) == ("李明", "210100")
    # a statement recorded with a county (by the parser or an import) keeps it on its page
    page = client.get(f"/office/statements/statement/{office['held'].pk}/change/")
    select = _select(page.content.decode())
    assert '<option value="210100" selected>辽宁省 沈阳市</option>' in select
    county = _receive(region="210102", name="", name_kind="anonymous", text="")
    page = client.get(f"/office/statements/statement/{county.pk}/change/")
    select = _select(page.content.decode())
    assert '<option value="210102" selected>辽宁省 沈阳市 和平区</option>' in select
    assert select.count(" selected") == 1


@pytest.mark.parametrize(
    "value",
    [
        "999999",
        "ZZ",
        "<script>alert(1)</script>",
        "2" * 10_000,
        "２１０１００",
        "210100\u200b",
        "\ufffd",
        "21 0100",
    ],
)
def test_a_malformed_place_is_a_form_error_and_stores_nothing(
    office: dict[str, Any], value: str
) -> None:
    from tests.backoffice.test_backoffice import record_form

    before = Statement.objects.count()
    client = _client(office["admin"], "zh-hans")
    response = client.post(ADD, record_form(region=value))
    assert response.status_code == 200
    html = response.content.decode()
    assert "errorlist" in html and "<script>alert(1)" not in html
    assert Statement.objects.count() == before
    select = _select(html)
    assert select.count(" selected") <= 1  # what was sent is not offered back as a place
    assert english_words(html) == []  # the error too is in Chinese


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=30))
def test_any_place_value_is_stored_only_when_it_is_a_known_code(
    office: dict[str, Any], value: str
) -> None:
    from santui.backoffice.forms import StatementForm

    form = StatementForm(
        data={
            "channel": "phone",
            "received_at_0": "2024-05-01",
            "received_at_1": "10:00",
            "text": "",
            "party": "on",
            "headcount": "1",
            "name_kind": "anonymous",
            "region": value,
            "current_party_member": "unknown",
        }
    )
    html = str(form["region"])
    assert html.count(" selected") <= 1
    if form.is_valid():
        region = form.cleaned_data["region"]
        assert region == "" or place_name(region) != region or len(region) == 2


def test_the_held_statement_status_is_named(office: dict[str, Any]) -> None:
    held = Statement.objects.get(pk=office["held"].pk)
    assert held.status == Status.HELD
    trail = _client(office["admin"], "zh-hans").get("/office/statements/statuschange/")
    texts = visible_texts(trail.content.decode())
    assert not {"received", "held", "screening", "back office"} & set(texts)
    assert StatusChange.objects.filter(via="screening").exists()


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_an_edit_through_the_form_shows_in_the_history_in_chinese_and_the_zone(
    office: dict[str, Any], language: str
) -> None:
    from tests.backoffice.test_edits import form_of

    client = _client(office["admin"], language)
    held = Statement.objects.get(pk=office["held"].pk)
    url = f"/office/statements/statement/{held.pk}/change/"
    response = client.post(url, form_of(held, region="440300", party="on", league="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Statement.objects.get(pk=held.pk).region == "440300"
    history = client.get(f"/office/statements/statement/{held.pk}/history/").content.decode()
    texts = visible_texts(history)
    assert english_words(history) == []
    assert any(t.endswith("(Asia/Shanghai)") for t in texts)
    assert any(re.fullmatch(r"20\d\d-\d\d-\d\d \d\d:\d\d:\d\d", t) for t in texts)
    page = client.get(url).content.decode()
    assert english_words(page) == []
    with translation.override(language):
        assert f"{place_name('210100')} → {place_name('440300')}" in " ".join(visible_texts(page))


def test_a_refused_save_says_so_in_chinese(office: dict[str, Any]) -> None:
    """A save the action refuses (staff ticking publication consent for an emailed statement):
    the message is Chinese, the action's own reason shown as a program's words, in <code>."""
    from tests.backoffice.test_backoffice import record_form

    client = _client(office["admin"], "zh-hans")
    before = Statement.objects.count()
    quarantine = office["quarantine"].pk
    data = record_form(channel="email", from_quarantine=str(quarantine), publish="on")
    page = client.post(f"{ADD}?quarantine={quarantine}", data, follow=True).content.decode()
    assert Statement.objects.count() == before
    assert "未保存：<code>only the declarant can consent" in page
    assert english_words(page) == []
