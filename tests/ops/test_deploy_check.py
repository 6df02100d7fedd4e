"""Issue 12, secure defaults: Django's deployment checks (`santui check --deploy`) find nothing
in the documented production set-up (docs/operations.md: behind a TLS proxy, SANTUI_HTTPS=1,
the site's own host name), and the plain-HTTP set-up (an onion service) is told apart: there
the checks name exactly the HTTPS settings it goes without, and nothing else."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SANTUI = str(Path(sys.executable).parent / "santui")


def _check(home: Path, **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {"SANTUI_HOME": str(home), "DJANGO_SETTINGS_MODULE": "santui.config.settings.prod"}
    env |= env_extra
    subprocess.run(  # noqa: S603  # our own command
        [SANTUI, "setup"], env=env, check=True, capture_output=True, timeout=300
    )
    return subprocess.run(  # noqa: S603  # our own command
        [SANTUI, "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_the_production_set_up_passes_every_deployment_check(tmp_path: Path) -> None:
    done = _check(tmp_path / "home", SANTUI_HTTPS="1", SANTUI_ALLOWED_HOSTS="santui.example.org")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout, done.stdout + done.stderr


@pytest.mark.slow
def test_plain_http_names_only_the_https_settings_it_goes_without(tmp_path: Path) -> None:
    done = _check(tmp_path / "home", SANTUI_HTTPS="0")
    found = set(re.findall(r"\((security\.\w+)\)", done.stdout + done.stderr))
    # HSTS, the HTTPS redirect, Secure session and CSRF cookies: all of HTTPS, none else.
    assert found == {"security.W004", "security.W008", "security.W012", "security.W016"}
