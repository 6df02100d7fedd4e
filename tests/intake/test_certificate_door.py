"""The certificate of withdrawal passes the receipt look-up's door (santui.intake.door): it too
answers whether a receipt code is known, so over the look-up's rate (one counter for both) it
asks for the sum before looking the code up, and until the sum is worked out says nothing about
the code. Nobody is refused: the name and language typed come back with the sum."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from captcha.models import CaptchaStore
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from santui.statements.actions import statement_accept, statement_receive
from santui.statements.receipts import new_receipt_code
from santui.tally.actions import tally_integrate

pytestmark = pytest.mark.django_db

EN: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}
NAME = "王小明"
KEY_FIELD = re.compile(r'name="challenge_0" value="([0-9a-f]{40})"')
NEW = "Please work out the sum in the picture, then send again. Nothing you typed is lost."
WRONG = "That result was not right. Here is a new sum; everything else you typed is kept."
NOT_FOUND = 'id="receipt-not-found"'
CERTIFICATE = 'id="certificate-title"'


@pytest.fixture
def counted() -> str:
    got = statement_receive(
        channel="web", organizations=["party"], headcount=1, name_kind="anonymous",
        source="web", via="test", issue_receipt=True,
    )  # fmt: skip
    statement_accept(statement=got.statement, by=None, via="test")
    tally_integrate()
    assert got.receipt_code
    return got.receipt_code


@pytest.fixture
def rate_limited(settings: Any) -> Any:
    settings.RATELIMIT_ENABLE = True
    settings.SANTUI_RECEIPT_RATE = "2/h"
    return settings


def make(client: Client, code: str, **extra: str) -> Any:
    data = {"code": code, "name": NAME, "language": "en", **extra}
    return client.post("/receipt/certificate/", data, **EN)


def page(response: Any) -> str:
    return str(response.content.decode())


def certificate_key(response: Any) -> str | None:
    """The key of the sum in the certificate's form (the last challenge on the page)."""
    keys = KEY_FIELD.findall(page(response))
    return keys[-1] if keys else None


def answer_to(key: str) -> str:
    return str(CaptchaStore.objects.get(hashkey=key).response)


def use_up_the_rate(client: Client, code: str) -> None:
    for _ in range(2):
        assert make(client, code).status_code == 200


def test_under_the_rate_no_sum_is_asked(client: Client, counted: str, rate_limited: Any) -> None:
    response = make(client, counted)
    assert response.status_code == 200 and CERTIFICATE in page(response)
    assert CaptchaStore.objects.count() == 0


def test_over_the_rate_the_sum_comes_first_and_then_the_certificate(
    client: Client, counted: str, rate_limited: Any
) -> None:
    use_up_the_rate(client, counted)
    over = make(client, counted)
    assert over.status_code == 400  # the form again: nobody is refused
    text = html.unescape(page(over))
    assert NEW in text
    assert CERTIFICATE not in text and NOT_FOUND not in text
    assert 'id="receipt-status"' not in text  # nothing said about the code yet
    assert f'value="{NAME}"' in page(over)  # what was typed is kept
    key = certificate_key(over)
    assert key is not None
    sent = make(client, counted, challenge_0=key, challenge_1=answer_to(key))
    assert sent.status_code == 200 and CERTIFICATE in page(sent)
    # the sum was used up by that answer: the same one cannot pass again
    again = make(client, counted, challenge_0=key, challenge_1=answer_to_or_none(key))
    assert again.status_code == 400 and CERTIFICATE not in page(again)


def answer_to_or_none(key: str) -> str:
    stored = CaptchaStore.objects.filter(hashkey=key).first()
    return str(stored.response) if stored else "7"


def test_a_wrong_answer_gets_a_new_sum_and_no_look_up(
    client: Client, counted: str, rate_limited: Any
) -> None:
    use_up_the_rate(client, counted)
    key = certificate_key(make(client, counted))
    assert key is not None
    wrong = str(int(answer_to(key)) + 1)
    response = make(client, counted, challenge_0=key, challenge_1=wrong)
    assert response.status_code == 400
    text = html.unescape(page(response))
    assert WRONG in text and CERTIFICATE not in text and 'id="receipt-status"' not in text
    new_key = certificate_key(response)
    assert new_key is not None and new_key != key


def test_the_look_up_and_the_certificate_share_one_counter(
    client: Client, counted: str, rate_limited: Any
) -> None:
    for _ in range(2):
        assert client.post("/receipt/", {"code": counted}, **EN).status_code == 200
    over = make(client, counted)
    assert over.status_code == 400 and NEW in html.unescape(page(over))


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(known=st.booleans(), answer=st.sampled_from(["", "x", "wrong"]))
def test_before_the_sum_a_known_and_an_unknown_code_look_alike(
    client: Client, counted: str, rate_limited: Any, known: bool, answer: str
) -> None:
    """Whatever is sent without the right answer, the response does not depend on whether the
    code belongs to a statement: same status, same page but for the sum's key and the code."""
    from django.core.cache import cache

    cache.clear()  # each example starts under the rate
    use_up_the_rate(client, counted)
    code = counted if known else new_receipt_code()
    first = make(client, code)
    key = certificate_key(first)
    assert key is not None
    extra = {"challenge_0": key}
    if answer == "wrong":
        extra["challenge_1"] = str(int(answer_to(key)) + 1)
    elif answer:
        extra["challenge_1"] = answer
    response = make(client, code, **extra)
    assert response.status_code == 400
    text = page(response)
    assert CERTIFICATE not in text and NOT_FOUND not in text
    assert 'id="receipt-status"' not in text

    def shape(body: str, typed: str) -> str:
        body = KEY_FIELD.sub("KEY", body)
        body = re.sub(r"/captcha/image/[0-9a-f]{40}/", "IMAGE", body)
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)
        return body.replace(typed, "CODE")

    other = counted if not known else new_receipt_code()
    cache.clear()
    use_up_the_rate(client, counted)
    first_other = make(client, other)
    key_other = certificate_key(first_other)
    assert key_other is not None
    extra_other = {"challenge_0": key_other}
    if answer == "wrong":
        extra_other["challenge_1"] = str(int(answer_to(key_other)) + 1)
    elif answer:
        extra_other["challenge_1"] = answer
    response_other = make(client, other, **extra_other)
    assert response_other.status_code == 400
    assert shape(text, code) == shape(page(response_other), other)
