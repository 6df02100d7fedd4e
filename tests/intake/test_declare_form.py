"""The public declaration form (/declare/) and the receipt look-up (/receipt/), through the
Django test client, as a declarant's browser without JavaScript would use them."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from santui.statements.actions import statement_accept, statement_reject
from santui.statements.crypto import keyed_hash
from santui.statements.models import LedgerEntry, Statement, Status, StatusChange
from santui.tally.actions import tally_integrate
from santui.tally.selectors import stats_document

pytestmark = pytest.mark.django_db

CODE_FORMAT = re.compile(r"^[A-Z2-7]{3}(?:-[A-Z2-7]{3}){10}$")  # 32 + a check character
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def valid(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "text": "我声明退出中共的党、团、队组织。",
        "organizations": ["party", "league"],
        "name": "李明",
        "name_kind": "alias",
        "province": "210000",
        "city": "210100",
        "country": "",
        "sector": "police",
        "current_party_member": "yes",
        "headcount": "3",
        "publish": "on",
    }
    for key, value in overrides.items():
        if value is ...:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def declare(client: Client, data: dict[str, Any], **extra: Any) -> Any:
    return client.post("/declare/", data, **{**EN, **extra})


def receipt_code(response: Any) -> str:
    match = re.search(r'id="receipt-code">([^<]*)<', response.content.decode())
    assert match, response.content.decode()
    return match.group(1)


def lookup(client: Client, code: str) -> Any:
    return client.post("/receipt/", {"code": code}, **EN)


def status_shown(response: Any) -> str:
    match = re.search(r'id="receipt-status">([^<]*)<', response.content.decode())
    assert match, response.content.decode()
    return match.group(1)


def errors(response: Any) -> list[str]:
    page = response.content.decode()
    lists = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
    return [html.unescape(m) for block in lists for m in re.findall(r"<li>(.*?)</li>", block)]


# --- the form page -------------------------------------------------------------------------


def test_form_page_renders_without_scripts_or_other_hosts(client: Client) -> None:
    response = client.get("/declare/", **EN)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in page
    assert "<script" not in page.lower()
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", page, re.I)  # no inline event handlers
    urls = re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", page)
    assert [u for u in urls if urlparse(u if ":" in u else "http:" + u).hostname] == []
    for field in ("text", "organizations", "name", "name_kind", "province", "city", "country",
                  "sector", "current_party_member", "headcount", "publish"):  # fmt: skip
        assert f'name="{field}"' in page
    assert 'value="HK"' in page and 'value="TW"' in page and 'value="MO"' in page
    assert 'value="CN"' not in page  # the mainland is chosen by province, not as a country


@pytest.mark.parametrize(
    ("accept_language", "lang"),
    [("zh-hant", "zh-Hant"), ("zh-TW,zh;q=0.9", "zh-Hant"), ("en", "en"), ("en-GB", "en"),
     ("zh-CN", "zh-Hans"), ("", "zh-Hans")],
)  # fmt: skip
def test_language_follows_accept_language(client: Client, accept_language: str, lang: str) -> None:
    response = client.get("/declare/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert re.search(rf'<html lang="{lang}"', response.content.decode())


@pytest.mark.parametrize("url", ["/declare/", "/receipt/"])
def test_security_headers(client: Client, url: str) -> None:
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src" not in csp  # falls back to default-src 'none': no script at all
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Either way no URL (which may say what a declarant looked at) goes to another site.
    assert response.headers["Referrer-Policy"] in {"no-referrer", "same-origin"}
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "no-store" in response.headers["Cache-Control"]


# --- a valid declaration -------------------------------------------------------------------


def test_valid_post_stores_one_received_statement_and_shows_its_code_once(client: Client) -> None:
    before = timezone.now()
    response = declare(client, valid())
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    code = receipt_code(response)
    assert CODE_FORMAT.match(code)
    assert response.content.decode().count(code) == 1

    s = Statement.objects.get()
    assert (s.status, s.channel, s.source) == (Status.RECEIVED, "web", "web")
    assert s.text == "我声明退出中共的党、团、队组织。"
    assert s.organizations == ["party", "league"]
    assert (s.name, s.name_kind, s.region, s.sector) == ("李明", "alias", "210100", "police")
    assert (s.current_party_member, s.headcount, s.publish) == (True, 3, True)
    assert s.external_id is None
    assert before <= s.received_at <= timezone.now()
    assert list(s.changes.values_list("from_status", "to_status", "via")) == [
        ("", "received", "public form"),
    ]  # fmt: skip
    assert not LedgerEntry.objects.exists()  # received is not counted

    compact = code.replace("-", "")[:32]  # the secret, without its check character
    assert s.receipt_hash == keyed_hash("receipt", compact.encode("ascii"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM statements_statement")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM statements_statuschange")
        rows += cursor.fetchall()
    for row in rows:
        for value in row:
            shown = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
            assert code.encode() not in shown
            assert compact.encode() not in shown
            assert compact.lower().encode() not in shown


@pytest.mark.parametrize(
    ("overrides", "region"),
    [
        ({"city": ""}, "210000"),
        ({"province": "", "city": "210100"}, "210100"),  # the city implies its province
        ({"province": "", "city": "", "country": "HK"}, "HK"),
        ({"province": "", "city": "", "country": "TW"}, "TW"),
        ({"province": "", "city": "", "country": "US"}, "US"),
    ],
)
def test_place_is_a_province_a_city_or_a_country(
    client: Client, overrides: dict[str, str], region: str
) -> None:
    response = declare(client, valid(**overrides))
    assert response.status_code == 200, errors(response)
    assert Statement.objects.get().region == region


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"province": "", "city": "", "country": ""}, id="no place"),
        pytest.param({"province": ..., "city": ..., "country": ...}, id="no place fields"),
        pytest.param(
            {"province": "", "city": "", "country": "", "place_unsaid": "on"},
            id="prefer not to say",
        ),
    ],
)
def test_a_statement_without_a_place_is_taken_and_counted_as_unknown(
    client: Client, overrides: dict[str, Any]
) -> None:
    """Place is optional (issue 16): nothing, or "I prefer not to say", is an unknown region,
    counted under it in the exact figures (staff) like any other key."""
    response = declare(client, valid(**overrides))
    assert response.status_code == 200, errors(response)
    statement = Statement.objects.get()
    assert statement.region == ""
    statement_accept(statement=statement, by=None, via="test")
    tally_integrate()
    doc = stats_document(public=False)
    assert [(r["code"], r["name"], r["persons"]) for r in doc["regions"]] == [
        (None, "unknown / not said", 3)
    ]
    assert (doc["regions"][0]["name_zh"], doc["regions"][0]["name_zh_hant"]) == (
        "不详／未说明", "不詳／未說明",
    )  # fmt: skip


def test_the_form_says_the_place_is_optional(client: Client) -> None:
    page = client.get("/declare/", **EN).content.decode()
    assert "Where are you from? (optional)" in page
    assert 'name="place_unsaid"' in page
    assert "I prefer not to say" in page
    # the declarant chooses who sends it; "for myself" is preselected
    assert re.search(r'<input[^>]*name="declarant"[^>]*value="self"[^>]*checked', page), page


@pytest.mark.parametrize("declarant", ["self", "family", "volunteer", "deceased"])
def test_who_declares_is_stored_from_the_form(client: Client, declarant: str) -> None:
    response = declare(client, valid(declarant=declarant))
    assert response.status_code == 200, errors(response)
    assert Statement.objects.get().declarant == declarant


def test_who_declares_defaults_to_self(client: Client) -> None:
    response = declare(client, valid(declarant=...))  # an old page without the field
    assert response.status_code == 200, errors(response)
    assert Statement.objects.get().declarant == "self"


def test_optional_answers_may_be_left_out(client: Client) -> None:
    data = valid(sector="", publish=..., current_party_member="unknown", name="", city="")
    response = declare(client, data)
    assert response.status_code == 200, errors(response)
    s = Statement.objects.get()
    assert (s.sector, s.publish, s.current_party_member) == ("", False, None)
    assert (s.name, s.name_kind) == ("", "anonymous")  # no name given: counted as no name


def test_current_party_member_no_is_false(client: Client) -> None:
    declare(client, valid(current_party_member="no"))
    assert Statement.objects.get().current_party_member is False


def test_anonymous_name_kind_drops_the_name(client: Client) -> None:
    response = declare(client, valid(name="张三真名", name_kind="anonymous"))
    assert response.status_code == 200
    s = Statement.objects.get()
    assert (s.name, s.name_kind) == ("", "anonymous")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM statements_statement")
        assert cursor.fetchone() == (None,)


def test_name_is_encrypted_at_rest(client: Client) -> None:
    declare(client, valid(name="王秘密", name_kind="real"))
    assert Statement.objects.get().name == "王秘密"
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM statements_statement")
        (stored,) = cursor.fetchone()
    assert "王秘密".encode() not in bytes(stored)


# --- the receipt look-up -------------------------------------------------------------------


def test_code_looks_up_the_status_in_any_spelling(client: Client) -> None:
    code = receipt_code(declare(client, valid()))
    compact = code.replace("-", "")
    spellings = [
        code,
        code.lower(),
        compact,
        " ".join(code.split("-")),
        f"  {code}\n",
        " ".join(compact[i : i + 2] for i in range(0, 32, 2)).lower(),
    ]
    for spelling in spellings:
        response = lookup(client, spelling)
        assert response.status_code == 200, spelling
        assert status_shown(response) == "received, awaiting screening"
        assert "no-store" in response.headers["Cache-Control"]


def test_lookup_follows_the_statement_through_acceptance_and_rejection(client: Client) -> None:
    code = receipt_code(declare(client, valid()))
    s = statement_accept(statement=Statement.objects.get(), by=None, via="test")
    response = lookup(client, code)
    assert status_shown(response) == "accepted and counted"
    day = s.received_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    assert f'id="receipt-day">{day}<' in response.content.decode()
    statement_reject(statement=s, by=None, reason="duplicate", via="test")
    response = lookup(client, code)
    assert status_shown(response) == "rejected"
    assert "duplicate" in response.content.decode()


def test_receipt_page_get_shows_the_form(client: Client) -> None:
    response = client.get("/receipt/", **EN)
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()
    assert 'method="post"' in response.content.decode()


@pytest.mark.parametrize(
    "code",
    [
        "ABCD",  # too short
        "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567-Q",  # too long
        "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4599",  # 9 is not in the alphabet
        "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-45@!",
        "ÄBCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567",
        "X" * 10_000,
        "",
        "<script>alert(1)</script>",
    ],
)
def test_malformed_code_is_a_400_with_an_error(client: Client, code: str) -> None:
    response = lookup(client, code)
    assert response.status_code == 400
    assert errors(response)
    assert 'id="receipt-status"' not in response.content.decode()
    assert "<script>alert(1)" not in response.content.decode()


def test_unknown_well_formed_code_is_a_404_saying_not_found(client: Client) -> None:
    declare(client, valid())  # some other statement exists
    response = lookup(client, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-2345")
    assert response.status_code == 404
    assert "No statement has this receipt code" in response.content.decode()
    assert 'id="receipt-status"' not in response.content.decode()


# --- malformed posts -----------------------------------------------------------------------

BAD_POSTS: list[tuple[str, dict[str, Any]]] = [
    ("no organizations", valid(organizations=...)),
    ("empty organizations", valid(organizations=[])),
    ("unknown organization", valid(organizations=["party", "army"])),
    ("text too long", valid(text="退" * 5001)),
    ("empty text", valid(text="")),
    ("blank text", valid(text="   \n ")),
    ("no text", valid(text=...)),
    ("headcount 0", valid(headcount="0")),
    ("headcount -5", valid(headcount="-5")),
    ("headcount 10**9", valid(headcount=str(10**9))),
    ("headcount abc", valid(headcount="abc")),
    ("headcount 1.5", valid(headcount="1.5")),
    ("no headcount", valid(headcount=...)),
    ("city in another province", valid(province="110000", city="210100")),
    ("unknown city", valid(city="219900")),
    ("unknown province", valid(province="990000", city="")),
    ("province and country", valid(city="", country="US")),
    ("city and country", valid(province="", country="HK")),
    ("place and prefer not to say", valid(place_unsaid="on")),
    ("country and prefer not to say", valid(province="", city="", country="US", place_unsaid="on")),
    ("invalid declarant", valid(declarant="neighbour")),
    ("declarant in capitals", valid(declarant="FAMILY")),
    ("declarant too long", valid(declarant="self" * 5000)),
    ("country CN", valid(province="", city="", country="CN")),
    ("unknown country", valid(province="", city="", country="XX")),
    ("NUL in text", valid(text="我退出\x00党")),
    ("escape in text", valid(text="red \x1b[31m")),
    ("NUL in name", valid(name="李\x00明")),
    ("invalid sector", valid(sector="astronaut")),
    ("invalid name kind", valid(name_kind="pseudonym")),
    ("no name kind", valid(name_kind=...)),
    ("invalid party member answer", valid(current_party_member="maybe")),
    ("name too long", valid(name="名" * 201)),
]


@pytest.mark.parametrize("data", [pytest.param(d, id=i) for i, d in BAD_POSTS])
def test_malformed_post_is_a_400_with_an_error_and_stores_nothing(
    client: Client, data: dict[str, Any]
) -> None:
    response = declare(client, data)
    assert response.status_code == 400
    assert errors(response), response.content.decode()
    assert 'id="receipt-code"' not in response.content.decode()
    assert not Statement.objects.exists()
    assert not StatusChange.objects.exists()


def test_errors_name_the_problem(client: Client) -> None:
    assert "Choose at least one organization." in errors(declare(client, valid(organizations=[])))
    assert "This city is not in the chosen province." in errors(
        declare(client, valid(province="110000", city="210100"))
    )
    assert "The text contains control characters." in errors(declare(client, valid(text="a\x07b")))
    unsaid = declare(client, valid(place_unsaid="on"))
    assert any("I prefer not to say" in e and "keep one" in e for e in errors(unsaid))
    both = declare(client, valid(city="", country="US"))
    assert any("not both" in e for e in errors(both))


def test_form_keeps_what_was_typed_when_it_shows_errors(client: Client) -> None:
    response = declare(client, valid(organizations=[], text="我的声明文字"))
    assert "我的声明文字" in response.content.decode()


def test_oversized_and_garbage_bodies_do_not_crash(client: Client) -> None:
    response = client.post(
        "/declare/",
        data=b"\xff\xfe\x00garbage=%%%",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    response = client.post("/declare/", valid(text="x" * 3_000_000))  # over 2.5 MB of form data
    assert response.status_code == 400
    response = client.post("/declare/", data="{}", content_type="application/json")
    assert response.status_code == 400
    assert not Statement.objects.exists()


def test_other_methods_are_refused(client: Client) -> None:
    assert client.put("/declare/").status_code == 405
    assert client.delete("/receipt/").status_code == 405


# --- CSRF ----------------------------------------------------------------------------------


def test_post_without_csrf_token_is_refused_and_stores_nothing() -> None:
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/declare/", valid(), **EN)
    assert response.status_code == 403
    assert not Statement.objects.exists()
    assert browser.post("/receipt/", {"code": "A" * 32}).status_code == 403


def test_post_with_the_token_from_the_form_is_accepted() -> None:
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/declare/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    response = browser.post("/declare/", {**valid(), "csrfmiddlewaretoken": token.group(1)}, **EN)
    assert response.status_code == 200
    assert Statement.objects.count() == 1


# --- hostile text --------------------------------------------------------------------------


def test_hostile_text_is_stored_verbatim(client: Client) -> None:
    text = "<script>alert(1)</script> '; DROP TABLE statements_statement; -- \u202e 🙏"
    response = declare(client, valid(text=text, name="<b>x</b>"))
    assert response.status_code == 200
    s = Statement.objects.get()
    assert (s.text, s.name) == (text, "<b>x</b>")


def test_hostile_text_is_escaped_when_the_form_is_shown_again(client: Client) -> None:
    response = declare(
        client,
        valid(
            text="<script>alert(1)</script>",
            name='"><img src=x onerror=alert(1)>',
            organizations=[],
        ),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "<script" not in page.lower()


# --- what the parser read (issue 3) --------------------------------------------------------


def test_the_parser_reading_is_stored_with_the_form_answers_winning(client: Client) -> None:
    text = "我是大学生，我和妻子声明退出共青团。化名：小溪 湖北武汉"
    response = declare(
        client,
        valid(text=text, organizations=["league"], sector="", headcount="2", name="小溪"),
    )
    assert response.status_code == 200
    s = Statement.objects.get()
    suggested = s.suggested
    assert isinstance(suggested, dict)
    assert suggested["organizations"] == ["league"]
    assert suggested["confidence"]["organizations"] == 1.0  # given on the form
    assert suggested["headcount"] == 2
    assert suggested["sector"] == "student"  # not given on the form: read in the text
    assert suggested["region"]["prefecture"] == "210100"  # the form's city wins over 武汉
    assert "name" not in suggested and suggested["name_kind"] == "alias"  # no name in clear
    assert suggested["current_party_member"] is True


@pytest.mark.django_db
def test_the_parser_suggestion_never_keeps_the_name_in_clear(client: Client) -> None:
    from santui.statements.models import Statement

    text = "我声明三退。化名：王秘密"
    response = declare(client, valid(text=text, name="王秘密", name_kind="alias"))
    assert response.status_code == 200
    statement = Statement.objects.get()
    assert statement.suggested is not None and "organizations" in statement.suggested
    assert "name" not in statement.suggested
    assert "王秘密" not in json.dumps(statement.suggested, ensure_ascii=False)
