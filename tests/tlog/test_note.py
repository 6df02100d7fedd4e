"""C2SP signed notes, Ed25519 keys, tlog-cosignature/v1 and checkpoints (santui.tlog.note).

The rules are those of C2SP signed-note, tlog-checkpoint and tlog-cosignature as summarized in
tests/tlog/vectors/SPEC-NOTES.md; the known-answer vectors are in tests/tlog/test_vectors.py.
"""

from __future__ import annotations

import base64
import hashlib
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from santui.tlog import note
from santui.tlog.note import (
    COSIGNATURE_V1,
    DASH,
    ED25519,
    Checkpoint,
    NoteError,
    Signature,
    Signer,
    Verifier,
)

TEXT = "example.com/log\n42\n" + base64.b64encode(bytes(range(32))).decode() + "\n"


def signer(name: str = "example.com/log", kind: int = ED25519, n: int = 0) -> Signer:
    """A fixed key: Ed25519 seeds are any 32 bytes."""
    return Signer(name, kind, hashlib.sha256(b"seed %d" % n).digest())


names = st.text(
    alphabet=st.characters(
        codec="utf-8",
        exclude_categories=("Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn"),
        exclude_characters="+",
    ),
    min_size=1,
    max_size=30,
).filter(lambda s: not any(c.isspace() for c in s) and s.isprintable())
line_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=40
)
texts = st.lists(line_text, min_size=1, max_size=6).map(lambda lines: "\n".join(lines) + "\n")


# --- keys -----------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(names, st.binary(min_size=32, max_size=32), st.sampled_from([ED25519, COSIGNATURE_V1]))
def test_keys_round_trip_through_their_text(name: str, seed: bytes, kind: int) -> None:
    s = Signer(name, kind, seed)
    assert note.parse_skey(s.skey) == s
    assert note.parse_vkey(s.verifier.vkey) == s.verifier
    assert note.parse_vkey("  " + s.verifier.vkey + "\n") == s.verifier
    assert s.skey.startswith(f"PRIVATE+KEY+{name}+{s.verifier.key_id.hex()}+")
    assert s.verifier.vkey.startswith(f"{name}+{s.verifier.key_id.hex()}+")


def test_keys_whose_base64_holds_a_plus_round_trip() -> None:
    vkey_plus = skey_plus = None
    for n in range(500):
        s = signer(n=n)
        if "+" in s.verifier.vkey.split("+", 2)[2]:
            vkey_plus = vkey_plus or s
        if "+" in s.skey.split("+", 4)[4]:
            skey_plus = skey_plus or s
    assert vkey_plus is not None and skey_plus is not None
    assert note.parse_vkey(vkey_plus.verifier.vkey) == vkey_plus.verifier
    assert note.parse_skey(skey_plus.skey) == skey_plus


def test_key_id_is_the_c2sp_rule() -> None:
    s = signer("example.com/foo")
    v = s.verifier
    expected = hashlib.sha256(b"example.com/foo\n\x01" + v.public).digest()[:4]
    assert v.key_id == note.key_id(v.name, ED25519, v.public) == expected
    assert v.vkey.split("+")[1] == expected.hex()
    witness = Signer(s.name, COSIGNATURE_V1, s.seed).verifier
    assert witness.key_id == hashlib.sha256(b"example.com/foo\n\x04" + v.public).digest()[:4]
    assert witness.key_id != v.key_id  # the type byte separates the two uses of one key
    assert signer("example.com/bar").verifier.key_id != signer("example.com/foo").verifier.key_id


def test_generated_keys_are_fresh_and_named() -> None:
    a, b = Signer.generate("a.example"), Signer.generate("a.example")
    assert a.seed != b.seed and len(a.seed) == 32
    assert Signer.generate("w.example", COSIGNATURE_V1).kind == COSIGNATURE_V1
    for bad in ("", "has space", "has+plus", "tab\tname", "new\nline"):
        with pytest.raises(NoteError):
            Signer.generate(bad)


def test_malformed_verifier_keys_are_refused() -> None:
    good = signer("example.com/foo").verifier
    name, hex_id, raw = good.vkey.split("+", 2)
    public = base64.b64decode(raw)
    other_id = note.key_id(name, 0x02, public[1:]).hex()
    wrong_type = base64.b64encode(b"\x02" + public[1:]).decode()
    too_long = base64.b64encode(public + b"x").decode()
    bad = [
        "",
        name,
        f"{name}+{hex_id}",
        f"{name}+{hex_id}+",
        f"+{hex_id}+{raw}",
        f"{name} x+{hex_id}+{raw}",
        f"{name}+{hex_id[:7]}+{raw}",
        f"{name}+{hex_id}0+{raw}",
        f"{name}+{'0' * 8}+{raw}",
        f"{name}+{hex_id}+{raw[:-4]}",
        f"{name}+{hex_id}+{raw}AAAA",
        f"{name}+{hex_id}+{raw[:-1]}!",
        f"other+{hex_id}+{raw}",
        f"{name}+{other_id}+{wrong_type}",
        f"{name}+{note.key_id(name, ED25519, public[1:] + b'x').hex()}+{too_long}",
    ]
    for key in bad:
        with pytest.raises(NoteError):
            note.parse_vkey(key)


def test_malformed_signer_keys_are_refused() -> None:
    good = signer("example.com/foo").skey
    _, _, name, hex_id, raw = good.split("+", 4)
    bad = [
        "",
        good.removeprefix("PRIVATE+"),
        "PRIVATE+KEYS+" + good.removeprefix("PRIVATE+KEY+"),
        f"PRIVATE+KEY+{name}+{'0' * 8}+{raw}",
        f"PRIVATE+KEY+other+{hex_id}+{raw}",
        f"PRIVATE+KEY+{name}+{hex_id}+{raw[:-4]}",
        f"PRIVATE+KEY+{name}+{hex_id}+!{raw[1:]}",
        f"PRIVATE+KEY+a b+{hex_id}+{raw}",
        signer("example.com/foo").verifier.vkey,
    ]
    for key in bad:
        with pytest.raises(NoteError):
            note.parse_skey(key)


# --- signing and verifying ------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(texts, names)
def test_sign_then_parse_and_verify(text: str, name: str) -> None:
    s = signer(name)
    signed = note.sign(text, s)
    parsed = note.parse(signed)
    assert parsed.text == text
    assert str(parsed) == signed
    note.verify(parsed, s.verifier)
    assert note.parse(signed.encode()) == parsed


def test_several_signatures_each_verify_and_unknown_ones_are_ignored() -> None:
    a, b, c = signer("a.example", n=1), signer("b.example", n=2), signer("c.example", n=3)
    parsed = note.parse(note.sign(TEXT, a, b))
    note.verify(parsed, a.verifier)
    note.verify(parsed, b.verifier)
    with pytest.raises(NoteError, match="not signed"):
        note.verify(parsed, c.verifier)


def test_tampered_notes_fail() -> None:
    s = signer()
    signed = note.sign(TEXT, s)
    parsed = note.parse(signed)
    # the text changed
    with pytest.raises(NoteError, match="does not verify"):
        note.verify(note.Note(TEXT.replace("42", "43"), parsed.signatures), s.verifier)
    # a bit of the signature flipped
    sig = parsed.signatures[0]
    flipped = Signature(sig.name, sig.key_id, bytes([sig.raw[0] ^ 1]) + sig.raw[1:])
    with pytest.raises(NoteError, match="does not verify"):
        note.verify(note.Note(TEXT, (flipped,)), s.verifier)
    # a signature cut short, or too long
    for raw in (sig.raw[:-1], sig.raw + b"\x00"):
        with pytest.raises(NoteError):
            note.verify(note.Note(TEXT, (Signature(sig.name, sig.key_id, raw),)), s.verifier)
    # another key of the same name, the same key under another name
    with pytest.raises(NoteError, match="not signed"):
        note.verify(parsed, signer(n=9).verifier)
    with pytest.raises(NoteError, match="not signed"):
        note.verify(parsed, Verifier("example.com/other", ED25519, s.verifier.public))
    # a line copied from another note
    other = note.parse(note.sign(TEXT.replace("42", "43"), s))
    with pytest.raises(NoteError, match="does not verify"):
        note.verify(note.Note(TEXT, other.signatures), s.verifier)


def test_a_known_key_that_fails_rejects_the_note() -> None:
    """C2SP: if a signature from a known key fails to verify, reject the whole note."""
    s = signer()
    good = note.parse(note.sign(TEXT, s)).signatures[0]
    bad = Signature(good.name, good.key_id, bytes(64))
    with pytest.raises(NoteError):
        note.verify(note.Note(TEXT, (bad, good)), s.verifier)


def test_sign_refuses_text_that_is_not_a_note_text() -> None:
    for text in ("no newline", "bell \x07\n", "cr\r\n", "nul\x00\n"):
        with pytest.raises(NoteError):
            note.sign(text, signer())


# --- parsing hostile notes ---------------------------------------------------------------------

GOOD = note.sign(TEXT, signer())
LINE = GOOD[len(TEXT) + 1 :]  # one signature line with its newline


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(TEXT, id="no blank line"),
        pytest.param(TEXT + LINE, id="no blank line before the signature"),
        pytest.param(TEXT + "\n", id="no signatures"),
        pytest.param(TEXT + "\n" + LINE[:-1], id="no final newline"),
        pytest.param(GOOD + "\n", id="blank line after the signatures"),
        pytest.param(GOOD + "junk\n", id="junk after the signatures"),
        pytest.param("\x07" + GOOD, id="bell in the text"),
        pytest.param(TEXT.replace("\n", "\r\n") + "\n" + LINE, id="CR in the text"),
        pytest.param("a\x1bb\n\n" + LINE, id="escape in the text"),
        pytest.param("a\x00b\n\n" + LINE, id="nul in the text"),
        pytest.param(TEXT + "\n" + LINE.replace("\n", "\r\n"), id="CRLF signature line"),
        pytest.param(TEXT + "\n" + LINE[:-1] + "\x0c" + LINE, id="form feed between sigs"),
        pytest.param(TEXT + "\n" + LINE[:-1] + "\x1e" + LINE, id="record separator between"),
        pytest.param(TEXT + "\n" + LINE[:-1] + "\x85" + LINE, id="NEL between signatures"),
        pytest.param(TEXT + "\n" + LINE[:-1] + "\u2028" + LINE, id="U+2028 between sigs"),
        pytest.param(TEXT + "\n" + LINE.replace(DASH, "-"), id="hyphen for the em dash"),
        pytest.param(TEXT + "\n" + LINE.replace(DASH + " ", DASH), id="no space after dash"),
        pytest.param(TEXT + "\n" + LINE.replace(" ", "  ", 1), id="two spaces"),
        pytest.param(TEXT + "\n" + LINE.replace("example.com/log", "a b"), id="space in name"),
        pytest.param(TEXT + "\n" + LINE.replace("example.com/log", "a+b"), id="plus in name"),
        pytest.param(TEXT + "\n" + f"{DASH} name\n", id="no signature"),
        pytest.param(TEXT + "\n" + f"{DASH} name !!!!\n", id="bad base64"),
        pytest.param(TEXT + "\n" + f"{DASH} name QUJD\n", id="signature of three bytes"),
        pytest.param(TEXT + "\n" + f"{DASH} name QUJDRA\n", id="unpadded base64"),
        pytest.param(TEXT + "\n" + f"{DASH} name QUJDRA==\n", id="key id and no signature"),
        pytest.param(TEXT + "\n" + LINE * 101, id="101 signatures"),
    ],
)
def test_malformed_notes_are_refused(bad: str) -> None:
    with pytest.raises(NoteError):
        note.parse(bad)


def test_up_to_100_signatures_are_read() -> None:
    assert len(note.parse(TEXT + "\n" + LINE * 100).signatures) == 100


def test_non_utf8_and_huge_notes_are_refused() -> None:
    for data in (b"\xff" + GOOD.encode(), GOOD.encode()[:-3] + b"\xc3\n", b"\xed\xa0\x80\n\n"):
        with pytest.raises(NoteError, match="UTF-8"):
            note.parse(data)
    huge = "a" * (note.MAX_NOTE + 1) + "\n\n" + LINE
    with pytest.raises(NoteError, match="too large"):
        note.parse(huge)
    with pytest.raises(NoteError, match="too large"):
        note.parse(huge.encode())


# --- cosignature/v1 -----------------------------------------------------------------------------


def test_cosignature_signs_and_verifies() -> None:
    log, witness = signer(), signer("witness.example", COSIGNATURE_V1, n=5)
    signed = note.parse(note.sign(TEXT, log))
    cosig = note.cosign(TEXT, witness, 1_700_000_000)
    assert len(cosig.raw) == 8 + 64 and cosig.key_id == witness.verifier.key_id
    assert witness.verifier.check(
        f"cosignature/v1\ntime 1700000000\n{TEXT}".encode(), cosig.raw[8:]
    )
    cosigned = note.parse(str(note.Note(signed.text, (*signed.signatures, cosig))))
    assert note.verify_cosignature(cosigned, witness.verifier) == 1_700_000_000
    note.verify(cosigned, log.verifier)  # the log's own signature still verifies


@given(st.integers(0, 2**63 - 1))
def test_cosignature_timestamps_round_trip(timestamp: int) -> None:
    witness = signer("witness.example", COSIGNATURE_V1)
    cosigned = note.Note(TEXT, (note.cosign(TEXT, witness, timestamp),))
    assert note.verify_cosignature(note.parse(str(cosigned)), witness.verifier) == timestamp


def test_tampered_cosignatures_fail() -> None:
    witness = signer("witness.example", COSIGNATURE_V1)
    cosig = note.cosign(TEXT, witness, 1_700_000_000)

    def check(text: str, sig: Signature) -> None:
        with pytest.raises(NoteError):
            note.verify_cosignature(note.Note(text, (sig,)), witness.verifier)

    later = Signature(cosig.name, cosig.key_id, struct.pack(">Q", 1_700_000_001) + cosig.raw[8:])
    check(TEXT, later)  # the timestamp changed
    check(TEXT.replace("42", "43"), cosig)  # the checkpoint changed
    check(TEXT, Signature(cosig.name, cosig.key_id, cosig.raw[:-1] + b"\x00"))
    check(TEXT, Signature(cosig.name, cosig.key_id, cosig.raw[8:]))  # no timestamp
    check(TEXT, Signature(cosig.name, cosig.key_id, cosig.raw + b"\x00"))
    with pytest.raises(NoteError, match="not cosigned"):
        note.verify_cosignature(note.Note(TEXT, ()), witness.verifier)
    other = signer("witness.example", COSIGNATURE_V1, n=8)
    with pytest.raises(NoteError, match="not cosigned"):
        note.verify_cosignature(note.Note(TEXT, (cosig,)), other.verifier)


def test_a_note_signing_key_is_not_a_witness_key() -> None:
    log = signer()
    with pytest.raises(NoteError):
        note.cosign(TEXT, log, 1_700_000_000)
    # A cosignature-shaped line made with the note key (type 0x01) is not a cosignature: the
    # key id of a cosignature is computed with type 0x04 (C2SP tlog-cosignature).
    timestamp = 1_700_000_000
    forged = Signature(
        log.name,
        log.verifier.key_id,
        struct.pack(">Q", timestamp) + log.raw_sign(note.cosignature_message(TEXT, timestamp)),
    )
    with pytest.raises(NoteError):
        note.verify_cosignature(note.Note(TEXT, (forged,)), log.verifier)


def test_a_witness_key_does_not_sign_notes() -> None:
    witness = signer("witness.example", COSIGNATURE_V1)
    cosigned = note.Note(TEXT, (note.cosign(TEXT, witness, 1),))
    with pytest.raises(NoteError, match="not a note signing key"):
        note.verify(cosigned, witness.verifier)
    # and a plain signature made with the witness's key does not pass as a note signature
    plain = Signature(witness.name, witness.verifier.key_id, witness.raw_sign(TEXT.encode()))
    with pytest.raises(NoteError):
        note.verify(note.Note(TEXT, (plain,)), witness.verifier)


# --- checkpoints ------------------------------------------------------------------------------

origins = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
    min_size=1,
    max_size=40,
)
extensions = st.lists(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1),
    max_size=3,
)


@settings(max_examples=100)
@given(origins, st.integers(0, 2**64 - 1), st.binary(min_size=32, max_size=32), extensions)
def test_checkpoint_text_round_trip(origin: str, size: int, root: bytes, ext: list[str]) -> None:
    checkpoint = Checkpoint(origin, size, root, tuple(ext))
    text = checkpoint.text
    assert text.split("\n")[:3] == [origin, str(size), base64.b64encode(root).decode()]
    assert note.parse_checkpoint(text) == checkpoint


ROOT = base64.b64encode(bytes(32)).decode()


@pytest.mark.parametrize(
    "size",
    [
        "", "01", "00", "-1", "+1", " 1", "1 ", "1e3", "1.0", "0x10", "1_000",
        "\u0661\u0662",  # Arabic-Indic digits
        "\uff11\uff12",  # fullwidth digits
        "\u00b2",  # superscript two: str.isdigit() says yes
        "18446744073709551616",  # 2**64: tree sizes are uint64
        "99999999999999999999",
        "1" * 30,
    ],
)  # fmt: skip
def test_bad_checkpoint_sizes_are_refused(size: str) -> None:
    with pytest.raises(NoteError):
        note.parse_checkpoint(f"example.com/log\n{size}\n{ROOT}\n")


def test_largest_checkpoint_size_is_accepted() -> None:
    assert note.parse_checkpoint(f"o\n{2**64 - 1}\n{ROOT}\n").size == 2**64 - 1
    assert note.parse_checkpoint(f"o\n0\n{ROOT}\n").size == 0


@pytest.mark.parametrize(
    "root",
    [
        "",
        base64.b64encode(bytes(31)).decode(),
        base64.b64encode(bytes(33)).decode(),
        base64.b64encode(bytes(64)).decode(),
        ROOT[:-1],
        ROOT + "=",
        " " + ROOT,
        ROOT.replace("A", "!", 1),
        base64.urlsafe_b64encode(b"\xff" * 32).decode(),
    ],
)
def test_bad_checkpoint_roots_are_refused(root: str) -> None:
    with pytest.raises(NoteError):
        note.parse_checkpoint(f"example.com/log\n1\n{root}\n")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "example.com/log\n1\n",
        f"example.com/log\n1\n{ROOT}",  # no final newline
        f"\n1\n{ROOT}\n",  # empty origin
        f"example.com/log\n1\n{ROOT}\n\n",  # empty extension line
        f"example.com/log\n1\n{ROOT}\next\n\n",
    ],
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(NoteError):
        note.parse_checkpoint(text)


def test_open_checkpoint_checks_signature_and_origin() -> None:
    log = signer("example.com/log")
    signed = note.sign(TEXT, log)
    checkpoint, parsed = note.open_checkpoint(signed, log.verifier)
    assert (checkpoint.origin, checkpoint.size) == ("example.com/log", 42)
    assert parsed.text == TEXT
    assert note.open_checkpoint(signed.encode(), log.verifier)[0] == checkpoint
    with pytest.raises(NoteError, match="origin"):
        note.open_checkpoint(signed, log.verifier, origin="example.com/other")
    renamed = signer("example.com/other")
    with pytest.raises(NoteError, match="origin"):
        note.open_checkpoint(note.sign(TEXT, renamed), renamed.verifier)
    with pytest.raises(NoteError):
        note.open_checkpoint(signed, signer("example.com/log", n=4).verifier)
