"""The leaf encoding, version 1 (santui.tlog.leaf): round trip, canonical form, refusals."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from santui.tlog import leaf as leafcodec
from santui.tlog.leaf import (
    COMMITMENT_LABEL,
    ORGANIZATION_BITS,
    AddLeaf,
    LeafError,
    RevokeLeaf,
    decode,
    encode,
    encode_add,
    encode_revoke,
    receipt_commitment,
    receipt_secret,
)

ORGS = sorted(ORGANIZATION_BITS)
C = bytes(range(32))

adds = st.builds(
    AddLeaf,
    day=st.dates(min_value=dt.date(1970, 1, 1)),
    headcount=st.integers(1, 2**32 - 1),
    organizations=st.frozensets(st.sampled_from(ORGS), min_size=1),
    commitment=st.binary(min_size=32, max_size=32),
)
revokes = st.builds(
    RevokeLeaf,
    add_index=st.integers(0, 2**64 - 1),
    reason=st.text(alphabet=st.characters(max_codepoint=127), min_size=1, max_size=64),
)


@settings(max_examples=200)
@given(adds | revokes)
def test_encode_decode_round_trip(leaf: AddLeaf | RevokeLeaf) -> None:
    data = encode(leaf)
    assert decode(data) == leaf
    assert encode(decode(data)) == data


def test_the_documented_byte_layout() -> None:
    add = encode_add(dt.date(1970, 1, 2), 3, ORGANIZATION_BITS["party"] | 4, C)
    assert add == b"\x01\x00" + b"\x00\x00\x00\x01" + b"\x00\x00\x00\x03" + b"\x05" + C
    assert len(add) == 43
    assert decode(add) == AddLeaf(dt.date(1970, 1, 2), 3, frozenset({"party", "pioneers"}), C)
    revoke = encode_revoke(258, "dup")
    assert revoke == b"\x01\x01" + (258).to_bytes(8, "big") + b"\x03dup"
    assert leafcodec.org_bits(True, True, True) == 7
    assert leafcodec.org_bits(False, True, False) == ORGANIZATION_BITS["league"] == 2


@settings(max_examples=300)
@given(st.binary(min_size=41, max_size=41))
def test_add_shaped_bytes_decode_only_if_they_re_encode_identically(body: bytes) -> None:
    data = b"\x01\x00" + body
    try:
        leaf = decode(data)
    except LeafError:
        return
    assert encode(leaf) == data


@settings(max_examples=300)
@given(st.binary(min_size=8, max_size=8), st.integers(0, 255), st.binary(max_size=70))
def test_revoke_shaped_bytes_decode_only_if_they_re_encode_identically(
    index: bytes, length: int, reason: bytes
) -> None:
    data = b"\x01\x01" + index + bytes([length]) + reason
    try:
        leaf = decode(data)
    except LeafError:
        return
    assert encode(leaf) == data


@settings(max_examples=300)
@given(st.binary(max_size=80))
def test_any_bytes_decode_to_a_leaf_or_raise_leaf_error(data: bytes) -> None:
    try:
        leaf = decode(data)
    except LeafError:
        return
    assert encode(leaf) == data


def test_add_days_past_the_calendar_raise_leaf_error() -> None:
    # days since 1970 is a uint32, but Python dates end in 9999 (day 2932896)
    data = b"\x01\x00" + b"\xff\xff\xff\xff" + b"\x00\x00\x00\x01" + b"\x01" + C
    with pytest.raises(LeafError):
        decode(data)


ADD_OK = encode_add(dt.date(2024, 5, 1), 2, 3, C)
REVOKE_OK = encode_revoke(7, "duplicate")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\x01", id="version only"),
        pytest.param(b"\x00" + ADD_OK[1:], id="version 0"),
        pytest.param(b"\x02" + ADD_OK[1:], id="version 2"),
        pytest.param(b"\x01\x02" + ADD_OK[2:], id="unknown kind"),
        pytest.param(ADD_OK[:-1], id="add too short"),
        pytest.param(ADD_OK + b"\x00", id="add too long"),
        pytest.param(ADD_OK[:10] + b"\x00" + ADD_OK[11:], id="no organization"),
        pytest.param(ADD_OK[:10] + b"\x08" + ADD_OK[11:], id="unknown organization bit"),
        pytest.param(ADD_OK[:10] + b"\xff" + ADD_OK[11:], id="all bits"),
        pytest.param(ADD_OK[:6] + b"\x00\x00\x00\x00" + ADD_OK[10:], id="headcount 0"),
        pytest.param(REVOKE_OK[:10], id="revoke without reason length"),
        pytest.param(REVOKE_OK[:11], id="revoke without reason"),
        pytest.param(REVOKE_OK[:-1], id="reason shorter than its length"),
        pytest.param(REVOKE_OK + b"x", id="reason longer than its length"),
        pytest.param(REVOKE_OK[:10] + b"\x00", id="empty reason"),
        pytest.param(REVOKE_OK[:10] + b"\x41" + b"a" * 65, id="reason of 65"),
        pytest.param(REVOKE_OK[:10] + b"\x02\xc3\xa9", id="non-ASCII reason"),
    ],
)
def test_malformed_leaves_raise_leaf_error(data: bytes) -> None:
    with pytest.raises(LeafError):
        decode(data)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: encode_add(dt.date(2024, 1, 1), 1, 0, C), id="no organization"),
        pytest.param(lambda: encode_add(dt.date(2024, 1, 1), 1, 8, C), id="unknown bit"),
        pytest.param(lambda: encode_add(dt.date(2024, 1, 1), 1, 1, C[:31]), id="short commit"),
        pytest.param(lambda: encode_add(dt.date(2024, 1, 1), 0, 1, C), id="headcount 0"),
        pytest.param(lambda: encode_add(dt.date(2024, 1, 1), -1, 1, C), id="negative head"),
        pytest.param(lambda: encode_add(dt.date(2024, 1, 1), 2**32, 1, C), id="headcount 2^32"),
        pytest.param(lambda: encode_add(dt.date(1969, 12, 31), 1, 1, C), id="day before 1970"),
        pytest.param(lambda: encode_revoke(0, ""), id="empty reason"),
        pytest.param(lambda: encode_revoke(0, "a" * 65), id="reason of 65"),
        pytest.param(lambda: encode_revoke(0, "r\u00e9ason"), id="non-ASCII reason"),
        pytest.param(lambda: encode_revoke(-1, "dup"), id="negative index"),
        pytest.param(lambda: encode_revoke(2**64, "dup"), id="index 2^64"),
    ],
)
def test_the_encoder_refuses_what_the_format_cannot_hold(make: Callable[[], bytes]) -> None:
    """Whatever decode() would refuse, encode() refuses with LeafError instead of writing it."""
    with pytest.raises(LeafError):
        make()


# --- receipts ----------------------------------------------------------------------------------

secrets = st.binary(min_size=20, max_size=20)


def code_of(secret: bytes) -> str:
    return base64.b32encode(secret).decode()


@given(secrets)
def test_receipt_commitment_is_deterministic_per_code(secret: bytes) -> None:
    code = code_of(secret)
    assert len(code) == 32
    assert receipt_secret(code) == secret
    commitment = receipt_commitment(receipt_secret(code))
    assert commitment == receipt_commitment(receipt_secret(code))
    assert commitment == hmac.new(secret, COMMITMENT_LABEL, hashlib.sha256).digest()
    assert len(commitment) == 32


@given(secrets, secrets)
def test_receipt_commitments_differ_between_codes(a: bytes, b: bytes) -> None:
    if a != b:
        assert receipt_commitment(receipt_secret(code_of(a))) != receipt_commitment(
            receipt_secret(code_of(b))
        )


def test_a_commitment_reveals_nothing_without_the_code() -> None:
    secret = bytes(range(20))
    commitment = receipt_commitment(secret)
    # it is not a plain hash of the secret or of the code: the secret is an HMAC key
    assert commitment != hashlib.sha256(secret).digest()
    assert commitment != hashlib.sha256(code_of(secret).encode()).digest()
    assert leafcodec.random_commitment() != leafcodec.random_commitment()
    assert len(leafcodec.random_commitment()) == 32


def test_malformed_receipt_codes_are_refused() -> None:
    for code in ("A" * 31, "1" * 32, "a" * 32 + "!", "A" * 32 + "="):
        with pytest.raises(binascii.Error):
            receipt_secret(code)
