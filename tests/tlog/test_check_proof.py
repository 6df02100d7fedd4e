"""``santui log check-proof``: what a person reads (a verdict in sentences, never a Python
repr), and what it accepts (a tlog-proof file, the text of a certificate's QR code, a
certificate saved as HTML, standard input; receipt codes with or without a check character)."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from santui.tlog import cli, proof
from santui.tlog import leaf as leafcodec
from santui.tlog.merkle import inclusion_proof, leaf_hash
from santui.tlog.receiptcode import format_code
from santui.tlog.tiles import MemoryTiles, subtree_reader

from .helpers import EPOCH_DAY, add_leaf
from .test_client import LOG, ORIGIN, Run, publish

SECRET = base64.b32encode(bytes(range(20))).decode()
REPR = re.compile(r"AddLeaf\(|RevokeLeaf\(|frozenset\(|datetime\.date\(|b'|object at 0x|Error\(")


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``santui log ...`` in this process: the exit code and what it printed."""

    def run(*argv: str) -> tuple[int, str]:
        code = cli.main(list(argv))
        return code, capsys.readouterr().out

    return run


def leaves() -> list[bytes]:
    out = [add_leaf(i) for i in range(40)]
    commitment = leafcodec.receipt_commitment(leafcodec.receipt_secret(SECRET))
    out[7] = leafcodec.encode_add(EPOCH_DAY + dt.timedelta(days=3), 3, 0b101, commitment)
    out[11] = leafcodec.encode_add(EPOCH_DAY, 1, 0b010, bytes(32))
    return [*out, leafcodec.encode_revoke(11, "duplicate")]


def proof_text(tmp_path: Path, position: int) -> str:
    all_leaves = leaves()
    directory = publish(tmp_path / "log", all_leaves)
    tiles = MemoryTiles()
    tiles.add(all_leaves, [leaf_hash(x) for x in all_leaves])
    hashes = inclusion_proof(position, len(all_leaves), subtree_reader(tiles.read))
    checkpoint = (directory / "checkpoint").read_text()
    return proof.format_proof(position, hashes, checkpoint, all_leaves[position])


def check(run: Run, path: Path, *extra: str) -> tuple[int, str]:
    code, out = run("check-proof", str(path), "--key", LOG.verifier.vkey, *extra)
    assert not REPR.search(out), out
    return code, out


def test_the_verdict_is_sentences(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "p"
    path.write_text(proof_text(tmp_path, 7))
    code, out = check(run, path, "--code", format_code(SECRET))
    assert code == 0
    assert out.splitlines() == [
        f"  ok    checkpoint signed by {ORIGIN}: the log had 41 leaves",
        "  ok    leaf 7 is in the tree of the log (inclusion proof checked)",
        "  ok    the leaf commits to this receipt code",
        f"VERIFIED: leaf 7 of {ORIGIN}: 3 persons counted on 2024-01-04 as withdrawn from the "
        "Chinese Communist Party and the Young Pioneers.",
    ]
    code, out = check(run, path)
    assert code == 0 and "  note  this proves that a statement was counted" in out


def test_one_person_one_organization_and_a_revoke_read_well(tmp_path: Path, run: Run) -> None:
    one = tmp_path / "one"
    one.write_text(proof_text(tmp_path, 11))
    code, out = check(run, one)
    assert code == 0 and "1 person counted on 2024-01-01 as withdrawn from the Communist " in out
    revoke = tmp_path / "revoke"
    revoke.write_text(proof_text(tmp_path, 40))
    code, out = check(run, revoke)
    assert code == 0
    assert "the statement of leaf 11 is no longer counted (reason: duplicate)" in out


@pytest.mark.parametrize(
    "spelling",
    [
        lambda c: c,
        lambda c: c.lower(),
        lambda c: c.replace("-", ""),
        lambda c: c.replace("-", " "),
        lambda c: "".join(chr(ord(x) + 0xFEE0) if x != "-" else "－" for x in c),
        lambda c: c.replace("-", "")[:32],  # an older code: no check character
    ],
)
def test_codes_in_any_spelling(tmp_path: Path, run: Run, spelling: Callable[[str], str]) -> None:
    path = tmp_path / "p"
    path.write_text(proof_text(tmp_path, 7))
    code, out = check(run, path, "--code", spelling(format_code(SECRET)))
    assert code == 0 and "commits to this receipt code" in out, out


def test_a_typo_in_the_code_is_named_as_such(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "p"
    path.write_text(proof_text(tmp_path, 7))
    shown = format_code(SECRET)
    typo = shown[:5] + ("B" if shown[5] != "B" else "C") + shown[6:]
    code, out = check(run, path, "--code", typo)
    assert code == 1 and out.endswith(
        "NOT VERIFIED: the receipt code has a typo: check each character.\n"
    )
    code, out = check(run, path, "--code", "not a code")
    assert code == 1 and "NOT VERIFIED: not a receipt code" in out


def test_what_a_certificate_carries_is_accepted(
    tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = proof_text(tmp_path, 7)
    scanned = tmp_path / "scanned.txt"
    scanned.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    assert check(run, scanned)[0] == 0
    pasted = tmp_path / "pasted.txt"
    pasted.write_text("What my phone's scanner showed:\n" + text)
    assert check(run, pasted)[0] == 0
    page = tmp_path / "certificate.html"
    page.write_text(
        "<!doctype html><html><body><pre class=command>santui log check-proof x</pre>"
        f'<pre class="proof" id="santui-proof">{html.escape(text)}</pre></body></html>'
    )
    assert check(run, page)[0] == 0
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code, out = run("check-proof", "-", "--key", LOG.verifier.vkey)
    assert code == 0 and "VERIFIED" in out


def test_a_tampered_certificate_fails(tmp_path: Path, run: Run) -> None:
    text = proof_text(tmp_path, 7)
    page = tmp_path / "certificate.html"
    forged = text.replace("index 7\n", "index 8\n")
    page.write_text(f"<pre>{html.escape(forged)}</pre>")
    code, out = check(run, page)
    assert code == 1 and out.startswith("  ok    checkpoint signed")
    assert "NOT VERIFIED: leaf 8 is not proven to be in the log" in out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "NOT VERIFIED: not a readable proof: no proof found"),
        (b"\xff\xfe\x00garbage", "NOT VERIFIED: not a readable proof: a proof file is UTF-8"),
        (b"<html><pre>nothing here</pre></html>", "no proof found"),
        (f"{proof.HEADER}\nextra !!!!\nindex 1\n\nx\n".encode(), "a line is not base64: !!!!"),
    ],
)
def test_unreadable_input_is_explained(
    tmp_path: Path, run: Run, content: bytes, expected: str
) -> None:
    path = tmp_path / "bad"
    path.write_bytes(content)
    code, out = check(run, path)
    assert code == 1 and expected in out, out


def test_a_missing_file_and_a_huge_file(tmp_path: Path, run: Run) -> None:
    code, out = check(run, tmp_path / "missing")
    assert code == 1 and out.startswith("NOT VERIFIED: cannot read ") and "No such file" in out
    huge = tmp_path / "huge"
    huge.write_bytes(b"x" * (proof.MAX_DOCUMENT + 1))
    code, out = check(run, huge)
    assert code == 1 and "too large" in out


@settings(max_examples=50)
@given(st.binary(max_size=2000))
def test_any_bytes_get_a_verdict_never_a_traceback(data: bytes) -> None:
    out = io.StringIO()
    try:
        text = proof.find(data)
        proof.parse(text)
    except proof.ProofFileError as exc:
        out.write(str(exc))
    assert not REPR.search(out.getvalue())
