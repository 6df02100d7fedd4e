"""/data/ and /data/<filename>: the page documents every file from the same schemas, each file
is served as a download, byte for byte what `santui export` writes, and hostile names get 404."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.core.management import call_command
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client

from santui.publish.caching import forget_state
from santui.tally.actions import tally_integrate
from santui.tally.opendata import schemas
from santui.tally.opendata.datasets import snapshot
from tests.factories import AcceptedStatementFactory
from tests.tally.test_opendata import SECRET_NAME, SECRET_TEXT, at, figures, read_rows

pytestmark = pytest.mark.django_db

__all__ = ["figures"]  # the fixture, shared with the export tests


def close(response: Any) -> None:
    """Close a response as the server does once it is sent, without the request_finished signal
    closing the test's database connection (Django's test client does the same)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def body(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


@pytest.fixture(autouse=True)
def _fresh_state() -> None:
    forget_state()


@pytest.mark.parametrize(
    ("language", "phrase"), [("en", "Open data"), ("zh-hans", "lang=\"zh-Hans\""),
                             ("zh-hant", "lang=\"zh-Hant\"")],
)  # fmt: skip
def test_page_documents_every_file_and_column(
    client: Client, figures: dict[str, Any], language: str, phrase: str
) -> None:
    response = client.get("/data/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert phrase in html
    for name in [*schemas.FILES, schemas.DESCRIPTOR]:
        assert f'href="/data/{name}"' in html
    for dataset in schemas.DATASETS:
        assert f'id="{dataset.name}"' in html
        for field in dataset.fields:
            assert f"<code>{field.name}</code>" in html
    assert "https://creativecommons.org/licenses/by/4.0/" in html
    snap = snapshot()
    assert snap.root_base64 and snap.root_base64 in html
    assert "ETag" in response and "style=" not in html and "<script" not in html


def test_page_in_english_explains_units_and_suppression(
    client: Client, figures: dict[str, Any]
) -> None:
    html = client.get("/data/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "a figure of fewer than 10 persons is withheld" in html
    assert "<td>persons</td>" in html and "<td>statements</td>" in html
    assert "Every release of breakdowns, oldest first" in html


def test_empty_registry_page_and_files(client: Client) -> None:
    assert client.get("/data/").status_code == 200
    for name in [*schemas.FILES, schemas.DESCRIPTOR]:
        response = client.get(f"/data/{name}")
        assert response.status_code == 200
        close(response)  # as the server does once sent: a streamed file frees its slot


def test_every_file_is_served_as_a_download(client: Client, figures: dict[str, Any]) -> None:
    for name, file in schemas.FILES.items():
        response = client.get(f"/data/{name}")
        assert response.status_code == 200, name
        assert response["Content-Type"] == file.media_type
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
        assert response.streaming is file.dataset.streamed
        assert read_rows(name, body(response)) is not None
    package = client.get("/data/datapackage.json")
    assert package["Content-Type"] == "application/json"
    assert orjson.loads(package.content)["log"]["size"] == snapshot().size


def test_cached_responses_keep_their_headers(client: Client, figures: dict[str, Any]) -> None:
    first = client.get("/data/daily.csv")
    second = client.get("/data/daily.csv")  # from the page cache
    assert second.content == first.content
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert second["Content-Type"] == first["Content-Type"]
    again = client.get("/data/daily.csv", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_files_follow_a_new_integration(client: Client, figures: dict[str, Any]) -> None:
    before = body(client.get("/data/statements.csv"))
    tally_integrate()  # the queued statement of the fixture
    forget_state()
    after = body(client.get("/data/statements.csv"))
    assert after.startswith(before) and len(after) > len(before)
    assert len(read_rows("daily.csv", client.get("/data/daily.csv").content)) == 5


def test_web_files_are_the_exported_bytes(
    client: Client, figures: dict[str, Any], tmp_path: Path
) -> None:
    call_command("export", str(tmp_path), "--no-progress", stdout=io.StringIO())
    for name in schemas.FILES:
        assert body(client.get(f"/data/{name}")) == (tmp_path / name).read_bytes(), name
    exported = orjson.loads((tmp_path / schemas.DESCRIPTOR).read_bytes())
    for resource in exported["resources"]:
        assert resource.pop("bytes") > 0 and resource.pop("hash").startswith("sha256:")
    assert exported == orjson.loads(client.get("/data/datapackage.json").content)


def test_files_are_the_same_in_every_language(client: Client, figures: dict[str, Any]) -> None:
    for name in ("daily.parquet", "regions.json", schemas.DESCRIPTOR, "statements.csv"):
        en = body(client.get(f"/data/{name}", HTTP_ACCEPT_LANGUAGE="en"))
        zh = body(client.get(f"/data/{name}", HTTP_ACCEPT_LANGUAGE="zh-hant"))
        assert en == zh, name


def test_unpublished_statements_are_not_served(client: Client, figures: dict[str, Any]) -> None:
    for name in ("statements.csv", "statements.jsonl"):
        text = body(client.get(f"/data/{name}")).decode()
        assert SECRET_NAME not in text and SECRET_TEXT not in text
    assert SECRET_NAME not in client.get("/data/").content.decode()


def test_head_gives_headers_without_building_the_stream(
    client: Client, figures: dict[str, Any]
) -> None:
    response = client.head("/data/statements.parquet")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    assert body(response) == b""


@pytest.mark.parametrize(
    "path",
    [
        "/data/nothing.csv",
        "/data/daily.xlsx",
        "/data/DAILY.CSV",
        "/data/daily.csv%00",
        "/data/%00",
        "/data/daily.csv/",
        "/data/../settings.py",
        "/data/..%2f..%2fetc%2fpasswd",
        "/data/%2e%2e%2fdatapackage.json",
        "/data/%ff%fe.csv",
        "/data/%E4%B8%89.csv",
        "/data/" + "a" * 10_000,
        "/data/daily.csv%20",
        "/data/.daily.csv.tmp",
        "/data/statements",
    ],
)
def test_unknown_and_hostile_names_are_404(client: Client, path: str) -> None:
    AcceptedStatementFactory(received_at=at("2005-04-20"), publish=True)
    tally_integrate()
    assert client.get(path).status_code == 404


def test_other_methods_are_refused(client: Client) -> None:
    assert client.post("/data/daily.csv").status_code == 405
    assert client.post("/data/").status_code == 405
    assert client.put("/data/daily.csv").status_code == 405


def test_one_statements_stream_at_a_time_per_process(
    client: Client, figures: dict[str, Any]
) -> None:
    from santui.publish import dataviews

    first = client.get("/data/statements.csv")  # streaming: holds the slot until closed
    assert first.status_code == 200
    busy = client.get("/data/statements.jsonl")
    assert busy.status_code == 503
    assert busy["Retry-After"] == str(dataviews.RETRY_SECONDS)
    assert client.get("/data/daily.csv").status_code == 200  # small files are not held up
    assert b"number" in body(first)
    close(first)  # what the server does once the file is sent (or the client went away)
    again = client.get("/data/statements.jsonl")
    assert again.status_code == 200
    close(again)  # closed unread: the slot comes back all the same
    last = client.get("/data/statements.parquet")
    assert last.status_code == 200
    close(last)
