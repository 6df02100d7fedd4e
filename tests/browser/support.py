"""Shared helpers of the browser tests: headless Chromium, what it requested, what it logged.

Uses Debian's chromium and chromedriver; Selenium Manager is never asked for anything
(SE_OFFLINE). Every request the browser makes is read from Chrome's performance log
(``Network.*`` DevTools events), so a test can check that nothing left the machine, what
status the page had and how many bytes came over the wire.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Schemes served inside the browser itself (its own pages and resources, inline data): they
# never touch the network. Any other scheme must name a loopback host to pass.
IN_BROWSER_SCHEMES = {"data", "about", "blob", "chrome", "chrome-untrusted", "devtools"}


def chromium_options(
    profile_dir: str, *, javascript: bool, window: tuple[int, int] = (1280, 900)
) -> webdriver.ChromeOptions:
    """A declarant in mainland China: zh-CN first, no background traffic of Chrome's own."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",  # screenshots as a phone shows them; the checks measure overflow
        f"--user-data-dir={profile_dir}",
        "--lang=zh-CN",
        "--window-size={},{}".format(*window),
    ):
        options.add_argument(flag)
    prefs: dict[str, Any] = {"intl.accept_languages": "zh-CN,zh"}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    return options


@contextmanager
def chromium(*, javascript: bool) -> Iterator[WebDriver]:
    """A headless Chromium; fails (or skips with SANTUI_SKIP_BROWSER=1) when it is missing."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    if missing:
        message = (
            f"browser tests need {' and '.join(missing)} (apt install chromium chromium-driver)"
        )
        if os.environ.get("SANTUI_SKIP_BROWSER") == "1":
            pytest.skip(message)
        pytest.fail(f"{message}; set SANTUI_SKIP_BROWSER=1 to skip them", pytrace=False)
    profile_dir = tempfile.mkdtemp(prefix="santui-chromium-")
    # SE_OFFLINE: should Selenium Manager ever be reached, it must not download anything.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SE_OFFLINE", "true")
        service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
        options = chromium_options(profile_dir, javascript=javascript)
        browser = webdriver.Chrome(service=service, options=options)
    try:
        browser.set_page_load_timeout(30)
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile_dir, ignore_errors=True)


def performance_events(driver: WebDriver) -> list[dict[str, Any]]:
    """DevTools events logged since the last call (reading the log empties it)."""
    return [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]


def requested_urls(events: list[dict[str, Any]]) -> list[str]:
    return [
        e["params"]["request"]["url"]
        for e in events
        if e.get("method") == "Network.requestWillBeSent"
    ]


def drain_requested_urls(driver: WebDriver) -> list[str]:
    return requested_urls(performance_events(driver))


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in IN_BROWSER_SCHEMES:
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOCAL_HOSTS


def assert_stayed_local(driver: WebDriver, site: str | None = None) -> None:
    """Every request the browser made since the last drain went to this machine; with ``site``,
    at least one went to it (so the performance log was working)."""
    urls = drain_requested_urls(driver)
    if site is not None:
        assert any(u.startswith(site) for u in urls), "performance log saw no request"
    outside = [u for u in urls if not is_local(u)]
    assert outside == [], f"the browser left this machine: {outside}"


def console_problems(console: list[dict[str, Any]]) -> list[str]:
    """The console's errors and Content-Security-Policy reports, but the favicon's 404 (asked
    for once per browser by whichever page comes first)."""
    return [
        f"{e.get('level')}: {e.get('message', '')[:300]}"
        for e in console
        if "/favicon.ico " not in e.get("message", "")
        and (e.get("level") == "SEVERE" or "Content Security Policy" in e.get("message", ""))
    ]


def detached(element: Any) -> Any:
    """Like ec.staleness_of, but also takes Chromium's "Node ... does not belong to the document"
    (an unknown error, not a StaleElementReferenceException, when the page is mid-navigation)."""

    def check(_driver: WebDriver) -> bool:
        try:
            element.is_enabled()
        except WebDriverException:  # StaleElementReferenceException is one of these
            return True
        return False

    return check


def wait_loaded(driver: WebDriver, path: str, *, timeout: float = 10) -> None:
    """Wait until the browser shows a page whose path ends with ``path``, fully loaded."""
    WebDriverWait(driver, timeout).until(
        lambda d: (
            d.current_url.split("?")[0].endswith(path)
            and d.execute_script("return document.readyState") == "complete"
        )
    )


@dataclass
class Load:
    """What one page load cost: the document's status, every URL, bytes over the wire."""

    url: str
    status: int | None
    urls: list[str] = field(default_factory=list)
    bytes: int = 0  # encodedDataLength summed over every finished request (headers included)
    by_url: dict[str, int] = field(default_factory=dict)
    console: list[dict[str, Any]] = field(default_factory=list)

    @property
    def outside(self) -> list[str]:
        return [u for u in self.urls if not is_local(u)]


def load(driver: WebDriver, url: str) -> Load:
    """Open ``url`` and read, from the performance and console logs, what that cost."""
    performance_events(driver)  # drain what an earlier page left
    driver.get_log("browser")
    driver.get(url)
    events = performance_events(driver)
    urls_by_id: dict[str, str] = {}
    status = None
    result = Load(url=url, status=None, console=driver.get_log("browser"))
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Network.requestWillBeSent":
            urls_by_id[params["requestId"]] = params["request"]["url"]
            result.urls.append(params["request"]["url"])
        elif method == "Network.responseReceived" and params.get("type") == "Document":
            status = params["response"]["status"]  # the last document: after any redirect
        elif method == "Network.loadingFinished":
            size = int(params.get("encodedDataLength", 0))
            result.bytes += size
            key = urls_by_id.get(params["requestId"], params["requestId"])
            result.by_url[key] = result.by_url.get(key, 0) + size
    result.status = status
    return result


def set_viewport(driver: WebDriver, *, width: int, height: int, mobile: bool) -> None:
    """Emulate a device's viewport (DevTools: works with the page's JavaScript off)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )


def screenshot(driver: WebDriver, path: Path, *, width: int, height: int) -> dict[str, float]:
    """A full-page PNG at the current viewport; returns the page's CSS content size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    content = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "scale": 1, "width": max(content["width"], width)}
    clip["height"] = max(content["height"], height)
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    path.write_bytes(base64.b64decode(shot["data"]))
    return {"width": content["width"], "height": content["height"]}
