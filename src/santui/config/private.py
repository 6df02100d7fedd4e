"""Files only santui's own user may read: the instance's home, its SQLite database, its keys.

Everything under ``$SANTUI_HOME`` is personal data or a key to it (the database holds names and
texts, encrypted or not; the key file decrypts them). So the home is made mode 0700 and the
SQLite database file 0600 when they are created (SQLite gives its -wal and -shm files the
database file's mode); key files are made 0600 where they are written (``keys.py``,
``santui.tally.log``). Existing files and folders are left as they are: an operator may have
chosen otherwise (docs/operations.md says how to check).
"""

from __future__ import annotations

import os
from pathlib import Path


def private_directory(path: Path) -> None:
    """Create ``path`` with mode 0700 (missing parents with the default mode) unless it exists."""
    if not path.exists():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (an empty file is an empty SQLite
    database, so SQLite then opens it instead of creating it with the umask's mode)."""
    if not path.parent.is_dir():
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)
