"""Issue 12: the public server and the office are served apart. The public server's URL conf
has no /office/ route; the office's has no public form; the settings follow SANTUI_ROLE, which
`santui serve` sets before Django starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parents[2]


def routes(urlconf: str) -> list[str]:
    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> list[str]:
        out = []
        for p in patterns:
            here = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                out += walk(p.url_patterns, here)
            else:
                out.append(here)
        return out

    return walk(get_resolver(urlconf).url_patterns, "")


def test_the_public_url_conf_has_no_office_route() -> None:
    public = routes("santui.config.urls_public")
    assert "declare/" in public and "statements/" in public
    assert [r for r in public if "office" in r or "admin" in r] == []
    office = routes("santui.config.urls_office")
    assert any(r.startswith("office/") for r in office)
    assert [r for r in office if r.startswith(("declare", "receipt", "api/", "statements"))] == []
    both = routes("santui.config.urls")
    assert set(public) | set(office) - {"", "i18n/setlang/"} <= set(both)


@pytest.mark.django_db
def test_the_public_server_answers_404_under_office() -> None:
    from santui.ops.management.commands.serve import public_middleware

    with override_settings(
        ROOT_URLCONF="santui.config.urls_public",
        SANTUI_ROLE="public",
        MIDDLEWARE=public_middleware(),
    ):
        client = Client()
        for path in ("/office/", "/office/login/", "/office/review/", "/office/jobs/",
                     "/office/statements/statement/"):  # fmt: skip
            assert client.get(path).status_code == 404, path
        assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200
        assert client.get("/declare/").status_code == 200


@pytest.mark.django_db
def test_the_office_serves_the_back_office_and_no_public_form() -> None:
    with override_settings(ROOT_URLCONF="santui.config.urls_office", SANTUI_ROLE="office"):
        client = Client()
        assert client.get("/office/login/").status_code == 200
        assert client.get("/").headers["Location"] == "/office/"
        missing = client.get("/declare/")
        assert missing.status_code == 404 and b"/office/" in missing.content


def settings_of(env: dict[str, str], home: Path) -> dict[str, object]:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SANTUI_ROLE, s.ROOT_URLCONF, s.ALLOWED_HOSTS, "
        "s.SESSION_COOKIE_NAME, str(s.SANTUI_OFFICE_KEY_FILE), "
        "s.MIDDLEWARE.count(s.STAFF_SIGNIN_MIDDLEWARE)]))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SANTUI_")}
    clean |= {"SANTUI_HOME": str(home), "DJANGO_SETTINGS_MODULE": "santui.config.settings.test"}
    done = subprocess.run(  # noqa: S603  # our own interpreter
        [sys.executable, "-c", code], env=clean | env, capture_output=True, text=True,
        timeout=120, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    role, urlconf, hosts, cookie, key, middleware = json.loads(done.stdout.splitlines()[-1])
    return {"role": role, "urlconf": urlconf, "hosts": hosts, "cookie": cookie, "key": key,
            "middleware": middleware}  # fmt: skip


def test_the_settings_follow_the_role(tmp_path: Path) -> None:
    # A public host of two: the office's key file copied before its first run.
    (tmp_path / "a" / "keys").mkdir(parents=True)
    (tmp_path / "a" / "keys" / "santui-keys.json").write_bytes(settings.KEYS.path.read_bytes())
    public = settings_of({"SANTUI_ROLE": "public", "SANTUI_ALLOWED_HOSTS": "example.org"},
                         tmp_path / "a")  # fmt: skip
    assert public["urlconf"] == "santui.config.urls_public"
    assert public["hosts"] == ["example.org"]
    # It makes no office private key, even where it prepares its instance.
    assert not Path(str(public["key"])).exists()
    assert not (tmp_path / "a" / "keys" / "office-public.json").exists()
    office = settings_of(
        {"SANTUI_ROLE": "office", "SANTUI_ALLOWED_HOSTS": "example.org",
         "SANTUI_OFFICE_ALLOWED_HOSTS": "office.example.org"}, tmp_path / "b",
    )  # fmt: skip
    assert office["urlconf"] == "santui.config.urls_office"
    assert office["hosts"] == ["office.example.org"]
    assert office["cookie"] == "santui_office_session"
    assert public["middleware"] == 0 and office["middleware"] == 1
    assert Path(str(office["key"])).exists()
    by_hand = settings_of({}, tmp_path / "c")
    assert by_hand["urlconf"] == "santui.config.urls"
    bad = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "SANTUI_ROLE": "both", "SANTUI_HOME": str(tmp_path / "d"),
             "DJANGO_SETTINGS_MODULE": "santui.config.settings.test"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert bad.returncode != 0 and "SANTUI_ROLE must be public or office" in bad.stderr
