"""The door of the public form and the receipt look-up (santui.intake.door): nobody is refused
for a counter shared with strangers. Over the connection's rate, or while the screener has
raised a flood flag for the web channel, the form asks for a small sum drawn in an image; a
right answer lets the statement in, anything else shows the form again with all that was typed.

The expected answer is read from CaptchaStore by the key in the page: the server's own record.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from captcha.models import CaptchaStore
from django.db.models import QuerySet
from django.test import Client
from django.utils import timezone

from santui.intake import door
from santui.screening.flags import flood_clear, flood_raise
from santui.statements.models import Statement

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
TEXT = "我声明退出中共的党、团、队组织。<b>不要丢失</b>"
NAME = "自由之光"
KEY_FIELD = re.compile(r'name="challenge_0" value="([0-9a-f]{40})"')
ANSWER_FIELD = re.compile(r'<input type="text" name="challenge_1"[^>]*>')

NEW = "Please work out the sum in the picture, then send again. Nothing you typed is lost."
REQUIRED = "Write the result of the sum in the picture."
DIGITS = "Write the result in digits, for example 12."
WRONG = "That result was not right. Here is a new sum; everything else you typed is kept."
GONE = (
    "That sum has expired or was already used. Here is a new one; everything else you typed is "
    "kept."
)


def valid(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "text": TEXT,
        "organizations": ["party", "league"],
        "name": NAME,
        "name_kind": "alias",
        "province": "210000",
        "city": "210100",
        "country": "",
        "sector": "",
        "current_party_member": "unknown",
        "headcount": "1",
    }
    data.update(overrides)
    return data


def page(response: Any) -> str:
    return str(response.content.decode())


def challenge_key(response: Any) -> str | None:
    match = KEY_FIELD.search(page(response))
    return match.group(1) if match else None


def answer_to(key: str) -> str:
    """The server's record of the challenge: what a person reads in the image."""
    return str(CaptchaStore.objects.get(hashkey=key).response)


def errors(response: Any) -> list[str]:
    lists = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page(response), re.S)
    return [html.unescape(m) for block in lists for m in re.findall(r"<li>(.*?)</li>", block)]


def keeps_what_was_typed(response: Any) -> bool:
    text = page(response)
    return html.escape(TEXT) in text and f'value="{NAME}"' in text


def with_answer(data: dict[str, Any], key: str | None, answer: str | None) -> dict[str, Any]:
    out = dict(data)
    if key is not None:
        out["challenge_0"] = key
    if answer is not None:
        out["challenge_1"] = answer
    return out


@pytest.fixture
def rate_limited(settings: Any) -> Any:
    settings.RATELIMIT_ENABLE = True
    settings.SANTUI_DECLARE_RATE = "2/h"
    settings.SANTUI_RECEIPT_RATE = "2/h"
    return settings


# --- most people never see it --------------------------------------------------------------


def test_no_challenge_without_an_over_rate_counter_or_a_flood(
    client: Client, settings: Any
) -> None:
    settings.RATELIMIT_ENABLE = True  # on, with the default rate
    form = client.get("/declare/", **EN)
    assert form.status_code == 200
    assert "challenge" not in page(form)
    sent = client.post("/declare/", valid(), **EN)
    assert sent.status_code == 200
    assert 'id="receipt-code"' in page(sent)
    assert Statement.objects.count() == 1
    assert "challenge" not in page(client.get("/receipt/", **EN))
    assert CaptchaStore.objects.count() == 0, "no challenge was even made"


# --- over the connection's rate ------------------------------------------------------------


def test_over_the_rate_the_form_asks_for_the_sum_instead_of_refusing(
    client: Client, rate_limited: Any
) -> None:
    for _ in range(2):
        assert client.post("/declare/", valid(), **EN).status_code == 200
    over = client.post("/declare/", valid(), **EN)
    assert over.status_code == 400  # the form again, not a 429: nobody is refused
    assert NEW in errors(over)
    assert keeps_what_was_typed(over)
    assert Statement.objects.count() == 2
    key = challenge_key(over)
    assert key is not None
    assert f'src="/captcha/image/{key}/"' in page(over)

    # The next form this connection opens shows the sum at once (a GET only looks).
    again = client.get("/declare/", **EN)
    assert again.status_code == 200
    assert challenge_key(again) is not None

    sent = client.post("/declare/", with_answer(valid(), key, answer_to(key)), **EN)
    assert sent.status_code == 200
    assert 'id="receipt-code"' in page(sent)
    assert Statement.objects.count() == 3
    assert sum(s.text == TEXT for s in Statement.objects.all()) == 3  # texts are encrypted


def test_another_connection_is_not_asked(client: Client, rate_limited: Any) -> None:
    for _ in range(3):
        client.post("/declare/", valid(), **EN)
    other = Client(REMOTE_ADDR="192.0.2.200")
    assert challenge_key(other.get("/declare/", **EN)) is None
    assert other.post("/declare/", valid(), **EN).status_code == 200


def test_an_unreadable_counter_asks_for_the_sum(
    client: Client, rate_limited: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> bool:
        raise ConnectionError("cache down")

    monkeypatch.setattr(door, "is_ratelimited", broken)
    response = client.post("/declare/", valid(), **EN)
    assert response.status_code == 400
    assert challenge_key(response) is not None
    assert Statement.objects.count() == 0


# --- during a flood on the web channel ------------------------------------------------------


def test_during_a_flood_every_form_asks_for_the_sum(client: Client) -> None:
    flood_raise(channel="web")
    form = client.get("/declare/", **EN)
    key = challenge_key(form)
    assert key is not None
    assert ANSWER_FIELD.search(page(form))
    assert "Work out the sum in the picture" in page(form)

    sent = client.post("/declare/", with_answer(valid(), key, answer_to(key)), **EN)
    assert sent.status_code == 200
    statement = Statement.objects.get()
    assert statement.channel == "web"
    assert statement.text == TEXT

    flood_clear(channel="web")
    assert challenge_key(client.get("/declare/", **EN)) is None


def test_a_flood_on_another_channel_does_not_ask(client: Client) -> None:
    flood_raise(channel="email")
    assert challenge_key(client.get("/declare/", **EN)) is None


def test_without_an_answer_nothing_is_stored_and_nothing_typed_is_lost(client: Client) -> None:
    flood_raise(channel="web")
    response = client.post("/declare/", valid(), **EN)
    assert response.status_code == 400
    assert NEW in errors(response)
    assert keeps_what_was_typed(response)
    assert 'role="alert"><a href="#id_challenge_1">' in page(response)
    assert Statement.objects.count() == 0


def test_a_wrong_answer_keeps_what_was_typed_stores_nothing_and_uses_the_sum_up(
    client: Client,
) -> None:
    flood_raise(channel="web")
    key = challenge_key(client.get("/declare/", **EN))
    assert key is not None
    right = answer_to(key)
    wrong = str(int(right) + 1)
    response = client.post("/declare/", with_answer(valid(), key, wrong), **EN)
    assert response.status_code == 400
    assert errors(response) == [WRONG]
    assert keeps_what_was_typed(response)
    assert Statement.objects.count() == 0
    new_key = challenge_key(response)
    assert new_key is not None and new_key != key, "a new sum is shown"
    field = ANSWER_FIELD.search(page(response))
    assert field is not None and "value=" not in field.group(0), "the wrong answer is not kept"
    assert not CaptchaStore.objects.filter(hashkey=key).exists(), "the first answer used it up"

    # The right answer to the used sum is too late: no sum can be tried twice.
    late = client.post("/declare/", with_answer(valid(), key, right), **EN)
    assert errors(late) == [GONE]
    assert Statement.objects.count() == 0

    sent = client.post("/declare/", with_answer(valid(), new_key, answer_to(new_key)), **EN)
    assert sent.status_code == 200
    assert Statement.objects.count() == 1


def test_an_error_elsewhere_keeps_the_same_sum_and_the_answer(client: Client) -> None:
    """The sum is checked last: correcting another field does not cost a new sum."""
    flood_raise(channel="web")
    key = challenge_key(client.get("/declare/", **EN))
    assert key is not None
    answer = answer_to(key)
    response = client.post("/declare/", with_answer(valid(organizations=[]), key, answer), **EN)
    assert response.status_code == 400
    assert errors(response) == ["Choose at least one organization."]
    assert challenge_key(response) == key
    field = ANSWER_FIELD.search(page(response))
    assert field is not None and f'value="{answer}"' in field.group(0), "the answer is kept"
    assert CaptchaStore.objects.filter(hashkey=key).exists()

    sent = client.post("/declare/", with_answer(valid(), key, answer), **EN)
    assert sent.status_code == 200
    assert Statement.objects.count() == 1


def test_the_challenge_speaks_the_language(client: Client) -> None:
    flood_raise(channel="web")
    zh = page(client.get("/declare/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "请计算图中的算式" in zh
    assert 'alt="一道需要计算的算式"' in zh
    hant = page(client.get("/declare/", HTTP_ACCEPT_LANGUAGE="zh-hant"))
    assert "請計算圖中的算式" in hant


# --- hostile and malformed answers ----------------------------------------------------------


def _fresh_key(client: Client) -> str:
    key = challenge_key(client.get("/declare/", **EN))
    assert key is not None
    return key


@pytest.mark.parametrize(
    ("key", "answer", "error"),
    [
        (None, "12", NEW),  # no key at all
        ("", "12", NEW),
        ("x" * 100_000, "12", NEW),  # oversized key
        ("'; DROP TABLE captcha_captchastore; --", "12", NEW),
        ("A" * 40, "12", NEW),  # not the lower-case hex the server makes
        ("0" * 40, "12", GONE),  # well formed, never issued
        ("fresh", None, REQUIRED),
        ("fresh", "   ", REQUIRED),
        ("fresh", "9" * 100_000, DIGITS),  # oversized answer
        ("fresh", "十二", DIGITS),
        ("fresh", "12abc", DIGITS),
        ("fresh", "-3", DIGITS),
        ("fresh", "1e3", DIGITS),
        ("fresh", "\x00", DIGITS),
    ],
)
def test_malformed_answers_are_explained_and_store_nothing(
    client: Client, key: str | None, answer: str | None, error: str
) -> None:
    flood_raise(channel="web")
    if key == "fresh":
        key = _fresh_key(client)
    response = client.post("/declare/", with_answer(valid(), key, answer), **EN)
    assert response.status_code == 400
    assert errors(response) == [error]
    assert keeps_what_was_typed(response)
    assert Statement.objects.count() == 0


@pytest.mark.parametrize(
    "spell",
    [
        lambda n: n.translate(str.maketrans("0123456789", "０１２３４５６７８９")),  # full width
        lambda n: n.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),  # Arabic-Indic
        lambda n: f" {n} ",
        lambda n: f"0{n}",
    ],
    ids=["fullwidth", "arabic-indic", "spaces", "leading-zero"],
)
def test_the_right_number_in_other_digits_passes(client: Client, spell: Any) -> None:
    """Chinese input methods type full-width digits: they are the same number."""
    flood_raise(channel="web")
    key = _fresh_key(client)
    response = client.post("/declare/", with_answer(valid(), key, spell(answer_to(key))), **EN)
    assert response.status_code == 200, errors(response)
    assert Statement.objects.count() == 1


def test_a_wrong_non_ascii_answer_uses_the_sum_up(client: Client) -> None:
    flood_raise(channel="web")
    key = _fresh_key(client)
    wrong = str(int(answer_to(key)) + 1).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    response = client.post("/declare/", with_answer(valid(), key, wrong), **EN)
    assert errors(response) == [WRONG]
    assert not CaptchaStore.objects.filter(hashkey=key).exists()


def test_an_answer_is_single_use(client: Client) -> None:
    flood_raise(channel="web")
    key = _fresh_key(client)
    answer = answer_to(key)
    first = client.post("/declare/", with_answer(valid(), key, answer), **EN)
    assert first.status_code == 200
    replay = client.post("/declare/", with_answer(valid(), key, answer), **EN)
    assert replay.status_code == 400
    assert errors(replay) == [GONE]
    assert Statement.objects.count() == 1


def test_of_two_racing_uses_of_one_sum_only_one_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both requests read the sum; the other one deletes it first: this one must not pass."""
    key = door.challenge_new()
    answer = answer_to(key)
    real_first = QuerySet.first

    def first_then_the_other_request_wins(self: QuerySet[Any]) -> Any:
        found = real_first(self)
        if isinstance(found, CaptchaStore):
            CaptchaStore.objects.filter(pk=found.pk).delete()
        return found

    monkeypatch.setattr(QuerySet, "first", first_then_the_other_request_wins)
    assert door.challenge_check(key=key, answer=answer) == "gone"


def test_an_expired_sum_cannot_be_answered(client: Client) -> None:
    flood_raise(channel="web")
    key = _fresh_key(client)
    answer = answer_to(key)
    CaptchaStore.objects.filter(hashkey=key).update(expiration=timezone.now())
    response = client.post("/declare/", with_answer(valid(), key, answer), **EN)
    assert errors(response) == [GONE]
    assert challenge_key(response) != key
    assert not CaptchaStore.objects.filter(hashkey=key).exists(), "expired sums are cleared"


def test_repeated_fields_and_odd_bodies_do_not_crash(client: Client) -> None:
    flood_raise(channel="web")
    key = _fresh_key(client)
    data = valid()
    data["challenge_0"] = [key, "0" * 40]  # the last value counts, as for every field
    data["challenge_1"] = ["1", "2"]
    response = client.post("/declare/", data, **EN)
    assert response.status_code == 400
    assert Statement.objects.count() == 0
    raw = client.post(
        "/declare/", b"challenge_0=%FF%FE&challenge_1=%00", content_type="text/plain", **EN
    )
    assert raw.status_code == 400


# --- the challenge's record and image -------------------------------------------------------


def test_the_challenge_record_holds_nothing_about_the_client() -> None:
    """django-simple-captcha 0.7.0 keeps the sum, its result, a random key and an expiry."""
    names = {f.name for f in CaptchaStore._meta.get_fields()}
    assert names == {"id", "challenge", "response", "hashkey", "expiration"}


def test_the_image_is_ours_uncached_and_never_gzipped(client: Client, settings: Any) -> None:
    settings.SANTUI_STATE_MEMO_SECONDS = 60.0  # the front cache and the page stores on
    flood_raise(channel="web")
    key = _fresh_key(client)
    for _ in range(2):
        image = client.get(f"/captcha/image/{key}/", HTTP_ACCEPT_ENCODING="gzip")
        assert image.status_code == 200
        assert image["Content-Type"] == "image/png"
        assert image.content.startswith(b"\x89PNG\r\n\x1a\n")
        assert "no-store" in image["Cache-Control"] and "public" not in image["Cache-Control"]
        assert not image.has_header("Content-Encoding")
        assert not getattr(image, "santui_public", False)
    assert CaptchaStore.objects.filter(hashkey=key).exists(), "showing the image uses nothing"
    assert CaptchaStore.objects.count() == 1, "and makes no new challenge"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/captcha/image/" + "0" * 40 + "/", 410),  # well formed, not (or no longer) issued
        ("/captcha/image/nothex/", 404),
        ("/captcha/image/" + "a" * 41 + "/", 404),
        ("/captcha/refresh/", 404),  # not routed: it needs JavaScript and would make rows
        ("/captcha/audio/" + "0" * 40 + ".wav", 404),
    ],
)
def test_only_issued_images_are_served(client: Client, path: str, status: int) -> None:
    assert client.get(path, HTTP_X_REQUESTED_WITH="XMLHttpRequest").status_code == status
    assert CaptchaStore.objects.count() == 0


def test_the_image_refuses_posts(client: Client) -> None:
    key = door.challenge_new()
    assert client.post(f"/captcha/image/{key}/").status_code == 405


# --- the receipt look-up ---------------------------------------------------------------------


def test_over_the_rate_a_receipt_look_up_asks_for_the_sum(
    client: Client, rate_limited: Any
) -> None:
    declared = page(client.post("/declare/", valid(), **EN))
    match = re.search(r'id="receipt-code">([^<]*)<', declared)
    assert match, declared
    code = match.group(1)
    for _ in range(2):
        assert client.post("/receipt/", {"code": code}, **EN).status_code == 200
    over = client.post("/receipt/", {"code": code}, **EN)
    assert over.status_code == 400  # asked, not refused
    assert NEW in errors(over)
    assert f'value="{code}"' in page(over), "the code typed is kept"
    assert 'id="receipt-status"' not in page(over)
    key = challenge_key(over)
    assert key is not None

    wrong = client.post("/receipt/", {"code": code, "challenge_0": key, "challenge_1": "x"}, **EN)
    assert errors(wrong) == [DIGITS]
    found = client.post(
        "/receipt/", {"code": code, "challenge_0": key, "challenge_1": answer_to(key)}, **EN
    )
    assert found.status_code == 200
    assert 'id="receipt-status"' in page(found)


def test_a_flood_on_the_web_channel_does_not_ask_receipt_look_ups(client: Client) -> None:
    flood_raise(channel="web")
    assert challenge_key(client.get("/receipt/", **EN)) is None
