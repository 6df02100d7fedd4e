"""The retention periods (docs/retention.md): defaults, overridden by settings
(``SANTUI_RETENTION_*``, from the environment or santui.toml)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, int] = {
    # personal data of a rejected statement: days after the rejection
    "rejected_days": 90,
    # of an accepted statement not published with consent: days after the acceptance
    "accepted_days": 365,
    # raw email (a quarantined message as received, its text) and attachments: days after the
    # decision on the statement made of it
    "mail_days": 30,
    # a quarantined message nobody made a statement of: days after it was quarantined
    "unresolved_mail_days": 90,
    # rejects files of `santui import`: minutes after the import last wrote to one (at once
    # when it is over; a file written within this time may be an import still running)
    "rejects_minutes": 10,
}


@dataclass(frozen=True)
class Policy:
    rejected_days: int
    accepted_days: int
    mail_days: int
    unresolved_mail_days: int
    rejects_minutes: int
    rejects_dirs: tuple[Path, ...]

    def as_record(self) -> dict[str, Any]:
        """The periods as a retention run records them (JSON)."""
        record = asdict(self)
        record["rejects_dirs"] = [str(p) for p in self.rejects_dirs]
        return record

    def before(self, now: dt.datetime, days: int) -> dt.datetime:
        return now - dt.timedelta(days=days)


def current_policy() -> Policy:
    """The periods in force: ``SANTUI_RETENTION_<NAME>`` settings, else DEFAULTS."""
    values = {
        name: int(getattr(settings, f"SANTUI_RETENTION_{name.upper()}", default))
        for name, default in DEFAULTS.items()
    }
    for name, value in values.items():
        if value < 0:
            raise ValueError(f"SANTUI_RETENTION_{name.upper()} must not be negative")
    dirs = getattr(settings, "SANTUI_RETENTION_REJECTS_DIRS", None)
    if dirs is None:
        dirs = [settings.SANTUI_HOME] if hasattr(settings, "SANTUI_HOME") else []
    return Policy(**values, rejects_dirs=tuple(Path(d) for d in dirs))
