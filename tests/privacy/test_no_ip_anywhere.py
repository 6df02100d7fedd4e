"""DESIGN.md invariant 4: no IP address is stored or logged, anywhere.

A declarant submits from a distinctive address (and through a proxy header), looks a receipt up
and reads the public pages, with rate limiting on until the door asks for its challenge (and
during a flood), answers it and loads its image; then the database, everything logged, the
cache and every file under SANTUI_HOME are searched for both addresses, as text and packed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import logging
import os
import pickle
import re
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from captcha.models import CaptchaStore
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from gunicorn.config import Config
from gunicorn.http.errors import InvalidRequestLine
from gunicorn.workers.base import Worker

from santui.intake import door, ratelimit
from santui.ops.management.commands import serve
from santui.screening.flags import flood_raise
from santui.statements.models import Statement, Status, StatusChange
from tests.factories import ReceivedStatementFactory

CLIENT_ADDRESS = "203.0.113.77"  # TEST-NET-3, as REMOTE_ADDR
FORWARDED_ADDRESS = "198.51.100.23"  # TEST-NET-2, in X-Forwarded-For
ADDRESSES = (CLIENT_ADDRESS, FORWARDED_ADDRESS)

RECEIPT_CODE = re.compile(r'id="receipt-code">\s*([A-Z2-7]{3}(?:-[A-Z2-7]{3}){10})\s*<')
CHALLENGE_KEY = re.compile(r'name="challenge_0" value="([0-9a-f]{40})"')

VALID_POST = {
    "text": "我声明退出中共的党、团、队组织。",
    "organizations": ["party", "league"],
    "name": "自由人",
    "name_kind": "alias",
    "province": "210000",
    "city": "210100",
    "current_party_member": "unknown",
    "headcount": "1",
}


# --- searching ---------------------------------------------------------------------------------


def _needles(address: str) -> dict[str, bytes]:
    """The forms an address could be kept in: dotted text, packed 4 bytes, hex of the packed."""
    packed = ipaddress.ip_address(address).packed
    return {
        f"{address} (text)": address.encode("ascii"),
        f"{address} (packed)": packed,
        f"{address} (hex)": packed.hex().encode("ascii"),
    }


NEEDLES = {label: needle for a in ADDRESSES for label, needle in _needles(a).items()}


def _as_bytes(value: object) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode("utf-8", "surrogatepass")


def find_addresses(blob: object) -> list[str]:
    """Which forms of the test addresses occur in ``blob`` (bytes, or anything str() can show)."""
    data = _as_bytes(blob)
    return [label for label, needle in NEEDLES.items() if needle in data]


def database_hits() -> tuple[list[str], int]:
    """Hits as 'table.column: form', and how many values were read (so 0 rows cannot pass)."""
    hits: list[str] = []
    values = 0
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)}")
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    values += 1
                    if value is None:
                        continue
                    hits += [f"{table}.{column}: {form}" for form in find_addresses(value)]
                    opened = _opened(value)  # encrypted columns: what they hold (this
                    if opened is not None:  # process has the office key, as the office does)
                        hits += [
                            f"{table}.{column} (decrypted): {form}"
                            for form in find_addresses(opened)
                        ]
    return hits, values


def _opened(value: object) -> bytes | None:
    """A value of an encrypted column (names, contacts, texts, mail), decrypted; else None."""
    from santui.statements.crypto import DecryptionError, decrypt_bytes

    if not isinstance(value, bytes | memoryview) or bytes(value[:1]) not in (b"\x01", b"\x02"):
        return None
    try:
        return decrypt_bytes(bytes(value))
    except DecryptionError:
        return None


def _cache_blobs() -> Iterator[tuple[str, bytes]]:
    for alias in settings.CACHES:
        cache = caches[alias]
        if isinstance(cache, LocMemCache):
            with cache._lock:  # the backend's own lock: entries are not changed while we read
                entries = list(cache._cache.items())
            for key, pickled in entries:
                yield f"{alias} key {key!r}", _as_bytes(key)
                yield f"{alias} value of {key!r}", pickled
                yield f"{alias} unpickled value of {key!r}", _as_bytes(pickle.loads(pickled))  # noqa: S301  # our own cache
        elif isinstance(cache, RedisCache):
            client = cache._cache.get_client()
            for key in client.scan_iter():
                yield f"{alias} key {key!r}", _as_bytes(key)
                yield f"{alias} value of {key!r}", _as_bytes(client.dump(key) or b"")
        else:  # pragma: no cover - a new backend needs a reader here, not a silent pass
            pytest.fail(f"teach this test to read cache backend {type(cache).__name__}")


def cache_hits() -> tuple[list[str], list[str]]:
    """Hits, and the keys seen (so the test can check the rate limiter did write)."""
    hits: list[str] = []
    keys: list[str] = []
    for where, blob in _cache_blobs():
        if " key " in where:
            keys.append(where)
        hits += [f"{where}: {form}" for form in find_addresses(blob)]
    return hits, keys


def file_hits(root: Path) -> tuple[list[str], int]:
    hits: list[str] = []
    files = 0
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = Path(directory, name)
            if not path.is_file():
                continue
            files += 1
            hits += [f"{path}: {form}" for form in find_addresses(path.read_bytes())]
    return hits, files


# --- capturing every log record -------------------------------------------------------------

_RECORD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class _CaptureHandler(logging.Handler):
    """Keeps each record as formatted text plus its extra attributes (e.g. django's request)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        extras = {k: v for k, v in vars(record).items() if k not in _RECORD_ATTRS}
        self.lines.append(f"{self.format(record)} {extras!r}")

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@contextlib.contextmanager
def capture_all_logging() -> Iterator[_CaptureHandler]:
    """Root logger at DEBUG with our handler; loggers that set a level or stop propagation too."""
    handler = _CaptureHandler()
    root = logging.getLogger()
    saved: list[tuple[logging.Logger, int]] = [(root, root.level)]
    attached: list[logging.Logger] = [root]
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    for logger in list(logging.root.manager.loggerDict.values()):
        if not isinstance(logger, logging.Logger):
            continue
        if logger.level > logging.DEBUG:
            saved.append((logger, logger.level))
            logger.setLevel(logging.DEBUG)
        if not logger.propagate:
            logger.addHandler(handler)
            attached.append(logger)
    try:
        yield handler
    finally:
        for logger in attached:
            logger.removeHandler(handler)
        for logger, level in saved:
            logger.setLevel(level)


# --- the invariant ---------------------------------------------------------------------------


@pytest.fixture
def declarant() -> Client:
    return Client(REMOTE_ADDR=CLIENT_ADDRESS, headers={"X-Forwarded-For": FORWARDED_ADDRESS})


@pytest.mark.django_db
def _answered(response: Any) -> dict[str, str]:
    """The challenge fields of the form in ``response``, answered (from the server's record)."""
    match = CHALLENGE_KEY.search(response.content.decode())
    assert match, "no challenge in the page"
    key = match.group(1)
    return {"challenge_0": key, "challenge_1": CaptchaStore.objects.get(hashkey=key).response}


@pytest.mark.django_db
def test_no_address_in_database_logs_cache_or_files(declarant: Client, settings: Any) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.SANTUI_DECLARE_RATE = "3/d"  # low enough that the 4th POST below is challenged
    settings.SANTUI_RECEIPT_RATE = "2/d"  # and the 3rd look-up
    with capture_all_logging() as log, CaptureQueriesContext(connection) as queries:
        first = declarant.post("/declare/", VALID_POST)
        invalid = declarant.post("/declare/", {**VALID_POST, "organizations": []})
        second = declarant.post("/declare/", VALID_POST)
        challenged = declarant.post("/declare/", VALID_POST)
        key = _answered(challenged)["challenge_0"]
        image = declarant.get(f"/captcha/image/{key}/")
        answered = declarant.post("/declare/", {**VALID_POST, **_answered(challenged)})
        code = RECEIPT_CODE.search(first.content.decode()).group(1)  # type: ignore[union-attr]
        found = declarant.post("/receipt/", {"code": code})
        missing = declarant.post("/receipt/", {"code": "A" * 32})
        asked = declarant.post("/receipt/", {"code": code})
        found_again = declarant.post("/receipt/", {"code": code, **_answered(asked)})
        flood_raise(channel="web")
        flood_form = declarant.get("/declare/")
        during_flood = declarant.post("/declare/", {**VALID_POST, **_answered(flood_form)})
        pages = [declarant.get(url) for url in ("/", "/stats/", "/api/v1/stats", "/declare/")]
        logging.getLogger("santui.test").debug("capture is on")  # proves DEBUG is captured

    # The requests did what a declarant sees, so the search below looks at a real trail.
    assert (first.status_code, invalid.status_code, second.status_code) == (200, 400, 200)
    assert challenged.status_code == 400, "the door must ask for its challenge in this test"
    assert (image.status_code, image["Content-Type"]) == (200, "image/png")
    assert answered.status_code == 200
    assert found.status_code == 200
    assert found.context["statement"].status == Status.RECEIVED
    assert missing.status_code == 404
    assert asked.status_code == 400
    assert found_again.status_code == 200
    assert during_flood.status_code == 200
    assert [p.status_code for p in pages] == [200, 200, 200, 200]
    assert CHALLENGE_KEY.search(pages[-1].content.decode()), "the last form shows a challenge"
    assert Statement.objects.count() == 4
    assert CaptchaStore.objects.exists(), "a challenge record is there to be searched"
    assert "capture is on" in log.text
    for warning in ("Bad Request: /declare/", "Not Found: /receipt/"):
        assert warning in log.text, warning
    assert queries.captured_queries, "SQL was not captured"

    db_hits, values = database_hits()
    assert values > 0
    assert db_hits == [], f"address stored in the database: {db_hits}"

    log_hits = find_addresses(log.text)
    assert log_hits == [], f"address logged: {log_hits}"
    sql_hits = [q["sql"] for q in queries.captured_queries if find_addresses(q["sql"])]
    assert sql_hits == [], f"address sent to the database: {sql_hits}"

    hits, keys = cache_hits()
    assert any("rl:" in key for key in keys), f"rate limiter wrote no bucket: {keys}"
    assert hits == [], f"address in the cache: {hits}"

    hits, files = file_hits(settings.SANTUI_HOME)
    assert files > 0, f"nothing under SANTUI_HOME={settings.SANTUI_HOME}?"
    assert hits == [], f"address in a file under SANTUI_HOME: {hits}"


PUBLIC_PAGES = (
    "/", "/stats/", "/statements/", "/statements/?q=x", "/methodology/", "/data/",
    "/data/daily.csv", "/api/v1/stats", "/api/v1/statements", "/api/v1/rejections",
    "/api/v1/context", "/log/checkpoint",
)  # fmt: skip


@pytest.mark.django_db
def test_public_pages_keep_no_address_in_any_response_store(
    declarant: Client, settings: Any
) -> None:
    """The page cache, the per-process store and the front micro-cache (on here, as in
    production) keep whole responses: none may hold the client's address."""
    from santui.publish import caching
    from santui.tally.actions import tally_integrate
    from tests.factories import AcceptedStatementFactory

    settings.SANTUI_STATE_MEMO_SECONDS = 60.0  # front cache and local store on
    declarant.post("/declare/", VALID_POST)
    AcceptedStatementFactory(publish=True)
    tally_integrate()
    caching.forget_state()
    with capture_all_logging() as log:
        for _ in range(2):  # the second round is served from the stores
            for url in PUBLIC_PAGES:
                response = Client(
                    REMOTE_ADDR=CLIENT_ADDRESS, headers={"X-Forwarded-For": FORWARDED_ADDRESS}
                ).get(url)
                assert response.status_code == 200, url
    front = list(caching._front._items.values())
    local = list(caching._local._items.values())
    assert front and local, "the stores were not used: the test would prove nothing"
    assert find_addresses(repr(front)) == [] and find_addresses(repr(local)) == []
    hits, _keys = cache_hits()
    assert hits == [], f"address in the cache: {hits}"
    assert find_addresses(log.text) == []
    caching.forget_state()


@pytest.mark.django_db
def test_each_search_finds_a_planted_address(tmp_path: Path) -> None:
    """The searches above can fail: each one finds an address planted where it looks."""
    assert find_addresses(f"x{CLIENT_ADDRESS}y") == [f"{CLIENT_ADDRESS} (text)"]
    assert f"{FORWARDED_ADDRESS} (packed)" in find_addresses(
        b"\x00" + ipaddress.ip_address(FORWARDED_ADDRESS).packed + b"\x00"
    )
    assert find_addresses("nothing to see, 203.0.113.7 and 198.51.100.2") == []

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "planted.log").write_text(f"GET / from {CLIENT_ADDRESS}\n")
    hits, files = file_hits(tmp_path)
    assert files == 1
    assert hits == [f"{tmp_path / 'sub' / 'planted.log'}: {CLIENT_ADDRESS} (text)"]

    # in a column kept in clear, and in an encrypted one
    planted = ReceivedStatementFactory(text=f"我声明退出。来自 {CLIENT_ADDRESS}")
    StatusChange.objects.filter(statement=planted).update(note=f"来自 {FORWARDED_ADDRESS}")
    hits, _ = database_hits()
    assert any(
        hit.startswith("statements_statuschange.note") and FORWARDED_ADDRESS in hit
        for hit in hits
    ), hits
    assert any(
        hit.startswith("statements_statement.text (decrypted)") and CLIENT_ADDRESS in hit
        for hit in hits
    ), hits

    with capture_all_logging() as log:
        logging.getLogger("django.request").info("client %s", CLIENT_ADDRESS)
    assert f"{CLIENT_ADDRESS} (text)" in find_addresses(log.text)

    caches["default"].set("planted", {"addr": ipaddress.ip_address(CLIENT_ADDRESS).packed})
    hits, _ = cache_hits()
    assert any(f"{CLIENT_ADDRESS} (packed)" in hit for hit in hits), hits


# --- gunicorn, as `santui serve` runs it -----------------------------------------------------


def _gunicorn_config() -> Config:
    cfg = Config()
    for key, value in serve.gunicorn_options("127.0.0.1", 8000, 2, 4).items():
        cfg.set(key, value)
    return cfg


def test_serve_configures_gunicorn_without_access_log() -> None:
    options = serve.gunicorn_options("0.0.0.0", 8123, 3, 5)  # noqa: S104  # only a value here
    assert options["bind"] == "0.0.0.0:8123"
    assert options["accesslog"] is None
    # Any of these would switch gunicorn's access log back on (glogging.Logger).
    for key in ("logconfig", "logconfig_dict", "logconfig_json", "syslog"):
        assert not options.get(key), key
    formats = {k: v for k, v in options.items() if "format" in k}
    assert all("%(h)s" not in str(v) for v in formats.values()), formats

    cfg = _gunicorn_config()
    logger = cfg.logger_class(cfg)
    assert cfg.accesslog is None
    assert not logger.access_log_enabled
    # The access log would be written through this call; with this config it writes nothing.
    handler = _CaptureHandler()
    logger.access_log.addHandler(handler)
    try:
        logger.access(None, None, {"REMOTE_ADDR": CLIENT_ADDRESS}, dt.timedelta(0))
    finally:
        logger.access_log.removeHandler(handler)
    assert handler.lines == []


def test_serve_passes_gunicorn_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """handle() runs gunicorn with exactly gunicorn_options(), not settings of its own."""
    seen: dict[str, Any] = {}

    class FakeGunicorn:
        def __init__(self, options: dict[str, Any]) -> None:
            seen.update(options)

        def run(self) -> None:
            pass

    integrator = types.SimpleNamespace(terminate=lambda: None, wait=lambda timeout: 0)
    monkeypatch.setattr(serve, "call_command", lambda *a, **k: None)
    monkeypatch.setattr(serve.subprocess, "Popen", lambda *a, **k: integrator)
    monkeypatch.setattr(serve, "_Gunicorn", FakeGunicorn)
    call_command("serve", "--host", "127.0.0.1", "--port", "8124", "--workers", "1")
    assert seen == serve.gunicorn_options("127.0.0.1", 8124, 1, 4)


class _DeadSocket:
    def sendall(self, data: bytes) -> None:
        raise OSError("closed")

    def send(self, data: bytes) -> int:
        raise OSError("closed")


def test_gunicorn_error_log_holds_no_client_address() -> None:
    """A malformed request must not put the client address in gunicorn's error log."""
    cfg = _gunicorn_config()
    logger = cfg.logger_class(cfg)
    worker = types.SimpleNamespace(cfg=cfg, log=logger)
    handler = _CaptureHandler()
    logger.error_log.addHandler(handler)
    try:
        Worker.handle_error(
            worker, None, _DeadSocket(), (CLIENT_ADDRESS, 40404), InvalidRequestLine("GET")
        )
    finally:
        logger.error_log.removeHandler(handler)
    assert find_addresses(handler.text) == [], handler.text


# --- the rate-limit bucket key ---------------------------------------------------------------


def _freeze_utc(monkeypatch: pytest.MonkeyPatch, when: dt.datetime) -> None:
    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
            return when.astimezone(tz) if tz else when.replace(tzinfo=None)

    monkeypatch.setattr(ratelimit, "dt", types.SimpleNamespace(datetime=Frozen, UTC=dt.UTC))


def _key(address: str, forwarded: str = FORWARDED_ADDRESS) -> str:
    request = RequestFactory().post(
        "/declare/", REMOTE_ADDR=address, headers={"X-Forwarded-For": forwarded}
    )
    return ratelimit.rotating_client_key(door.DECLARE.group, request)


def test_rate_limit_key_holds_no_address_and_rotates_daily(monkeypatch: pytest.MonkeyPatch) -> None:
    day1_start = dt.datetime(2026, 3, 1, 0, 0, 1, tzinfo=dt.UTC)
    day1_end = dt.datetime(2026, 3, 1, 23, 59, 59, tzinfo=dt.UTC)
    day2_start = dt.datetime(2026, 3, 2, 0, 0, 0, tzinfo=dt.UTC)

    _freeze_utc(monkeypatch, day1_start)
    key1 = _key(CLIENT_ADDRESS)
    other_client = _key("203.0.113.78")
    _freeze_utc(monkeypatch, day1_end)
    key1_later = _key(CLIENT_ADDRESS)
    _freeze_utc(monkeypatch, day2_start)
    key2 = _key(CLIENT_ADDRESS)

    for key in (key1, key2, other_client):
        assert find_addresses(key) == [], key
        assert "203.0.113" not in key
        assert "198.51.100" not in key
    assert key1 == key1_later, "one bucket per client for the whole UTC day"
    assert key1 != other_client, "clients do not share a bucket"
    assert key1 != key2, "the key must change when the day changes"
