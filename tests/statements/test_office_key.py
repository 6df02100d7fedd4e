"""Issue 12: names and contacts are encrypted to the office key; the public server cannot read
them back, the office can, and values of the first format stay readable on the office."""

from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from santui.config.keys import load_or_create, without_data
from santui.statements import crypto, officekey
from santui.statements.crypto import (
    DecryptionError,
    OfficeKeyMissing,
    Sealed,
    decrypt_text,
    encrypt_text,
)


def legacy_token(key: bytes, text: str) -> bytes:
    """A value of the first format (0x01, the key file's AES key), as stored before issue 12."""
    import hashlib

    nonce = os.urandom(12)
    return b"\x01" + hashlib.sha256(key).digest()[:4] + nonce + AESGCM(key).encrypt(
        nonce, text.encode(), None
    )


@given(st.text(max_size=300))
def test_round_trip_on_the_office(text: str) -> None:
    token = encrypt_text(text)
    assert token[:1] == b"\x02"
    assert decrypt_text(token) == text
    if len(text.encode()) >= 8:
        assert text.encode() not in token


@given(st.binary(max_size=2000))
def test_bytes_round_trip_and_any_changed_byte_is_refused(value: bytes) -> None:
    token = crypto.encrypt_bytes(value)
    assert crypto.decrypt_bytes(token) == value
    for i in (0, 1, 32, 33, 44, 45, len(token) - 1):
        changed = bytearray(token)
        changed[i] ^= 0x01
        with pytest.raises(DecryptionError):
            crypto.decrypt_bytes(bytes(changed))


def test_a_new_epoch_every_hour_and_in_each_process(monkeypatch: pytest.MonkeyPatch) -> None:
    first = encrypt_text("王秀英")
    assert encrypt_text("王秀英")[1:33] == first[1:33]  # the same epoch within the hour
    assert encrypt_text("王秀英") != first  # a fresh nonce each time
    monkeypatch.setattr(crypto, "EPOCH_SECONDS", 0.0)
    later = encrypt_text("王秀英")
    assert later[1:33] != first[1:33]
    assert decrypt_text(first) == decrypt_text(later) == "王秀英"


def test_the_public_server_cannot_decrypt_and_says_why() -> None:
    token = encrypt_text("李四")
    with override_settings(SANTUI_ROLE="public"):
        other = encrypt_text("张三")  # it encrypts with the public key alone
        for value in (token, other):
            with pytest.raises(OfficeKeyMissing, match=r"public server.*no office private key"):
                decrypt_text(value)
        with pytest.raises(OfficeKeyMissing):
            crypto.unlock_office()
        assert not crypto.can_decrypt()
    assert decrypt_text(other) == "张三"  # the office reads what the public server wrote


def public_host(tmp_path: Path) -> Path:
    """A folder holding only what a public host gets: the key file without its data keys
    (after `santui setup` on the office) and the office public key."""
    host = tmp_path / "public-host"
    host.mkdir()
    keys = host / "santui-keys.json"
    keys.write_bytes(settings.KEYS.path.read_bytes())
    without_data(load_or_create(keys))
    (host / "office-public.json").write_bytes(
        Path(settings.SANTUI_OFFICE_PUBLIC_KEY_FILE).read_bytes()
    )
    return host


def test_a_process_with_only_the_public_key_cannot_decrypt(tmp_path: Path) -> None:
    old_key = settings.KEYS.data[0] if settings.KEYS.data else secrets.token_bytes(32)
    tokens = [encrypt_text("李四"), legacy_token(old_key, "王五")]
    host = public_host(tmp_path)
    public_keys = load_or_create(host / "santui-keys.json")
    assert public_keys.data == ()
    with override_settings(
        KEYS=public_keys,
        SANTUI_OFFICE_KEY_FILE=host / "office.json",  # not there
        SANTUI_OFFICE_PUBLIC_KEY_FILE=host / "office-public.json",
    ):
        assert encrypt_text("x")[:1] == b"\x02"  # encrypting works
        for token in tokens:
            with pytest.raises(OfficeKeyMissing, match=r"no office private key at .*office\.json"):
                decrypt_text(token)
        # Every key of the public host's files, tried as an AES key on every value: none opens.
        material = [*public_keys.data, public_keys.hmac,
                    officekey.load_public(host / "office-public.json")]  # fmt: skip
        for token in tokens:
            for key in material:
                for nonce, body in ((token[33:45], token[45:]), (token[5:17], token[17:])):
                    with pytest.raises(Exception):  # noqa: B017, PT011  # InvalidTag, mostly
                        AESGCM(key).decrypt(nonce, body, token[:33])
                    with pytest.raises(Exception):  # noqa: B017, PT011
                        AESGCM(key).decrypt(nonce, body, None)


def test_first_format_values_stay_readable_on_the_office(tmp_path: Path) -> None:
    """Values stored before the office key: under a key still in the key file, and under one
    `santui setup` moved into the office key file."""
    in_key_file = secrets.token_bytes(32)
    moved = secrets.token_bytes(32)
    private, public = tmp_path / "office.json", tmp_path / "office-public.json"
    officekey.create(private, public, legacy=(moved,))
    keys = type(settings.KEYS)(
        path=settings.KEYS.path,
        django_secret=settings.KEYS.django_secret,
        data=(in_key_file,),
        hmac=settings.KEYS.hmac,
    )
    with override_settings(
        KEYS=keys, SANTUI_OFFICE_KEY_FILE=private, SANTUI_OFFICE_PUBLIC_KEY_FILE=public
    ):
        assert decrypt_text(legacy_token(in_key_file, "李四")) == "李四"
        assert decrypt_text(legacy_token(moved, "王五")) == "王五"
        with pytest.raises(DecryptionError, match="data key"):
            decrypt_text(legacy_token(secrets.token_bytes(32), "赵六"))
        with override_settings(SANTUI_ROLE="public"), pytest.raises(OfficeKeyMissing):
            decrypt_text(legacy_token(in_key_file, "李四"))


def test_key_files_are_private_and_a_passphrase_protects_the_private_key(tmp_path: Path) -> None:
    private, public = tmp_path / "keys" / "office.json", tmp_path / "keys" / "office-public.json"
    made = officekey.create(private, public, passphrase="correct horse battery")
    for path in (private, public):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(private.parent.stat().st_mode) == 0o700
    raw = private.read_text()
    assert made.private.hex() not in raw and officekey._b64(made.private) not in raw
    assert json.loads(public.read_text())["public"] == officekey._b64(made.public)
    assert "secret" not in json.loads(public.read_text())
    with pytest.raises(officekey.OfficeKeyLocked, match="SANTUI_OFFICE_PASSPHRASE"):
        officekey.load_private(private, None)
    with pytest.raises(officekey.OfficeKeyLocked, match="wrong passphrase"):
        officekey.load_private(private, "wrong horse battery")
    assert officekey.load_private(private, "correct horse battery") == made
    with pytest.raises(officekey.OfficeKeyError, match="never replaces"):
        officekey.create(private, public)
    with override_settings(SANTUI_OFFICE_KEY_FILE=private, SANTUI_OFFICE_PUBLIC_KEY_FILE=public):
        token = encrypt_text("李四")
        with pytest.raises(OfficeKeyMissing, match="protected by a passphrase"):
            decrypt_text(token)
        crypto.unlock_office("correct horse battery")
        assert decrypt_text(token) == "李四"


def test_a_damaged_office_key_file_is_refused_in_one_line(tmp_path: Path) -> None:
    private, public = tmp_path / "office.json", tmp_path / "office-public.json"
    made = officekey.create(private, public)
    good = json.loads(private.read_text())
    other = officekey.create(tmp_path / "o2.json", tmp_path / "p2.json")
    for change in ({"version": 2}, {"public": officekey._b64(other.public)}, {"secret": "!"},
                   {"kdf": {"name": "md5"}}):  # fmt: skip
        private.write_text(json.dumps(good | change))
        with pytest.raises(officekey.OfficeKeyError, match="not a santui office key file") as e:
            officekey.load_private(private, None)
        assert "\n" not in str(e.value)
    private.write_text(json.dumps(good))
    assert officekey.load_private(private, None) == made
    with pytest.raises(officekey.OfficeKeyError, match="no office public key at"):
        officekey.load_public(tmp_path / "nothing.json")


def test_a_sealed_value_refuses_every_use_and_keeps_its_token() -> None:
    token = encrypt_text("李四")
    with override_settings(SANTUI_ROLE="public"):
        sealed = Sealed(token)
        for use in (str, len, bool, lambda v: v == "李四", lambda v: v.strip(), lambda v: f"{v}",
                    lambda v: "李" in v, lambda v: v + "x"):  # fmt: skip
            with pytest.raises(OfficeKeyMissing, match="public server"):
                use(sealed)
        assert "李四" not in repr(sealed)
        assert Sealed(token) == sealed
    assert decrypt_text(sealed.token) == "李四"


@pytest.mark.django_db
def test_a_locked_office_key_loads_rows_sealed_and_says_why(tmp_path: Path) -> None:
    """A command run where the office key is protected and no passphrase was given: rows load,
    their names are sealed, and using one names the missing passphrase (derived once only)."""
    from santui.statements.models import Statement
    from tests.factories import ReceivedStatementFactory

    private, public = tmp_path / "office.json", tmp_path / "office-public.json"
    officekey.create(private, public, passphrase="correct horse battery")
    with override_settings(SANTUI_OFFICE_KEY_FILE=private, SANTUI_OFFICE_PUBLIC_KEY_FILE=public):
        statement = ReceivedStatementFactory(name="李四")
        rows = list(Statement.objects.filter(pk=statement.pk)) * 2
        rows += list(Statement.objects.filter(pk=statement.pk))
        assert all(isinstance(r.name, Sealed) for r in rows)
        assert not crypto.can_decrypt()
        with pytest.raises(OfficeKeyMissing, match="protected by a passphrase"):
            str(rows[0].name)
        crypto.unlock_office("correct horse battery")
        assert Statement.objects.get(pk=statement.pk).name == "李四"


@pytest.mark.django_db
def test_a_value_sealed_to_another_office_key_loads_sealed(tmp_path: Path) -> None:
    """A row whose name was sealed to another office's key (an instance made apart) still
    loads on this office, its name sealed, instead of every query that loads it failing."""
    from santui.statements.models import Statement
    from tests.factories import ReceivedStatementFactory

    private, public = tmp_path / "office.json", tmp_path / "office-public.json"
    officekey.create(private, public)
    with override_settings(SANTUI_OFFICE_KEY_FILE=private, SANTUI_OFFICE_PUBLIC_KEY_FILE=public):
        elsewhere = encrypt_text("王五")
    statement = ReceivedStatementFactory(name="李四")
    Statement.objects.filter(pk=statement.pk).update(name=elsewhere)  # raw: as another wrote it
    loaded = Statement.objects.get(pk=statement.pk)
    assert isinstance(loaded.name, Sealed)
    assert loaded.text == statement.text  # the rest of the row reads
    with pytest.raises(DecryptionError):
        decrypt_text(elsewhere)
