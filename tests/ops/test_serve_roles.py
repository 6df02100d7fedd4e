"""Issue 12: `santui serve` is the public server (no office route, no office key, no loop that
reads names); `santui serve --office` is the back office with the loops that do. In process,
gunicorn replaced by a stand-in that records what the server would run with; and for real, the
two servers of one instance side by side."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import types
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from santui.ops.management.commands import serve
from santui.statements import crypto
from tests.ops.servers import free_port

SANTUI = str(Path(sys.executable).parent / "santui")


def run_serve(monkeypatch: pytest.MonkeyPatch, *args: str) -> dict[str, Any]:
    seen: dict[str, Any] = {"commands": []}

    class FakeGunicorn:
        def __init__(self, options: dict[str, Any]) -> None:
            seen["bind"] = options["bind"]

        def run(self) -> None:  # what the workers would inherit
            seen["urlconf"] = settings.ROOT_URLCONF
            seen["role"] = settings.SANTUI_ROLE
            seen["can_decrypt"] = crypto.can_decrypt()
            seen["key_loaded"] = crypto._office is not None
            seen["signin"] = settings.STAFF_SIGNIN_MIDDLEWARE in settings.MIDDLEWARE

    def popen(command: list[str], **kwargs: Any) -> Any:
        seen["commands"].append(command[3:])
        return types.SimpleNamespace(terminate=lambda: None, wait=lambda timeout: 0)

    monkeypatch.setattr(serve, "call_command", lambda *a, **k: None)
    monkeypatch.setattr(serve.subprocess, "Popen", popen)
    monkeypatch.setattr(serve, "_Gunicorn", FakeGunicorn)
    crypto.forget_office()
    call_command("serve", *args)
    return seen


def test_the_public_server_holds_no_office_key_and_runs_no_loop_that_reads_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = run_serve(monkeypatch, "--workers", "1")
    assert seen["bind"] == "127.0.0.1:8000"
    assert seen["urlconf"] == "santui.config.urls_public" and seen["role"] == "public"
    assert not seen["can_decrypt"] and not seen["key_loaded"] and not seen["signin"]
    loops = {c[0] for c in seen["commands"]}
    assert loops == {"integrate", "stats"}
    assert settings.ROOT_URLCONF == "santui.config.urls"  # restored after the server stops


def test_the_office_unlocks_its_key_and_runs_the_loops_that_read_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = run_serve(monkeypatch, "--office", "--workers", "1")
    assert seen["bind"] == "127.0.0.1:8001"
    assert seen["urlconf"] == "santui.config.urls_office" and seen["role"] == "office"
    assert seen["can_decrypt"] and seen["key_loaded"] and seen["signin"]
    assert {c[0] for c in seen["commands"]} == {
        "screen", "office-jobs", "public-copies", "retention"
    }


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310  # our server
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(240):
        try:
            _status(url)
            return
        except OSError:
            pass
        assert proc.poll() is None, log.read_text()
        time.sleep(0.25)
    pytest.fail(f"{url} did not answer")


@pytest.mark.slow
def test_one_machine_runs_both_servers_apart(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SANTUI_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    env |= {"SANTUI_HOME": str(home), "DJANGO_SETTINGS_MODULE": "santui.config.settings.prod"}
    setup = subprocess.run(  # noqa: S603
        [SANTUI, "setup"], env=env, check=True, timeout=300, capture_output=True, text=True
    )
    assert "office private key in" in setup.stdout
    public_port, office_port = free_port(), free_port()
    procs = []
    try:
        servers = (
            (["--port", str(public_port)], home / "public.log"),
            (["--office", "--port", str(office_port)], home / "office.log"),
        )
        for args, log in servers:
            command = [SANTUI, "serve", "--no-setup", "--workers", "1", *args]
            procs.append(
                subprocess.Popen(  # noqa: S603  # our own console script
                    command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        public, office = f"http://127.0.0.1:{public_port}", f"http://127.0.0.1:{office_port}"
        _wait(public + "/api/v1/openapi.json", procs[0], home / "public.log")
        _wait(office + "/office/login/", procs[1], home / "office.log")
        assert _status(public + "/") == 200
        for path in ("/office/", "/office/login/", "/office/review/"):
            assert _status(public + path) == 404, path
        assert _status(office + "/office/login/") == 200
        assert _status(office + "/declare/") == 404
        assert f"santui office on {office}/office/" in (home / "office.log").read_text()
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)
