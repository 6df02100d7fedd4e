import stat
from pathlib import Path

from santui.config.keys import load_or_create


def test_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "santui-keys.json"
    first = load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(first.data[0]) == 32 and len(first.hmac) == 32 and len(first.django_secret) >= 50
    again = load_or_create(path)
    assert again == first


def test_each_instance_gets_its_own_keys(tmp_path: Path) -> None:
    a = load_or_create(tmp_path / "a.json")
    b = load_or_create(tmp_path / "b.json")
    assert a.data != b.data and a.hmac != b.hmac and a.django_secret != b.django_secret


def test_absent_keys_refuse_to_be_used(tmp_path: Path) -> None:
    """Issue 16: a command that needs no keys (help, santui parse) runs without a key file;
    any use of a key then fails naming the file instead of making one up."""
    import pytest

    from santui.config.keys import AbsentKeys

    keys = AbsentKeys.at(tmp_path / "k.json")
    for name in ("data", "hmac", "django_secret"):
        with pytest.raises(RuntimeError, match=r"no key file at .*k\.json: run `santui setup`"):
            getattr(keys, name)
    assert not (tmp_path / "k.json").exists()


def test_a_damaged_key_file_is_refused_in_one_line(tmp_path: Path) -> None:
    import base64
    import json

    import pytest

    from santui.config.keys import load

    good = json.loads((load_or_create(tmp_path / "good.json").path).read_text())
    short = base64.b64encode(b"x" * 16).decode()
    for change in ({"data": [short]}, {"hmac": short}, {"data": []}, {"data": "abc"},
                   {"hmac": "not base64!"}, {"django_secret": ""}):  # fmt: skip
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(good | change))
        with pytest.raises(ValueError, match="is not a santui key file") as caught:
            load(path)
        assert "\n" not in str(caught.value)
    with pytest.raises(ValueError, match="cannot read the key file"):
        load(tmp_path / "missing.json")
