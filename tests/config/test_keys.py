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
