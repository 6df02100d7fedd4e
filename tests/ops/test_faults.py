"""Issue 15, faults: the real `santui serve` on PostgreSQL and Redis servers of its own (a private
PostgreSQL cluster made with initdb on a free port, a private redis-server on another), each
stopped and started again while the form is used. While one is down the form answers 503 with
``Retry-After`` and a page in the visitor's language, or carries on (Redis: the door asks for
its sum instead of reading its counters); never a 500. Every receipt code it gave, before,
during and after, belongs to a stored statement. Once the server is back the form works again by
itself within seconds. The machine's shared PostgreSQL and Redis are never touched.

Bounded: each wait has a deadline; the servers are stopped whatever happens.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.ops.servers import (
    PG_BIN,
    PSQL,
    PrivatePostgres,
    PrivateRedis,
    free_port,
    private_servers,
    wait_until_serving,
)

SANTUI = str(Path(sys.executable).parent / "santui")
RECOVER_WITHIN = 20.0  # seconds after the server is back (the form usually is within 1-2 s)
EN = {"Accept-Language": "en"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not PG_BIN or not shutil.which("redis-server"), reason="no servers"),
]


@dataclass
class Visitor:
    base: str
    answer: Callable[[str], str]  # the sum's answer, from the server's record (as one reads it)
    opener: urllib.request.OpenerDirector = field(
        default_factory=lambda: urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
    )

    def request(
        self, path: str, data: dict[str, str] | None = None, **headers: str
    ) -> tuple[int, dict[str, str], str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310  # our own server
            self.base + path, data=body, headers={**EN, "Referer": self.base + path, **headers}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                headers = {k.lower(): v for k, v in response.headers.items()}
                return response.status, headers, response.read().decode()
        except urllib.error.HTTPError as exc:
            headers = {k.lower(): v for k, v in exc.headers.items()}
            return exc.code, headers, exc.read().decode()

    def declare(self, text: str) -> tuple[int, dict[str, str], str, str | None]:
        """GET the form, POST a statement (answering the sum when asked, from the server's own
        record of it, as a person reads the image). The receipt code, if one was given."""
        status, headers, page = self.request("/declare/")
        if status != 200:
            return status, headers, page, None
        data = {
            "csrfmiddlewaretoken": _field(page, "csrfmiddlewaretoken") or "",
            "text": text, "organizations": "party", "declarant": "self", "name": "",
            "name_kind": "anonymous", "current_party_member": "unknown", "headcount": "1",
        }  # fmt: skip
        key = _field(page, "challenge_0")
        if key:
            data |= {"challenge_0": key, "challenge_1": self.answer(key)}
        status, headers, page = self.request("/declare/", data)
        code = re.search(r'id="receipt-code">([^<]+)<', page)
        return status, headers, page, code.group(1).strip() if code else None

    def stored(self, code: str) -> bool:
        status, _, page = self.request("/receipt/")
        data = {"csrfmiddlewaretoken": _field(page, "csrfmiddlewaretoken") or "", "code": code}
        key = _field(page, "challenge_0")
        if key:
            data |= {"challenge_0": key, "challenge_1": self.answer(key)}
        status, _, page = self.request("/receipt/", data)
        return status == 200 and 'id="receipt-status"' in page


def _field(page: str, name: str) -> str | None:
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    return match.group(1) if match else None


@dataclass
class Site:
    base: str
    home: Path
    pg: PrivatePostgres
    redis: PrivateRedis
    log: Path

    def answer(self, key: str) -> str:
        return subprocess.run(  # noqa: S603
            [PSQL, self.pg.url, "-Atc",
             f"SELECT response FROM captcha_captchastore WHERE hashkey = '{key}'"],
            check=True, capture_output=True, text=True, timeout=30,
        ).stdout.strip()  # fmt: skip

    def visitor(self) -> Visitor:
        return Visitor(self.base, self.answer)


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with private_servers("santui-faults-") as (_folder, pg, cache, env):
        home = Path(env["SANTUI_HOME"])
        proc = None
        try:
            port = free_port()
            subprocess.run(  # noqa: S603
                [SANTUI, "setup"], env=env, check=True, capture_output=True, timeout=300
            )
            log = home / "serve.log"
            with log.open("w") as out:
                proc = subprocess.Popen(  # noqa: S603
                    [SANTUI, "serve", "--port", str(port), "--workers", "1", "--no-setup"],
                    env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                )  # fmt: skip
            base = f"http://127.0.0.1:{port}"
            visitor = Visitor(base, lambda key: "")
            wait_until_serving(lambda: visitor.request("/declare/")[0] == 200, proc, log, 120)
            yield Site(base, home, pg, cache, log)
        finally:
            if proc is not None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)


def _recovered(visitor: Visitor, text: str) -> tuple[float, str]:
    """Seconds until the form gives a receipt again, and that receipt's code."""
    started = time.monotonic()
    while time.monotonic() - started < RECOVER_WITHIN:
        try:
            status, _, _, code = visitor.declare(text)
        except OSError:
            status, code = 0, None
        if status == 200 and code:
            return time.monotonic() - started, code
        time.sleep(0.2)
    raise AssertionError(f"the form did not recover within {RECOVER_WITHIN} s")


def _check_down_answers(answers: list[tuple[int, dict[str, str], str, str | None]]) -> None:
    for status, headers, page, _code in answers:
        assert status != 500, page[:500]
        if status == 503:
            assert headers.get("retry-after", "").isdigit()
            assert '<html lang="en">' in page and "briefly unavailable" in page


def test_postgresql_down_is_a_503_and_the_form_recovers_by_itself(site: Site) -> None:
    visitor = site.visitor()
    status, _, _, before = visitor.declare("我声明退出中共。甲")
    assert status == 200 and before
    token = _field(visitor.request("/declare/")[2], "csrfmiddlewaretoken") or ""
    site.pg.stop()
    try:
        down = [visitor.declare("我声明退出中共。乙") for _ in range(3)]
        zh = visitor.request(
            "/declare/",
            {"csrfmiddlewaretoken": token, "text": "我声明退出中共。", "organizations": "party",
             "name_kind": "anonymous", "current_party_member": "unknown", "headcount": "1"},
            **{"Accept-Language": "zh-Hant"},
        )  # fmt: skip
    finally:
        site.pg.start()
    # the database is needed to store a statement: no receipt while it is away, but a 503
    print("PostgreSQL down: the form answered", [status for status, *_ in down])
    assert all(code is None for *_, code in down)
    assert any(status == 503 for status, *_ in down)
    _check_down_answers(down)
    assert zh[0] == 503 and "本站暫時無法服務" in zh[2] and zh[1]["retry-after"].isdigit()
    took, after = _recovered(visitor, "我声明退出中共。丙")
    print(f"PostgreSQL: the form answered again {took:.1f} s after the server was back")
    assert visitor.stored(before) and visitor.stored(after)


def test_redis_down_never_breaks_the_form_and_it_recovers_by_itself(site: Site) -> None:
    visitor = site.visitor()
    status, _, _, before = visitor.declare("我声明退出中共。丁")
    assert status == 200 and before
    site.redis.stop()
    try:
        down = [visitor.declare("我声明退出中共。戊") for _ in range(3)]
        home = visitor.request("/")
    finally:
        site.redis.start()
    print("Redis down: the form answered", [status for status, *_ in down], "home", home[0])
    _check_down_answers([*down, (*home, None)])
    # the form itself answers: a receipt, or the form again asking the sum (the door cannot
    # read its counters), never a 503 or an error
    assert {status for status, *_ in down} <= {200, 400}, down
    # every receipt given while Redis was away is a stored statement
    for status, _, _, code in down:
        if status == 200:
            assert code and visitor.stored(code)
    took, after = _recovered(visitor, "我声明退出中共。己")
    print(f"Redis: the form answered again {took:.1f} s after the server was back")
    assert visitor.stored(before) and visitor.stored(after)
