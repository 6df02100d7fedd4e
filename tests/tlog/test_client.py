"""The independent verifier and the witness against logs published in a directory.

Each log is written in the C2SP tlog-tiles layout (``checkpoint``, ``tile/<L>/<N>[.p/<W>]``,
``tile/entries/<N>[.p/<W>]``) with a ``stats.json`` shaped like the site's stats document
(tests/tlog/helpers.py). The honest log verifies; each lie is caught, and the problem says which.
The CLI (``santui.tlog.cli.main``) is driven end to end on the same directories.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import http.server
import json
import shutil
import struct
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from santui.tlog import cli, client, note, proof
from santui.tlog import leaf as leafcodec
from santui.tlog.merkle import inclusion_proof, leaf_hash
from santui.tlog.tiles import MemoryTiles, subtree_reader

from .helpers import EPOCH_DAY, add_leaf, stats_document, write_log

ORIGIN = "log.santui.example"


def key(name: str, n: int, kind: int = note.ED25519) -> note.Signer:
    return note.Signer(name, kind, hashlib.sha256(b"%s %d" % (name.encode(), n)).digest())


LOG = key(ORIGIN, 0)
IMPOSTOR = key(ORIGIN, 1)  # same name, another key
WITNESS = key("witness.example", 0, note.COSIGNATURE_V1)


def honest_leaves(count: int = 300) -> list[bytes]:
    """Adds over five days, a full entry bundle and a partial one, and two revokes."""
    leaves = [add_leaf(i) for i in range(count - 2)]
    return [*leaves, leafcodec.encode_revoke(5, "duplicate"), leafcodec.encode_revoke(17, "spam")]


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "state" / "verify.json"


def publish(
    path: Path,
    leaves: list[bytes],
    *,
    witnesses: Sequence[note.Signer] = (),
    stats: dict[str, Any] | None = None,
) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    write_log(path, LOG, leaves, witnesses=witnesses, stats=stats)
    return path


def audit(
    path: Path,
    state: Path,
    *,
    verifier: note.Verifier = LOG.verifier,
    witnesses: tuple[note.Verifier, ...] = (),
) -> client.Verdict:
    return client.LogVerifier(client.Source(str(path)), verifier, state, witnesses).run()


def assert_caught(verdict: client.Verdict, tag: str, *words: str) -> None:
    assert not verdict.ok
    matching = [p for p in verdict.problems if p.startswith(tag)]
    assert matching, verdict.problems
    assert any(all(w in p for w in words) for p in matching), verdict.problems


# --- the honest log -------------------------------------------------------------------------------


def test_the_honest_log_verifies(tmp_path: Path, state: Path) -> None:
    leaves = honest_leaves()
    directory = publish(tmp_path / "log", leaves)
    assert (directory / "tile" / "0" / "000").stat().st_size == 8192
    assert (directory / "tile" / "0" / "001.p" / "44").stat().st_size == 44 * 32
    assert (directory / "tile" / "1" / "000.p" / "1").exists()
    assert (directory / "tile" / "entries" / "001.p" / "44").exists()

    verdict = audit(directory, state)
    assert verdict.ok, verdict.problems
    assert (verdict.origin, verdict.size) == (ORIGIN, 300)
    assert any("300 leaves hash to the signed root" in c for c in verdict.checks)
    assert any("every hash tile is the hash of the published leaves" in c for c in verdict.checks)
    assert any("stats at size 300 match the log" in c for c in verdict.checks)
    seen = client.load_seen(state)
    assert seen is not None and (seen.size, seen.origin) == (300, ORIGIN)

    # the same log again, and then grown: both consistent with what was seen
    assert audit(directory, state).ok
    grown = publish(tmp_path / "grown", [*leaves, *(add_leaf(i) for i in range(300, 700))])
    verdict = audit(grown, state)
    assert verdict.ok, verdict.problems
    assert any("consistent with checkpoint 300" in c for c in verdict.checks)


@pytest.mark.parametrize("size", [0, 1, 255, 256, 257, 513])
def test_honest_logs_of_edge_sizes_verify(tmp_path: Path, state: Path, size: int) -> None:
    verdict = audit(publish(tmp_path / "log", [add_leaf(i) for i in range(size)]), state)
    assert verdict.ok, verdict.problems
    assert verdict.size == size


def test_stats_of_an_older_size_are_checked_at_that_size(tmp_path: Path, state: Path) -> None:
    leaves = honest_leaves()
    directory = publish(tmp_path / "log", leaves, stats=stats_document(leaves[:250]))
    verdict = audit(directory, state)
    assert verdict.ok, verdict.problems
    assert any("stats at size 250" in c for c in verdict.checks)


def test_one_verifier_watching_a_growing_log(tmp_path: Path, state: Path) -> None:
    leaves = [add_leaf(i) for i in range(1000)]
    directory = publish(tmp_path / "log", [])
    verifier = client.LogVerifier(client.Source(str(directory)), LOG.verifier, state)
    for size in (100, 100, 256, 300, 1000):
        shutil.rmtree(directory, ignore_errors=True)
        publish(directory, leaves[:size])
        verdict = verifier.run()
        assert verdict.ok, (size, verdict.problems)
    # the bundle that was partial at 300 is re-read: a change inside it is caught
    altered = [*leaves[:260], add_leaf(5000), *leaves[261:1000]]
    shutil.rmtree(directory)
    publish(directory, altered)
    assert not verifier.run().ok


# --- lies ---------------------------------------------------------------------------------------


def copy_entries(source: Path, target: Path) -> None:
    """Replace the entry bundles of ``target`` with those of ``source``, nothing else."""
    shutil.rmtree(target / "tile" / "entries")
    shutil.copytree(source / "tile" / "entries", target / "tile" / "entries")


def test_a_removed_leaf_is_caught(tmp_path: Path, state: Path) -> None:
    leaves = honest_leaves()
    directory = publish(tmp_path / "log", leaves)
    # the leaf is gone from the entries; the signed checkpoint and the hash tiles stay
    bundle = directory / "tile" / "entries" / "000"
    data = bundle.read_bytes()
    length = struct.unpack(">H", data[:2])[0]
    bundle.write_bytes(data[2 + length :])
    assert_caught(audit(directory, state), "LEAVES", "bundle 0")


def test_a_removed_leaf_with_everything_recomputed_is_caught(tmp_path: Path, state: Path) -> None:
    leaves = honest_leaves()
    assert audit(publish(tmp_path / "seen", leaves), state).ok
    removed = leaves[:40] + leaves[41:]  # every file recomputed and signed again
    assert_caught(audit(publish(tmp_path / "shorter", removed), state), "ROLLBACK", "299", "300")
    # ... and grown past the size seen, so that the size alone says nothing
    grown = [*removed, *(add_leaf(i) for i in range(1000, 1010))]
    assert_caught(audit(publish(tmp_path / "grown", grown), state), "FORK", "309", "300")


def test_a_removed_leaf_shifting_the_entries_under_the_old_checkpoint_is_caught(
    tmp_path: Path, state: Path
) -> None:
    leaves = honest_leaves()
    directory = publish(tmp_path / "log", leaves)
    shorter = publish(tmp_path / "shorter", leaves[:40] + leaves[41:])
    copy_entries(shorter, directory)  # 299 entries under a checkpoint of 300
    assert_caught(audit(directory, state), "LEAVES")


def test_an_altered_leaf_is_caught(tmp_path: Path, state: Path) -> None:
    leaves = honest_leaves()
    directory = publish(tmp_path / "log", leaves)
    altered = list(leaves)
    altered[123] = add_leaf(123, headcount=50)  # a valid leaf, more persons
    copy_entries(publish(tmp_path / "altered", altered), directory)
    assert_caught(audit(directory, state), "LEAVES", "do not hash to the signed root")


def test_an_altered_leaf_with_everything_recomputed_is_a_fork(tmp_path: Path, state: Path) -> None:
    leaves = honest_leaves()
    assert audit(publish(tmp_path / "seen", leaves), state).ok
    altered = list(leaves)
    altered[123] = add_leaf(123, headcount=50)
    assert_caught(
        audit(publish(tmp_path / "altered", altered), state), "FORK", "two checkpoints of size 300"
    )


def flip_tile_byte(tile: Path, offset: int) -> None:
    data = bytearray(tile.read_bytes())
    data[offset] ^= 1
    tile.write_bytes(bytes(data))


def test_an_altered_partial_hash_tile_is_caught(tmp_path: Path, state: Path) -> None:
    directory = publish(tmp_path / "log", honest_leaves())
    flip_tile_byte(directory / "tile" / "0" / "001.p" / "44", 100)
    assert_caught(audit(directory, state), "TILES")


def test_an_altered_full_hash_tile_is_caught(tmp_path: Path, state: Path) -> None:
    """Mirrors serve every tile and clients build proofs from them: each must be checked,
    not only those on the tree's right edge (here tile/0/000, under tile/1/000.p/1)."""
    directory = publish(tmp_path / "log", honest_leaves())
    flip_tile_byte(directory / "tile" / "0" / "000", 100)
    assert_caught(audit(directory, state), "TILES")


def test_a_forked_log_of_the_same_size_is_caught(tmp_path: Path, state: Path) -> None:
    leaves = honest_leaves()
    assert audit(publish(tmp_path / "a", leaves), state).ok
    other = [add_leaf(i + 10_000) for i in range(300)]
    verdict = audit(publish(tmp_path / "b", other), state)
    assert_caught(verdict, "FORK", "two checkpoints of size 300", "different roots")
    # the fork was not accepted: the honest log still verifies afterwards
    assert audit(tmp_path / "a", state).ok


def test_a_bigger_log_whose_first_leaves_differ_is_caught(tmp_path: Path, state: Path) -> None:
    leaves = honest_leaves()
    assert audit(publish(tmp_path / "a", leaves), state).ok
    forked = [add_leaf(10_000), *leaves[1:], *(add_leaf(i) for i in range(300, 600))]
    verdict = audit(publish(tmp_path / "b", forked), state)
    assert_caught(verdict, "FORK", "checkpoint 600 is not consistent with checkpoint 300")


def test_a_rolled_back_log_is_caught(tmp_path: Path, state: Path) -> None:
    leaves = honest_leaves()
    assert audit(publish(tmp_path / "a", leaves), state).ok
    verdict = audit(publish(tmp_path / "b", leaves[:200]), state)
    assert_caught(verdict, "ROLLBACK", "200", "300")
    seen = client.load_seen(state)
    assert seen is not None and seen.size == 300


def test_stats_totals_that_differ_from_the_log_are_caught(tmp_path: Path, state: Path) -> None:
    leaves = honest_leaves()
    honest = stats_document(leaves)
    lies: list[tuple[dict[str, object], str, tuple[str, ...]]] = [
        ({**honest, "persons": honest["persons"] + 1}, "STATS", ("persons published",)),
        ({**honest, "statements": honest["statements"] - 1}, "STATS", ("statements published",)),
        (
            {**honest, "organizations": {**honest["organizations"], "league": 0}},
            "STATS",
            ("org:league published 0",),
        ),
        ({**honest, "log_size": 301}, "STATS", ("log_size 301",)),
        ({**honest, "from": "2024-01-01"}, "STATS", ("filtered",)),
    ]
    for i, (stats, tag, words) in enumerate(lies):
        directory = publish(tmp_path / f"log{i}", leaves, stats=stats)
        assert_caught(audit(directory, tmp_path / f"state{i}.json"), tag, *words)


def test_a_day_whose_persons_differ_from_the_log_is_caught(tmp_path: Path, state: Path) -> None:
    leaves = honest_leaves()
    stats = stats_document(leaves)
    daily = [dict(row) for row in stats["daily"]]
    daily[2]["persons"] += 3  # the totals still add up: only this day is wrong
    daily[3]["persons"] -= 3
    day = daily[2]["date"]
    directory = publish(tmp_path / "log", leaves, stats={**stats, "daily": daily})
    assert_caught(audit(directory, state), "STATS", f"{day} published")
    # a day the log has that the stats leave out is caught too
    directory = publish(tmp_path / "log2", leaves, stats={**stats, "daily": daily[1:]})
    assert_caught(
        audit(directory, tmp_path / "s2.json"), "STATS", f"{daily[0]['date']} published 0"
    )


def test_a_bad_checkpoint_signature_is_caught(tmp_path: Path, state: Path) -> None:
    directory = publish(tmp_path / "log", honest_leaves())
    signed = note.parse((directory / "checkpoint").read_text())
    sig = signed.signatures[0]
    bad = note.Signature(
        sig.name, sig.key_id, sig.raw[:10] + bytes([sig.raw[10] ^ 4]) + sig.raw[11:]
    )
    (directory / "checkpoint").write_text(str(note.Note(signed.text, (bad,))))
    assert_caught(audit(directory, state), "CHECKPOINT", "does not verify")


def test_a_checkpoint_whose_text_was_changed_is_caught(tmp_path: Path, state: Path) -> None:
    directory = publish(tmp_path / "log", honest_leaves())
    text = (directory / "checkpoint").read_text()
    (directory / "checkpoint").write_text(text.replace("\n300\n", "\n299\n", 1))
    assert_caught(audit(directory, state), "CHECKPOINT", "does not verify")


def test_a_wrong_key_is_caught(tmp_path: Path, state: Path) -> None:
    directory = publish(tmp_path / "log", honest_leaves())
    assert_caught(audit(directory, state, verifier=IMPOSTOR.verifier), "CHECKPOINT", "not signed")
    other = key("other.example", 0)
    assert_caught(audit(directory, state, verifier=other.verifier), "CHECKPOINT")
    # the log signed by another key under the log's name
    write_log(directory, IMPOSTOR, honest_leaves())
    assert_caught(audit(directory, state), "CHECKPOINT", "not signed")


def test_a_missing_witness_cosignature_is_caught(tmp_path: Path, state: Path) -> None:
    leaves = honest_leaves()
    uncosigned = publish(tmp_path / "plain", leaves)
    assert_caught(
        audit(uncosigned, state, witnesses=(WITNESS.verifier,)), "WITNESS", "not cosigned"
    )
    cosigned = publish(tmp_path / "cosigned", leaves, witnesses=[WITNESS])
    verdict = audit(cosigned, state, witnesses=(WITNESS.verifier,))
    assert verdict.ok, verdict.problems
    assert any("cosigned by witness witness.example" in c for c in verdict.checks)
    # a cosignature by another key of the same name is not the witness's
    impostor = key("witness.example", 1, note.COSIGNATURE_V1)
    forged = publish(tmp_path / "forged", leaves, witnesses=[impostor])
    assert_caught(audit(forged, state, witnesses=(WITNESS.verifier,)), "WITNESS")


def test_a_leaf_that_is_not_a_leaf_is_reported(tmp_path: Path, state: Path) -> None:
    leaves = honest_leaves()
    leaves[10] = b"\x01\x09 junk"
    directory = publish(tmp_path / "log", leaves, stats=stats_document(honest_leaves()))
    assert_caught(audit(directory, state), "LEAF 10")


def test_a_leaf_dated_past_the_calendar_is_reported_not_raised(tmp_path: Path, state: Path) -> None:
    """Leaf bytes come from the untrusted log: the verifier reports them, it does not crash."""
    leaves = honest_leaves()
    leaves[10] = b"\x01\x00" + b"\xff\xff\xff\xff" + b"\x00\x00\x00\x01\x01" + bytes(32)
    directory = publish(tmp_path / "log", leaves, stats=stats_document(honest_leaves()))
    assert_caught(audit(directory, state), "LEAF 10")


@pytest.mark.parametrize(
    "change",
    [
        {"organizations": "many"},
        {"daily": 5},
        {"daily": [{"date": "2024-01-01"}]},
        {"daily": [["2024-01-01", 3]]},
        {"log_size": "300"},
        {"persons": None},
    ],
    ids=str,
)
def test_a_malformed_stats_document_is_reported_not_raised(
    tmp_path: Path, state: Path, change: dict[str, object]
) -> None:
    leaves = honest_leaves()
    directory = publish(tmp_path / "log", leaves, stats={**stats_document(leaves), **change})
    assert_caught(audit(directory, state), "STATS")


def test_missing_files_are_reported(tmp_path: Path, state: Path) -> None:
    directory = publish(tmp_path / "log", honest_leaves())
    (directory / "tile" / "0" / "001.p" / "44").unlink()
    assert_caught(audit(directory, state), "TILES")
    directory = publish(tmp_path / "log2", honest_leaves())
    (directory / "tile" / "entries" / "001.p" / "44").unlink()
    assert_caught(audit(directory, tmp_path / "s2.json"), "LEAVES")
    (directory / "checkpoint").unlink()
    assert_caught(audit(directory, tmp_path / "s3.json"), "CHECKPOINT")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A web server on the loopback interface serving ``tmp_path / "site"``: the log under
    ``/log/`` and the stats under ``/api/v1/stats``, as santui publishes them."""
    root = tmp_path / "site"
    root.mkdir()
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_log_served_over_http_verifies_and_lies_are_caught(
    site: tuple[str, Path], state: Path
) -> None:
    url, root = site
    leaves = honest_leaves()
    publish(root / "log", leaves)
    (root / "api" / "v1").mkdir(parents=True)
    shutil.move(root / "log" / "stats.json", root / "api" / "v1" / "stats")
    for spec in (url, url + "/", url + "/log", url + "/log/"):
        source = client.Source(spec)
        assert source.root == url + "/log/"
        assert source.stats_location == url + "/api/v1/stats"
    verdict = client.LogVerifier(client.Source(url), LOG.verifier, state).run()
    assert verdict.ok, verdict.problems
    assert any("stats at size 300 match the log" in c for c in verdict.checks)

    stats = json.loads((root / "api" / "v1" / "stats").read_text())
    (root / "api" / "v1" / "stats").write_text(json.dumps({**stats, "persons": 7}))
    verdict = client.LogVerifier(client.Source(url), LOG.verifier, state).run()
    assert_caught(verdict, "STATS", "persons published 7")
    (root / "log" / "tile" / "entries" / "000").unlink()
    verdict = client.LogVerifier(client.Source(url), LOG.verifier, state).run()
    assert_caught(verdict, "LEAVES", "HTTP 404")


def test_a_source_is_a_url_or_a_directory(tmp_path: Path) -> None:
    with pytest.raises(client.SourceError):
        client.Source(str(tmp_path / "missing"))
    with pytest.raises(client.SourceError):
        client.Source("ftp://example.org/log")


# --- the witness ----------------------------------------------------------------------------------


def test_the_witness_cosigns_a_consistent_checkpoint(tmp_path: Path) -> None:
    wstate = tmp_path / "witness.json"
    leaves = honest_leaves()
    directory = publish(tmp_path / "a", leaves)
    before = int(time.time())
    cosigned, problems = client.witness_cosign(
        client.Source(str(directory)), LOG.verifier, WITNESS, wstate
    )
    assert problems == []
    parsed = note.parse(cosigned)
    assert before - 1 <= note.verify_cosignature(parsed, WITNESS.verifier) <= time.time() + 1
    note.verify(parsed, LOG.verifier)
    assert note.parse_checkpoint(parsed.text).size == 300
    # grown consistently: cosigned again
    grown = publish(tmp_path / "b", [*leaves, *(add_leaf(i) for i in range(300, 400))])
    cosigned, problems = client.witness_cosign(
        client.Source(str(grown)), LOG.verifier, WITNESS, wstate
    )
    assert problems == [] and note.verify_cosignature(note.parse(cosigned), WITNESS.verifier)


def test_the_witness_refuses_an_inconsistent_checkpoint(tmp_path: Path) -> None:
    wstate = tmp_path / "witness.json"
    leaves = honest_leaves()
    source = client.Source(str(publish(tmp_path / "a", leaves)))
    assert client.witness_cosign(source, LOG.verifier, WITNESS, wstate)[1] == []
    for name, lie, tag in [
        ("fork", [add_leaf(10_000 + i) for i in range(300)], "FORK"),
        ("bigger", [add_leaf(10_000), *leaves[1:], add_leaf(301)], "FORK"),
        ("rollback", leaves[:299], "ROLLBACK"),
    ]:
        source = client.Source(str(publish(tmp_path / name, lie)))
        cosigned, problems = client.witness_cosign(source, LOG.verifier, WITNESS, wstate)
        assert cosigned == ""
        assert problems and problems[0].startswith(tag), problems
    source = client.Source(str(tmp_path / "a"))
    cosigned, problems = client.witness_cosign(source, IMPOSTOR.verifier, WITNESS, wstate)
    assert cosigned == "" and problems[0].startswith("CHECKPOINT")


Run = Callable[..., tuple[int, str]]


# --- the CLI --------------------------------------------------------------------------------------


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """``santui log ...`` in this process: the exit code and what it printed."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))

    def run(*argv: str) -> tuple[int, str]:
        code = cli.main(list(argv))
        return code, capsys.readouterr().out

    return run


def verify_args(directory: Path, state: Path, *extra: str) -> list[str]:
    return ["verify", str(directory), "--key", LOG.verifier.vkey, "--state", str(state), *extra]


def test_cli_verify_exits_0_for_an_honest_log(tmp_path: Path, state: Path, run: Run) -> None:
    directory = publish(tmp_path / "log", honest_leaves(), witnesses=[WITNESS])
    code, out = run(*verify_args(directory, state, "--quiet"))
    assert code == 0, out
    assert "VERIFIED: log.santui.example at size 300" in out
    keyfile = tmp_path / "log.vkey"
    keyfile.write_text(LOG.verifier.vkey + "\n")
    code, out = run(
        "verify", str(directory), "--key", str(keyfile), "--state", str(state),
        "--witness", WITNESS.verifier.vkey,
    )  # fmt: skip
    assert code == 0, out


def test_cli_verify_exits_1_for_each_lie(tmp_path: Path, run: Run) -> None:
    leaves = honest_leaves()
    honest = publish(tmp_path / "honest", leaves)
    stats = stats_document(leaves)

    def lie(name: str) -> Path:
        return publish(tmp_path / name, leaves)

    removed = lie("removed")
    copy_entries(publish(tmp_path / "shorter", leaves[:40] + leaves[41:]), removed)
    altered = lie("altered")
    copy_entries(
        publish(tmp_path / "alt", [*leaves[:9], add_leaf(9, headcount=9), *leaves[10:]]), altered
    )
    stats_lie = publish(tmp_path / "stats", leaves, stats={**stats, "persons": 1})
    day_lie = publish(
        tmp_path / "day",
        leaves,
        stats={**stats, "daily": stats["daily"][1:]},
    )
    bad_sig = lie("badsig")
    text = (bad_sig / "checkpoint").read_text()
    (bad_sig / "checkpoint").write_text(text.replace(ORIGIN + "\n300", ORIGIN + "\n301"))
    cases = {
        "removed leaf": (removed, "LEAVES"),
        "altered leaf": (altered, "LEAVES"),
        "stats total": (stats_lie, "STATS"),
        "stats day": (day_lie, "STATS"),
        "bad signature": (bad_sig, "CHECKPOINT"),
    }
    for name, (directory, tag) in cases.items():
        code, out = run(*verify_args(directory, tmp_path / f"{name}.json"))
        assert code == 1, (name, out)
        assert f"FAIL  {tag}" in out and "NOT VERIFIED" in out, (name, out)

    code, out = run("verify", str(honest), "--key", IMPOSTOR.verifier.vkey, "--state",
                    str(tmp_path / "impostor.json"))  # fmt: skip
    assert code == 1 and "FAIL  CHECKPOINT" in out, out
    code, out = run(*verify_args(honest, tmp_path / "w.json", "--witness", WITNESS.verifier.vkey))
    assert code == 1 and "FAIL  WITNESS" in out, out

    # forks and roll-backs, against what one state file saw
    state = tmp_path / "seen.json"
    assert run(*verify_args(honest, state))[0] == 0
    fork = publish(tmp_path / "fork", [add_leaf(10_000 + i) for i in range(300)])
    bigger = publish(tmp_path / "bigger", [add_leaf(10_000), *leaves[1:], add_leaf(300)])
    rollback = publish(tmp_path / "rollback", leaves[:100])
    for directory, tag in ((fork, "FORK"), (bigger, "FORK"), (rollback, "ROLLBACK")):
        code, out = run(*verify_args(directory, state))
        assert code == 1 and f"FAIL  {tag}" in out, out
    assert run(*verify_args(honest, state))[0] == 0


def test_cli_verify_watch_rounds(tmp_path: Path, state: Path, run: Run) -> None:
    directory = publish(tmp_path / "log", honest_leaves())
    code, out = run(*verify_args(directory, state, "--watch", "0", "--rounds", "3", "--quiet"))
    assert code == 0, out
    assert out.count("VERIFIED: log.santui.example at size 300") == 3
    history = state.with_suffix(".history.jsonl").read_text().splitlines()
    assert len(history) == 3 and json.loads(history[-1])["size"] == 300


def test_cli_cosign_and_witness_key(tmp_path: Path, run: Run) -> None:
    keyfile = tmp_path / "witness" / "key"
    code, out = run("witness-key", "w.example", "--out", str(keyfile))
    assert code == 0
    witness = note.parse_vkey(out.strip())
    assert witness.kind == note.COSIGNATURE_V1 and witness.name == "w.example"
    assert keyfile.stat().st_mode & 0o777 == 0o600
    assert run("witness-key", "w.example", "--out", str(keyfile))[0] == 2  # never overwritten

    leaves = honest_leaves()
    honest = publish(tmp_path / "honest", leaves)
    wstate = tmp_path / "wstate.json"
    args = ["--log-key", LOG.verifier.vkey, "--witness-key", str(keyfile), "--state", str(wstate)]
    code, out = run("cosign", str(honest), *args)
    assert code == 0, out
    assert note.verify_cosignature(note.parse(out), witness) > 0
    fork = publish(tmp_path / "fork", [add_leaf(10_000 + i) for i in range(300)])
    code, out = run("cosign", str(fork), *args)
    assert code == 1 and "FAIL  FORK" in out and "NOT COSIGNED" in out


# --- check-proof ----------------------------------------------------------------------------------

CODE = base64.b32encode(bytes(range(20))).decode()


def proof_log(tmp_path: Path) -> tuple[Path, list[bytes], str]:
    leaves = honest_leaves()
    commitment = leafcodec.receipt_commitment(leafcodec.receipt_secret(CODE))
    leaves[77] = leafcodec.encode_add(EPOCH_DAY + dt.timedelta(days=3), 2, 3, commitment)
    directory = publish(tmp_path / "log", leaves)
    return directory, leaves, (directory / "checkpoint").read_text()


def proof_file(
    path: Path, leaves: list[bytes], position: int, checkpoint: str, **change: Any
) -> Path:
    """A tlog-proof file for the leaf at ``position``, with ``change`` applied to its fields."""
    tiles = MemoryTiles()
    tiles.add(leaves, [leaf_hash(x) for x in leaves])
    hashes = inclusion_proof(position, len(leaves), subtree_reader(tiles.read))
    fields: dict[str, Any] = {"index": position, "hashes": hashes, "extra": leaves[position]}
    fields.update(change)
    path.write_text(
        proof.format_proof(fields["index"], fields["hashes"], checkpoint, fields["extra"])
    )
    return path


def test_cli_check_proof(tmp_path: Path, run: Run) -> None:
    _, leaves, checkpoint = proof_log(tmp_path)
    good = proof_file(tmp_path / "77.tlog-proof", leaves, 77, checkpoint)
    vkey = LOG.verifier.vkey

    code, out = run("check-proof", str(good), "--key", vkey)
    assert code == 0 and "VERIFIED" in out and "leaf 77 is in the tree" in out, out
    spaced = "-".join(CODE[i : i + 4] for i in range(0, 32, 4)).lower()
    for code_text in (CODE, spaced):
        code, out = run("check-proof", str(good), "--key", vkey, "--code", code_text)
        assert code == 0 and "commits to this receipt code" in out, out
    wrong = base64.b32encode(bytes(range(1, 21))).decode()
    code, out = run("check-proof", str(good), "--key", vkey, "--code", wrong)
    assert code == 1 and "does not commit to this receipt code" in out, out
    code, out = run("check-proof", str(good), "--key", vkey, "--code", "not a code")
    assert code == 1, out

    other = proof_file(tmp_path / "78.tlog-proof", leaves, 78, checkpoint)
    code, out = run("check-proof", str(other), "--key", vkey, "--code", CODE)
    assert code == 1 and "does not commit" in out, out
    revoke = proof_file(tmp_path / "299.tlog-proof", leaves, 299, checkpoint)
    assert run("check-proof", str(revoke), "--key", vkey)[0] == 0
    code, out = run("check-proof", str(revoke), "--key", vkey, "--code", CODE)
    assert code == 1 and "not an add leaf" in out, out


def test_cli_check_proof_refuses_bad_proofs(tmp_path: Path, run: Run) -> None:
    _, leaves, checkpoint = proof_log(tmp_path)
    vkey = LOG.verifier.vkey
    tiles = MemoryTiles()
    tiles.add(leaves, [leaf_hash(x) for x in leaves])
    hashes = inclusion_proof(77, len(leaves), subtree_reader(tiles.read))
    forged = bytearray(leaves[77])
    forged[7] += 1  # one more person
    bad = {
        "wrong index": {"index": 78},
        "index past the tree": {"index": 300},
        "altered leaf": {"extra": bytes(forged)},
        "no leaf": {"extra": None},
        "altered hash": {"hashes": [bytes(32), *hashes[1:]]},
        "short proof": {"hashes": hashes[:-1]},
    }
    for i, (name, change) in enumerate(bad.items()):
        path = proof_file(tmp_path / f"bad{i}", leaves, 77, checkpoint, **change)
        code, out = run("check-proof", str(path), "--key", vkey)
        assert code == 1 and "NOT VERIFIED" in out, (name, out)
    good = proof_file(tmp_path / "good", leaves, 77, checkpoint)
    assert run("check-proof", str(good), "--key", IMPOSTOR.verifier.vkey)[0] == 1
    tampered = tmp_path / "tampered"
    tampered.write_text(good.read_text().replace(f"\n{ORIGIN}\n300\n", f"\n{ORIGIN}\n301\n"))
    assert run("check-proof", str(tampered), "--key", vkey)[0] == 1
    garbage = tmp_path / "garbage"
    garbage.write_bytes(b"\xff\xfe not a proof")
    assert run("check-proof", str(garbage), "--key", vkey)[0] == 1
    assert run("check-proof", str(tmp_path / "missing"), "--key", vkey)[0] == 1


def test_cli_check_proof_reports_hostile_files_instead_of_crashing(
    tmp_path: Path, run: Run
) -> None:
    _, _, checkpoint = proof_log(tmp_path)
    vkey = LOG.verifier.vkey
    huge_index = tmp_path / "huge"
    huge_index.write_text(f"{proof.HEADER}\nindex {'9' * 5000}\n\n{checkpoint}")
    code, out = run("check-proof", str(huge_index), "--key", vkey)
    assert code == 1 and "NOT VERIFIED" in out, out


def test_stats_document_of_the_helper_is_the_documented_shape() -> None:
    doc = stats_document(honest_leaves())
    assert set(doc) >= {"log_size", "from", "to", "persons", "statements", "organizations", "daily"}
    assert set(doc["organizations"]) == {"party", "league", "pioneers"}
    row = doc["daily"][0]
    assert set(row) == {"date", "persons", "cumulative"}
    assert json.loads(json.dumps(doc)) == doc


def test_a_log_with_a_full_level_one_tile_verifies(tmp_path: Path, state: Path) -> None:
    # 65,539 leaves: level-1 tile 0 is full; its partial versions are not published and must
    # not be asked for (an export writes only the tiles of its own size).
    size = 256 * 256 + 3
    directory = publish(tmp_path / "log", [add_leaf(i) for i in range(size)])
    assert not (directory / "tile" / "1" / "000.p").exists()
    verdict = audit(directory, state)
    assert verdict.ok, verdict.problems
