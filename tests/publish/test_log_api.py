"""The public log over HTTP: tlog-tiles files under /log/, JSON proofs and leaves under
/api/v1/log/, the receipt's proof file, witnesses' cosignatures; and bad requests get clear
errors."""

from __future__ import annotations

import base64
import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client, override_settings

from santui.statements.actions import statement_accept, statement_receive
from santui.tally import log
from santui.tally.actions import tally_integrate
from santui.tally.models import Cosignature
from santui.tlog import leaf as leafcodec
from santui.tlog import merkle, note, proof, tiles
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2007, 1, 3, 4, 0, tzinfo=dt.UTC)


@pytest.fixture
def populated() -> int:
    for i in range(300):
        AcceptedStatementFactory(received_at=DAY, headcount=1 + i % 2)
    return tally_integrate().size


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


def test_checkpoint_is_the_signed_note(client: Client, populated: int) -> None:
    for url in ("/log/checkpoint", "/api/v1/log/checkpoint"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        checkpoint, _ = note.open_checkpoint(response.content, log.log_signer().verifier)
        assert checkpoint.size == populated


def test_empty_log_has_no_checkpoint_yet(client: Client) -> None:
    assert client.get("/log/checkpoint").status_code == 404


def test_tiles_are_served_in_the_tlog_tiles_layout(client: Client, populated: int) -> None:
    full = client.get("/log/tile/0/000")
    assert full.status_code == 200 and len(full.content) == 256 * 32
    assert "immutable" in full["Cache-Control"]
    partial = client.get("/log/tile/0/001.p/44")
    assert partial.status_code == 200 and len(partial.content) == 44 * 32
    older = client.get(
        "/log/tile/0/001.p/10"
    )  # a partial tile a client of an older checkpoint asks
    assert older.content == partial.content[: 10 * 32]
    level1 = client.get("/log/tile/1/000.p/1")
    assert level1.content == merkle.perfect_root(tiles.tile_hashes(full.content))
    bundle = client.get("/log/tile/entries/001.p/44")
    assert tiles.parse_bundle(bundle.content) == log.leaves(256, 300)


@pytest.mark.parametrize(
    "path",
    [
        "0/001",  # not full yet
        "0/001.p/45",  # wider than the log
        "0/002.p/1",  # past the end
        "2/000.p/1",  # a level the log does not have
        "0/000.p/256",  # a full tile is never addressed as partial
        "0/000.p/0",
        "0/00",
        "0/x000/000",
        "0/../000",
        "entries/999999999999999999999999",
        "64/000",
        "0/000.p/0044",
    ],
)
def test_tiles_that_do_not_exist_are_404(client: Client, populated: int, path: str) -> None:
    assert client.get(f"/log/tile/{path}").status_code == 404


def test_inclusion_proof_json_verifies(client: Client, populated: int) -> None:
    root = log.latest_checkpoint().root  # type: ignore[union-attr]
    for index in (0, 200, 299):
        body = client.get("/api/v1/log/proof/inclusion", {"index": index}).json()
        assert body["size"] == populated
        leaf_hash = merkle.leaf_hash(_b64(body["leaf"]))
        assert _b64(body["leaf_hash"]) == leaf_hash
        hashes = [_b64(h) for h in body["hashes"]]
        merkle.verify_inclusion(index, populated, leaf_hash, hashes, bytes(root))


def test_consistency_proof_json_verifies(client: Client, populated: int) -> None:
    first = AcceptedStatementFactory(received_at=DAY)
    del first
    old = log.latest_checkpoint()
    tally_integrate()
    new = log.latest_checkpoint()
    assert old is not None and new is not None
    body = client.get("/api/v1/log/proof/consistency", {"from": old.size, "to": new.size}).json()
    hashes = [_b64(h) for h in body["hashes"]]
    merkle.verify_consistency(old.size, new.size, bytes(old.root), bytes(new.root), hashes)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/log/proof/inclusion", {}),
        ("/api/v1/log/proof/inclusion", {"index": "300"}),
        ("/api/v1/log/proof/inclusion", {"index": "-1"}),
        ("/api/v1/log/proof/inclusion", {"index": "1", "size": "301"}),
        ("/api/v1/log/proof/inclusion", {"index": "１"}),  # full-width digit
        ("/api/v1/log/proof/inclusion", {"index": "9" * 40}),
        ("/api/v1/log/proof/consistency", {"from": "10", "to": "5"}),
        ("/api/v1/log/proof/consistency", {"from": "x"}),
        ("/api/v1/log/entries", {"start": "5", "end": "5"}),
        ("/api/v1/log/entries", {"start": "0", "end": "1001"}),
        ("/api/v1/log/entries", {"start": "299", "end": "301"}),
        ("/api/v1/log/entries", {"start": "<script>"}),
    ],
)
def test_bad_parameters_get_a_clear_400(
    client: Client, populated: int, url: str, params: dict[str, str]
) -> None:
    response = client.get(url, params)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "bad_request" and body["detail"]


def test_entries_are_decoded_and_match_the_leaves(client: Client, populated: int) -> None:
    body = client.get("/api/v1/log/entries", {"start": "250", "end": "260"}).json()
    assert [e["index"] for e in body["leaves"]] == list(range(250, 260))
    for entry in body["leaves"]:
        leaf = leafcodec.decode(_b64(entry["leaf"]))
        assert isinstance(leaf, leafcodec.AddLeaf)
        assert entry["kind"] == "add" and entry["day"] == "2007-01-03"
        assert entry["headcount"] == leaf.headcount
        assert entry["commitment"] == leaf.commitment.hex()
    default = client.get("/api/v1/log/entries", {"start": "0"}).json()
    assert default["end"] == 300


def test_receipt_page_shows_the_leaf_and_the_proof_file_verifies(client: Client) -> None:
    got = statement_receive(
        channel="web", organizations=["league"], name_kind="alias", source="web", via="t",
        received_at=DAY, issue_receipt=True,
    )  # fmt: skip
    AcceptedStatementFactory(received_at=DAY)
    code = got.receipt_code or ""
    page = client.post("/receipt/", {"code": code})
    assert page.status_code == 200
    assert "/receipt/proof/" not in page.content.decode()  # not counted yet: no leaf, no proof
    statement_accept(statement=got.statement, by=None, via="t")
    tally_integrate()
    page = client.post("/receipt/", {"code": code}).content.decode()
    assert "tlog-proof" in page and log.log_signer().verifier.vkey in page
    response = client.post("/receipt/proof/", {"code": code})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert re.match(
        r'attachment; filename="santui-\d+\.tlog-proof"', response["Content-Disposition"]
    )
    parsed = proof.parse(response.content)
    checkpoint, _ = note.open_checkpoint(parsed.checkpoint, log.log_signer().verifier)
    assert parsed.extra is not None
    merkle.verify_inclusion(
        parsed.index, checkpoint.size, merkle.leaf_hash(parsed.extra), parsed.hashes,
        checkpoint.root,
    )  # fmt: skip
    leaf = leafcodec.decode(parsed.extra)
    assert isinstance(leaf, leafcodec.AddLeaf)
    secret = leafcodec.receipt_secret(code.replace("-", "")[:32])  # no check character
    assert leaf.commitment == leafcodec.receipt_commitment(secret)


def test_proof_download_refuses_get_bad_and_unknown_codes(client: Client, populated: int) -> None:
    assert client.get("/receipt/proof/").status_code == 405
    assert client.post("/receipt/proof/", {"code": "not a code"}).status_code == 400
    unknown = "AAAA-" * 7 + "AAAA"
    assert client.post("/receipt/proof/", {"code": unknown}).status_code == 404


def test_cosignatures_of_known_witnesses_are_kept_and_served(
    client: Client, populated: int
) -> None:
    witness = note.Signer.generate("witness.example", note.COSIGNATURE_V1)
    stranger = note.Signer.generate("stranger.example", note.COSIGNATURE_V1)
    signed = note.parse(client.get("/log/checkpoint").content)
    ours = note.cosign(signed.text, witness, 1_700_000_000)
    theirs = note.cosign(signed.text, stranger, 1_700_000_000)
    body = str(note.Note(signed.text, (*signed.signatures, ours, theirs)))
    with override_settings(SANTUI_WITNESS_KEYS=[witness.verifier.vkey]):
        response = client.post("/api/v1/log/cosignature", body, content_type="text/plain")
    assert response.status_code == 201, response.content
    assert list(Cosignature.objects.values_list("witness", flat=True)) == ["witness.example"]
    served = note.parse(client.get("/log/checkpoint").content)
    assert note.verify_cosignature(served, witness.verifier) == 1_700_000_000
    assert all(s.name != "stranger.example" for s in served.signatures)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe not utf-8",
        b"x" * 20_000,
        "santui.localhost/log\n1\nAAAA\n\n\u2014 w x\n".encode(),
    ],
)
def test_bad_cosignature_submissions_are_refused(
    client: Client, populated: int, body: bytes
) -> None:
    witness = note.Signer.generate("witness.example", note.COSIGNATURE_V1)
    with override_settings(SANTUI_WITNESS_KEYS=[witness.verifier.vkey]):
        response = client.post("/api/v1/log/cosignature", body, content_type="text/plain")
    assert response.status_code in (400, 413)
    assert not Cosignature.objects.exists()


def test_cosignature_on_a_checkpoint_the_log_never_signed_is_refused(
    client: Client, populated: int
) -> None:
    witness = note.Signer.generate("witness.example", note.COSIGNATURE_V1)
    liar = note.Signer.generate(log.log_signer().name)
    text = note.Checkpoint(liar.name, populated, b"\x01" * 32).text
    forged = note.parse(note.sign(text, liar))
    body = str(note.Note(text, (*forged.signatures, note.cosign(text, witness, 1))))
    with override_settings(SANTUI_WITNESS_KEYS=[witness.verifier.vkey]):
        response = client.post("/api/v1/log/cosignature", body, content_type="text/plain")
    assert response.status_code == 400
    assert "never signed" in response.content.decode()


def test_every_api_route_is_in_the_openapi_document(client: Client) -> None:
    from django.urls import get_resolver

    paths = client.get("/api/v1/openapi.json").json()["paths"]
    api_routes = {
        "/" + str(route.pattern)
        for app in get_resolver().url_patterns
        if hasattr(app, "url_patterns")
        for route in app.url_patterns
        if str(route.pattern).startswith(("api/v1/", "log/"))
        and "openapi" not in str(route.pattern)
    }
    api_routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", r) for r in api_routes}
    assert api_routes, "no API routes found"
    assert api_routes <= set(paths), sorted(api_routes - set(paths))


def test_proof_downloads_share_the_receipt_door(client: Client, settings: Any) -> None:
    """The proof download tells whether a code is counted, as the look-up does: it counts at the
    look-up's door, and over the rate it looks nothing up (a known and an unknown code get the
    same answer) and sends the holder to /receipt/, whose form asks the sum."""
    settings.RATELIMIT_ENABLE = True
    settings.SANTUI_RECEIPT_RATE = "2/h"
    got = statement_receive(
        channel="web", organizations=["league"], name_kind="alias", source="web", via="t",
        received_at=DAY, issue_receipt=True,
    )  # fmt: skip
    statement_accept(statement=got.statement, by=None, via="t")
    tally_integrate()
    code = got.receipt_code or ""
    unknown = "AAAA-" * 7 + "AAAA"
    assert client.post("/receipt/proof/", {"code": code}).status_code == 200
    assert client.post("/receipt/proof/", {"code": unknown}).status_code == 404
    known, other = (client.post("/receipt/proof/", {"code": c}) for c in (code, unknown))
    assert known.status_code == other.status_code == 429
    assert known.content == other.content and b"/receipt/" in known.content
    assert known["Retry-After"] == "60"
    fresh = Client(REMOTE_ADDR="192.0.2.201")  # another connection is not counted with it
    assert fresh.post("/receipt/proof/", {"code": code}).status_code == 200
