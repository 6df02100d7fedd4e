"""Issue 12, secure defaults: a new instance's home is 0700, and its SQLite database (with its
-wal and -shm files), its key file and the public log's signing key are 0600, whatever the
umask. Run as a fresh process, as `santui setup` starts, in a home that does not exist yet.
Issue 16: nothing else makes an instance (tests/ops/test_cli.py)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import os
import django
from santui.config import instance
instance.MODE = "prepare"  # as santui setup and santui serve start (santui.cli)
django.setup()
from django.db import connection
from santui.tally.log import log_signer
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE t (x)")
    cursor.execute("INSERT INTO t VALUES (1)")
    cursor.execute("SELECT x FROM t")
    cursor.fetchall()
    log_signer()
    for end in ("", "-wal", "-shm"):  # -wal and -shm are gone once the connection closes
        path = connection.settings_dict["NAME"] + end
        if os.path.exists(path):
            print(path, oct(os.stat(path).st_mode & 0o777))
"""


PREPARE = "import django; import santui.config.instance as i; i.MODE = 'prepare'; django.setup()"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_instance_keeps_its_files_to_itself(tmp_path: Path) -> None:
    home = tmp_path / "new" / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SANTUI_KEY_FILE")}
    env |= {
        "SANTUI_HOME": str(home),
        "DJANGO_SETTINGS_MODULE": "santui.config.settings.prod",
        "SANTUI_LOG_KEY_FILE": str(home / "keys" / "log-signing.key"),
    }
    out = subprocess.run(  # noqa: S603  # our own interpreter, a fixed script
        [sys.executable, "-c", "import os; os.umask(0o022)\n" + SCRIPT],
        env=env, capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    database = dict(line.split() for line in out.splitlines())
    assert set(database) >= {str(home / "santui.sqlite3"), str(home / "santui.sqlite3-wal")}
    assert set(database.values()) == {"0o600"}, database
    assert _mode(home) == 0o700
    assert _mode(home / "santui.sqlite3") == 0o600
    assert _mode(home / "keys") == 0o700
    for key in ("santui-keys.json", "log-signing.key"):
        assert _mode(home / "keys" / key) == 0o600, key


def test_an_existing_home_and_database_are_left_as_they_are(tmp_path: Path) -> None:
    """The operator's own choice stands (docs/operations.md says how to check it)."""
    home = tmp_path / "home"
    home.mkdir(mode=0o750)
    (home / "santui.sqlite3").touch(mode=0o640)
    os.chmod(home, 0o750)  # noqa: S103  # the wider mode an operator may choose, on purpose
    os.chmod(home / "santui.sqlite3", 0o640)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SANTUI_KEY_FILE")}
    env |= {"SANTUI_HOME": str(home), "DJANGO_SETTINGS_MODULE": "santui.config.settings.prod"}
    subprocess.run(  # noqa: S603  # our own interpreter, a fixed script
        [sys.executable, "-c", PREPARE],
        env=env, check=True, timeout=120,
    )  # fmt: skip
    assert (_mode(home), _mode(home / "santui.sqlite3")) == (0o750, 0o640)
