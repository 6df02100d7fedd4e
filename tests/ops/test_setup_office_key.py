"""Issue 12: `santui setup` makes the office key pair on the office and moves the key file's
first-format data keys into it, so the key file a public host gets decrypts nothing; on a
public host (SANTUI_ROLE=public) it makes no private key and wants the office's public key."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from santui.statements import officekey

SANTUI = str(Path(sys.executable).parent / "santui")


def santui(*args: str, home: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SANTUI_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    env |= {"SANTUI_HOME": str(home), "DJANGO_SETTINGS_MODULE": "santui.config.settings.prod"}
    return subprocess.run(  # noqa: S603  # our own console script
        [SANTUI, *args], env=env | extra, capture_output=True, text=True, timeout=300,
        check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.mark.slow
def test_setup_makes_the_pair_and_moves_the_data_keys_to_the_office(tmp_path: Path) -> None:
    office = tmp_path / "office"
    done = santui("setup", home=office)
    assert done.returncode == 0, done.stderr
    keys = office / "keys"
    assert "moved 1 first-format data key(s)" in done.stdout
    assert "data" not in json.loads((keys / "santui-keys.json").read_text())
    for name in ("santui-keys.json", "office.json", "office-public.json"):
        assert stat.S_IMODE((keys / name).stat().st_mode) == 0o600, name
    held = officekey.load_private(keys / "office.json", None)
    assert len(held.legacy) == 1
    again = santui("setup", home=office)  # idempotent: nothing moved twice, nothing replaced
    assert again.returncode == 0 and "moved" not in again.stdout
    assert officekey.load_private(keys / "office.json", None) == held

    # The public host: the office's key file (without data keys) and public key, nothing more.
    public = tmp_path / "public"
    (public / "keys").mkdir(parents=True)
    for name in ("santui-keys.json", "office-public.json"):
        shutil.copy2(keys / name, public / "keys" / name)
    done = santui("setup", home=public, SANTUI_ROLE="public")
    assert done.returncode == 0, done.stderr
    assert "no office private key here (public host)" in done.stdout
    assert not (public / "keys" / "office.json").exists()

    # Given the key file but not the office's public key, a public host says what to copy.
    bare = tmp_path / "bare"
    (bare / "keys").mkdir(parents=True)
    shutil.copy2(keys / "santui-keys.json", bare / "keys" / "santui-keys.json")
    done = santui("setup", home=bare, SANTUI_ROLE="public")
    assert done.returncode != 0
    assert "no office public key at" in done.stderr and "copy" in done.stderr
    assert not (bare / "keys" / "office.json").exists()


@pytest.mark.slow
def test_serve_in_an_empty_folder_makes_a_whole_instance_for_one_machine(tmp_path: Path) -> None:
    """`santui serve` (the public server) where nothing is yet: a one-machine instance, the
    office key pair included; the public server itself still never loads the private key."""
    home = tmp_path / "one"
    done = santui("setup", home=home, SANTUI_ROLE="public")
    assert done.returncode == 0, done.stderr
    assert (home / "keys" / "office.json").is_file()
    assert "this host holds the office private key" in done.stderr


@pytest.mark.slow
def test_a_protected_office_key_needs_its_passphrase(tmp_path: Path) -> None:
    home = tmp_path / "office"
    done = santui("setup", home=home, SANTUI_OFFICE_PASSPHRASE="a long passphrase here")
    assert done.returncode == 0, done.stderr
    assert "passphrase-protected" in done.stdout
    path = home / "keys" / "office.json"
    with pytest.raises(officekey.OfficeKeyLocked):
        officekey.load_private(path, None)
    assert officekey.load_private(path, "a long passphrase here").legacy  # the moved data key
    refused = santui("serve", "--office", "--no-setup", home=home)  # no terminal to ask in
    assert refused.returncode != 0 and "protected by a passphrase" in refused.stderr
