"""C2SP tlog-proof files (santui.tlog.proof): format, parse, and what a parser must refuse."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from santui.tlog import note, proof
from santui.tlog.proof import HEADER, ProofFile, ProofFileError, format_proof

# The example of C2SP tlog-proof.md (@0065ea5b), verbatim. Its signature lines are elided
# there ("[...]"): a proof file's parser keeps the checkpoint verbatim and does not read them.
SPEC_EXAMPLE = """\
c2sp.org/tlog-proof@v1
extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ
index 73894
gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=
B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=
EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=
RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=
AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=

example.com/fancylog
109482
sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=

— example.com/fancylog hI2DJw[...]1roloI=
— witness1.example mJirIklj[...]qY9v2B/5bg==
— witness2.example TnKKVHLX[...]xwYwrSjgow==
— witness3.example S4X82uH5[...]3oEcROGLFQ==
"""

LOG = note.Signer("example.com/log", note.ED25519, hashlib.sha256(b"log").digest())
ROOT = hashlib.sha256(b"root").digest()
CHECKPOINT = note.sign(note.Checkpoint("example.com/log", 10, ROOT).text, LOG)
HASH = base64.b64encode(bytes(32)).decode()


def test_the_spec_example_parses() -> None:
    parsed = proof.parse(SPEC_EXAMPLE)
    assert parsed.index == 73894
    assert len(parsed.hashes) == 5
    assert parsed.hashes[0] == base64.b64decode("gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=")
    assert parsed.extra is not None and parsed.extra.startswith(b"age-v1.2.1-darwin-arm64.tar.gz")
    assert parsed.checkpoint.startswith("example.com/fancylog\n109482\n")
    assert parsed.checkpoint.endswith("3oEcROGLFQ==\n")
    assert parsed.checkpoint == SPEC_EXAMPLE.split("\n\n", 1)[1]


def test_format_writes_the_spec_example_byte_for_byte() -> None:
    parsed = proof.parse(SPEC_EXAMPLE)
    assert format_proof(parsed.index, parsed.hashes, parsed.checkpoint, parsed.extra) == (
        SPEC_EXAMPLE
    )
    assert proof.parse(SPEC_EXAMPLE.encode()) == parsed


@settings(max_examples=100)
@given(
    st.integers(0, 2**64 - 1),
    st.lists(st.binary(min_size=32, max_size=32), max_size=64),
    st.none() | st.binary(max_size=200),
)
def test_format_parse_round_trip(index: int, hashes: list[bytes], extra: bytes | None) -> None:
    text = format_proof(index, hashes, CHECKPOINT, extra)
    assert text.startswith(HEADER + "\n")
    assert ("\nextra " in text) == (extra is not None)
    assert proof.parse(text) == ProofFile(index, tuple(hashes), CHECKPOINT, extra)
    assert proof.parse(text.encode()) == ProofFile(index, tuple(hashes), CHECKPOINT, extra)
    # the checkpoint inside is the signed note, verbatim: it still opens
    checkpoint, _ = note.open_checkpoint(proof.parse(text).checkpoint, LOG.verifier)
    assert checkpoint.root == ROOT


def proof_text(*head: str, checkpoint: str = CHECKPOINT) -> str:
    return "\n".join(head) + "\n\n" + checkpoint


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param(proof_text("c2sp.org/tlog-proof@v2", "index 1"), id="other version"),
        pytest.param(proof_text("c2sp.org/tlog-proof@v1 ", "index 1"), id="header space"),
        pytest.param(proof_text("index 1"), id="no header"),
        pytest.param(proof_text(HEADER), id="no index"),
        pytest.param(proof_text(HEADER, HASH), id="hash without index"),
        pytest.param(proof_text(HEADER, "index"), id="index without number"),
        pytest.param(proof_text(HEADER, "index "), id="index empty"),
        pytest.param(proof_text(HEADER, "index 01"), id="leading zero"),
        pytest.param(proof_text(HEADER, "index -5"), id="negative"),
        pytest.param(proof_text(HEADER, "index notanumber"), id="not a number"),
        pytest.param(proof_text(HEADER, "index 1e3"), id="exponent"),
        pytest.param(proof_text(HEADER, "index +1"), id="plus sign"),
        pytest.param(proof_text(HEADER, "index  1"), id="two spaces"),
        pytest.param(proof_text(HEADER, "index 1 "), id="trailing space"),
        pytest.param(proof_text(HEADER, "index \u0661"), id="Arabic-Indic digit"),
        pytest.param(proof_text(HEADER, "index \u00b2"), id="superscript two"),
        pytest.param(proof_text(HEADER, "Index 1"), id="capital I"),
        pytest.param(proof_text(HEADER, "index 1", "extra QUJD"), id="extra after index"),
        pytest.param(proof_text(HEADER, "extra !!!!", "index 1"), id="extra bad base64"),
        pytest.param(proof_text(HEADER, "extra QUJ", "index 1"), id="extra unpadded"),
        pytest.param(proof_text(HEADER, "index 1", "!!!!"), id="hash bad base64"),
        pytest.param(proof_text(HEADER, "index 1", HASH[:-4]), id="hash of 30 bytes"),
        pytest.param(
            proof_text(HEADER, "index 1", base64.b64encode(bytes(64)).decode()), id="hash of 64"
        ),
        pytest.param(proof_text(HEADER, "index 1", " " + HASH), id="hash with a space"),
        pytest.param(proof_text(HEADER, "index 1", *[HASH] * 65), id="65 hashes"),
        pytest.param(HEADER + "\nindex 1\n" + HASH + "\n", id="no checkpoint"),
        pytest.param(proof_text(HEADER, "index 1", checkpoint=""), id="empty checkpoint"),
        pytest.param(proof_text(HEADER, "index 1") + "x" * 100_000, id="too large"),
    ],
)
def test_malformed_proof_files_are_refused(text: str) -> None:
    with pytest.raises(ProofFileError):
        proof.parse(text)


def test_non_utf8_proof_files_are_refused() -> None:
    data = proof_text(HEADER, "index 1").encode()
    for bad in (b"\xff" + data, data.replace(b"index", b"ind\xc3x")):
        with pytest.raises(ProofFileError):
            proof.parse(bad)
    with pytest.raises(ProofFileError):
        proof.parse(b"x" * (proof.MAX_PROOF + 1))


def test_an_index_too_long_to_be_a_number_is_a_proof_file_error() -> None:
    """A file under MAX_PROOF can hold an index line of thousands of digits."""
    with pytest.raises(ProofFileError):
        proof.parse(proof_text(HEADER, "index " + "9" * 5000))


def test_an_index_is_a_uint64() -> None:
    """transparency-dev/merkle's tlog-proof parser refuses an index that is not a uint64."""
    assert proof.parse(proof_text(HEADER, f"index {2**64 - 1}")).index == 2**64 - 1
    with pytest.raises(ProofFileError):
        proof.parse(proof_text(HEADER, f"index {2**64}"))


def test_index_zero_and_no_hashes_are_fine() -> None:
    parsed = proof.parse(proof_text(HEADER, "index 0"))
    assert parsed == ProofFile(0, (), CHECKPOINT, None)
    assert proof.parse(proof_text(HEADER, "extra ", "index 0")).extra == b""
