"""Issue 16, time to the first page: `scripts/run` starts `santui serve --no-setup --demo S`
right after `santui setup --set milestone_step=…`; the site answers before the demo is loaded,
the demo lands beside it, marks the instance, and a restart does not load it again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.ops.servers import free_port

SANTUI = str(Path(sys.executable).parent / "santui")


def _stats(base: str) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(base + "/api/v1/stats", timeout=20) as response:  # noqa: S310
            doc: dict[str, object] = json.loads(response.read())
            return doc
    except OSError:
        return None


def _serve(home: Path, env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603  # our own console script
        [SANTUI, "serve", "--no-setup", "--demo", "0.00001", "--port", str(port),
         "--workers", "1", "--threads", "2", "--integrate-every", "0.5"],
        env=env, stdout=(home / "serve.log").open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True, cwd=home,
    )  # fmt: skip


@pytest.mark.slow
def test_the_demo_loads_beside_the_site_and_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SANTUI_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    env |= {"SANTUI_HOME": str(home), "DJANGO_SETTINGS_MODULE": "santui.config.settings.prod"}
    subprocess.run(  # noqa: S603
        [SANTUI, "setup", "--set", "milestone_step=100"], env=env, check=True, timeout=300,
        capture_output=True,
    )  # fmt: skip
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _serve(home, env, port)
    try:
        for _ in range(600):
            assert proc.poll() is None, (home / "serve.log").read_text()
            if (home / "demo-loaded").exists():
                break
            time.sleep(0.25)
        else:
            pytest.fail("the demo did not finish")
        assert (
            "loading demo data (scale 1e-05) in the background" in (home / "serve.log").read_text()
        )
        for _ in range(120):  # the integrator loop folds in what the demo left
            doc = _stats(base)
            if doc and doc["log_size"] == doc["statements"] and doc["persons"]:
                break
            time.sleep(0.5)
        assert doc is not None and int(str(doc["persons"])) > 1000
        assert doc["milestone_step"] == 100  # from the instance's settings file
        assert "demo scale 1e-05" in (home / "demo.log").read_text()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    # A restart: the site comes up, and no second demo run starts.
    (home / "demo.log").unlink()
    proc = _serve(home, env, port)
    try:
        for _ in range(240):
            if _stats(base):
                break
            assert proc.poll() is None, (home / "serve.log").read_text()
            time.sleep(0.25)
        assert not (home / "demo.log").exists()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
