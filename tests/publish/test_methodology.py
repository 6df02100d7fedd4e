"""/methodology/ and /api/v1/rejections: the rules, live counts per reason, how to verify."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import jsonschema_rs
import pytest
from django.core.cache import cache
from django.test import Client

from santui.publish.apidocs.rejections import PATHS
from santui.publish.caching import forget_state
from santui.statements.actions import statement_reject
from santui.statements.models import RejectReason, Statement
from santui.statements.rejections import rejection_counts
from santui.tally import log
from santui.tally.actions import tally_integrate
from tests.factories import AcceptedStatementFactory, ReceivedStatementFactory

pytestmark = pytest.mark.django_db

SCHEMA = PATHS["/api/v1/rejections"]["get"]["responses"]["200"]["content"]["application/json"][
    "schema"
]


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    forget_state()
    yield
    forget_state()


def _reject(statement: Statement, reason: str) -> None:
    statement_reject(statement=statement, by=None, reason=reason, via="test")


@pytest.fixture
def rejections() -> None:
    """Never counted: 2 spam, 1 duplicate. Counted then revoked: 1 duplicate (4 persons),
    1 at the declarant's request (1 person). Still counted: 10 persons."""
    for _ in range(2):
        _reject(ReceivedStatementFactory(), RejectReason.SPAM)
    _reject(ReceivedStatementFactory(headcount=3), RejectReason.DUPLICATE)
    counted_duplicate = AcceptedStatementFactory(headcount=4)
    counted_request = AcceptedStatementFactory(headcount=1)
    AcceptedStatementFactory(headcount=10)
    tally_integrate()
    _reject(counted_duplicate, RejectReason.DUPLICATE)
    _reject(counted_request, RejectReason.DECLARANT_REQUEST)
    tally_integrate()


def test_counts_per_reason_split_never_counted_and_revoked(rejections: None) -> None:
    counts = rejection_counts()
    by_reason = {r["reason"]: r for r in counts["reasons"]}
    assert [r["reason"] for r in counts["reasons"]] == list(RejectReason.values)
    assert by_reason["spam"] == {
        "reason": "spam", "never_counted": 2, "revoked": 0, "revoked_persons": 0,
    }  # fmt: skip
    assert by_reason["duplicate"] == {
        "reason": "duplicate", "never_counted": 1, "revoked": 1, "revoked_persons": 4,
    }  # fmt: skip
    assert by_reason["declarant_request"]["revoked_persons"] == 1
    assert by_reason["other"] == {
        "reason": "other", "never_counted": 0, "revoked": 0, "revoked_persons": 0,
    }  # fmt: skip
    assert counts["total"] == {"never_counted": 3, "revoked": 2, "revoked_persons": 5}
    rejected = Statement.objects.filter(status="rejected").count()
    assert counts["total"]["never_counted"] + counts["total"]["revoked"] == rejected


def test_the_api_serves_them_as_documented(rejections: None, client: Client) -> None:
    response = client.get("/api/v1/rejections")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    jsonschema_rs.validator_for(SCHEMA).validate(body)
    assert body == rejection_counts()
    assert client.get("/api/v1/rejections?anything=1").status_code == 200
    assert client.get("/api/v1/rejections", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_the_schema_is_strict() -> None:
    validator = jsonschema_rs.validator_for(SCHEMA)
    good = {
        "schema": 1, "counted_at": "2026-01-01T00:00:00+00:00", "refresh_seconds": 60,
        "reasons": [
            {"reason": r, "never_counted": 0, "revoked": 0, "revoked_persons": 0}
            for r in RejectReason.values
        ],
        "total": {"never_counted": 0, "revoked": 0, "revoked_persons": 0},
    }  # fmt: skip
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "extra": 1})
    assert not validator.is_valid({**good, "reasons": good["reasons"][:-1]})
    assert not validator.is_valid({**good, "total": {**good["total"], "revoked": -1}})


def test_counts_are_renewed_each_minute(rejections: None, client: Client) -> None:
    clock = 1_900_000_000.0
    with mock.patch("santui.statements.rejections.time.time", return_value=clock):
        before = rejection_counts()["total"]["never_counted"]
        _reject(ReceivedStatementFactory(), RejectReason.OTHER)
        assert rejection_counts()["total"]["never_counted"] == before  # same minute: cached
    with mock.patch("santui.statements.rejections.time.time", return_value=clock + 60):
        assert rejection_counts()["total"]["never_counted"] == before + 1


def test_the_page_shows_the_live_counts(rejections: None, client: Client) -> None:
    html = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = re.search(r'<tr id="reason-duplicate">(.*?)</tr>', html, re.S)
    assert row
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))
    assert cells == ["1", "1", "4"]
    assert "at the declarant&#x27;s request" in html


# Email is what arrives by email (issue 16): the page called it a handwritten or printed
# statement sent to the center, in all three languages.
EMAIL_CHANNEL = {
    "en": ("email", "a statement sent to the service center by email"),
    "zh-Hans": ("电子邮件", "通过电子邮件发送到服务中心的声明"),
    "zh-Hant": ("電子郵件", "透過電子郵件發送到服務中心的聲明"),
}


@pytest.mark.parametrize("language", list(EMAIL_CHANNEL))
def test_email_is_described_as_sent_by_email_in_every_language(
    client: Client, language: str
) -> None:
    html = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    channels = re.search(r'id="channels".*?</dl>', html, re.S)
    assert channels
    facts = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", channels.group(0)))
    label, note = EMAIL_CHANNEL[language]
    assert facts[label] == note
    for wrong in ("handwritten", "written or printed", "手写或打印", "手寫或列印"):
        assert wrong not in facts[label]


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", ("Who declares", "The rule:", "unknown / not said")),
     ("zh-Hans", ("由谁声明", "规则：", "不详／未说明")),
     ("zh-Hant", ("由誰聲明", "規則：", "不詳／未說明"))],
)  # fmt: skip
def test_the_rule_for_statements_on_someone_elses_behalf_is_stated(
    client: Client, language: str, words: tuple[str, ...]
) -> None:
    html = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    section = re.search(r'<h2 id="declarants">.*?<h2 id="screening">', html, re.S)
    assert section, "no section on who declares"
    for word in words:
        assert word in section.group(0), word
    assert section.group(0).count("<dt>") == 4  # self, family, volunteer, deceased


@pytest.mark.parametrize(
    ("language", "tag"), [("zh-Hans", "zh-Hans"), ("zh-Hant", "zh-Hant"), ("en", "en")]
)
def test_every_section_in_every_language(client: Client, language: str, tag: str) -> None:
    response = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{tag}">' in html
    for section in ("counting", "channels", "declarants", "screening", "rejections",
                    "suppression", "privacy"):  # fmt: skip
        assert f'id="{section}"' in html
        assert f'href="#{section}"' in html
    assert 'id="verify"' in html


def test_the_rules_use_the_settings(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SANTUI_SUPPRESS_BELOW = 7
    settings.SANTUI_MILESTONE_STEP = 5000
    settings.SANTUI_REPORTING_TZ = "Asia/Taipei"
    html = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "a number of fewer than 7 persons is not published" in html
    assert "a multiple of 5,000 persons" in html
    assert "in the Asia/Taipei time zone" in html


def test_verify_section_prints_the_command_and_the_logs_key(
    rejections: None, client: Client
) -> None:
    html = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    vkey = log.log_signer().verifier.vkey
    verify = html[html.index('id="verify"') :]
    assert f"santui log verify http://testserver --key {vkey}" in verify
    assert f'<code id="log-key">{vkey}</code>' in verify
    assert 'href="/log/checkpoint"' in verify
    assert 'href="/receipt/"' in verify


def test_a_public_page_never_makes_a_log_key(
    rejections: None,
    client: Client,
    settings,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    missing = tmp_path / "none" / "log.key"
    settings.SANTUI_LOG_KEY_FILE = missing
    log.log_signer.cache_clear()
    try:
        html = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    finally:
        log.log_signer.cache_clear()
    assert not missing.exists()
    assert "santui log verify" not in html


def test_a_key_that_did_not_sign_the_log_is_not_shown(
    rejections: None,
    client: Client,
    settings,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    other = tmp_path / "other.key"
    log.log_keygen(other, origin="impostor.example/log")
    settings.SANTUI_LOG_KEY_FILE = other
    log.log_signer.cache_clear()
    try:
        cache.clear()
        html = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    finally:
        log.log_signer.cache_clear()
    assert "impostor.example" not in html
    assert "santui log verify" not in html


def test_an_empty_registry_renders(client: Client) -> None:
    response = client.get("/methodology/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "The log is empty." in response.content.decode()
    assert client.get("/api/v1/rejections").json()["total"]["never_counted"] == 0


def test_only_get_and_head(client: Client) -> None:
    assert client.head("/methodology/").status_code == 200
    assert client.post("/methodology/").status_code == 405
    assert client.post("/api/v1/rejections").status_code == 405
