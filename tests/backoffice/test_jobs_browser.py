"""A background job's page in headless Chromium with JavaScript off: a moderator confirms a
bulk invalidation, lands on the job's page, which reloads itself (``<meta http-equiv=
"refresh">``, no script) until the runner has done the job; another job is cancelled with its
button. No page logs a console error or loads anything from another host."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from santui.backoffice.jobs import office_job_create, office_jobs_run_all
from santui.backoffice.jobviews import REFRESH_SECONDS
from santui.backoffice.models import JobKind, JobState, OfficeJob
from santui.backoffice.roles import MODERATOR, ensure_roles
from santui.statements.actions import statement_accept, statement_receive
from santui.statements.models import EntryKind, LedgerEntry, Statement, Status
from tests.browser.support import (
    assert_stayed_local,
    chromium,
    console_problems,
    drain_requested_urls,
    load,
)

pytestmark = pytest.mark.browser

PASSWORD = "moderator-pass-phrase"
COUNTED = 7


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with chromium(javascript=False) as browser:
        yield browser


@pytest.fixture
def office(driver: WebDriver, live_server: Any, transactional_db: None) -> Iterator[str]:
    """A moderator and seven counted phone statements; the browser logged out."""
    user = User.objects.create_user("moderator", password=PASSWORD, is_staff=True)
    user.groups.set([ensure_roles()[MODERATOR]])
    earlier = timezone.now() - dt.timedelta(days=30)
    for i in range(COUNTED):
        s = statement_receive(
            channel="phone", organizations=["party"], name_kind="anonymous", text="",
            headcount=2, source="office", via="test", received_at=earlier + dt.timedelta(hours=i),
        ).statement  # fmt: skip
        statement_accept(statement=s, by=user, via="test")
    driver.delete_all_cookies()
    drain_requested_urls(driver)
    yield live_server.url
    assert_stayed_local(driver, live_server.url)


def _label(choice: Any) -> str:
    with translation.override("zh-hans"):  # the browser asks for zh-CN
        return str(choice.label)


def _log_in(driver: WebDriver, office: str, then: str) -> list[dict[str, Any]]:
    login = load(driver, f"{office}/office/login/?next={then}")
    assert login.status == 200
    driver.find_element(By.ID, "id_username").send_keys("moderator")
    driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.current_url.split("?")[0].endswith(then))
    return list(login.console) + driver.get_log("browser")


def test_a_job_page_follows_the_job_without_javascript(driver: WebDriver, office: str) -> None:
    console = _log_in(driver, office, "/office/invalidate/")
    Select(driver.find_element(By.ID, "id_channel")).select_by_value("phone")
    driver.find_element(By.CSS_SELECTOR, "#select button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "preview-counts"))
    Select(driver.find_element(By.ID, "id_public_reason")).select_by_value("spam")
    driver.find_element(By.CSS_SELECTOR, "#confirm button[name=confirm]").click()
    WebDriverWait(driver, 10).until(lambda d: "/office/jobs/" in d.current_url)
    console += driver.get_log("browser")

    job = OfficeJob.objects.get()
    assert driver.current_url.endswith(f"/office/jobs/{job.pk}/")
    state = driver.find_element(By.ID, "job-state").text
    assert _label(JobState.QUEUED) in state and _label(JobKind.REVOKE) in state
    bar = driver.find_element(By.ID, "job-progress")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("0", str(COUNTED))
    assert driver.find_element(By.CSS_SELECTOR, "#job-cancel button").is_displayed()
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVOKE).exists()

    office_jobs_run_all(chunk=3)  # the runner, as `santui office-jobs --loop` would
    # the page reloads itself (meta refresh): no click, no script
    _wait_for_state(driver, JobState.DONE, REFRESH_SECONDS * 10)
    console += driver.get_log("browser")
    bar = driver.find_element(By.ID, "job-progress")
    assert bar.get_attribute("value") == str(COUNTED)
    assert driver.find_element(By.ID, "job-done").text == str(COUNTED)
    assert driver.find_element(By.ID, "job-persons").text == str(2 * COUNTED)
    assert not driver.find_elements(By.ID, "job-cancel")
    assert Statement.objects.filter(status=Status.REJECTED).count() == COUNTED
    assert console_problems(console) == []


def _wait_for_state(driver: WebDriver, state: str, seconds: float) -> None:
    """Wait until the job page shows ``state``. The page may be reloading when it is read (after
    a click, or its own refresh): an element found before the reload is then stale."""
    WebDriverWait(
        driver, seconds, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
    ).until(lambda d: _label(state) in d.find_element(By.ID, "job-state").text)


def test_a_job_is_cancelled_with_its_button(driver: WebDriver, office: str) -> None:
    user = User.objects.get(username="moderator")
    numbers = list(Statement.objects.values_list("pk", flat=True))
    job = office_job_create(kind=JobKind.REVOKE, numbers=numbers, by=user, reason="other")
    page = f"/office/jobs/{job.pk}/"
    console = _log_in(driver, office, page)
    driver.find_element(By.CSS_SELECTOR, "#job-cancel button").click()
    _wait_for_state(driver, JobState.CANCELLED, 10)
    console += driver.get_log("browser")
    assert driver.find_elements(By.CSS_SELECTOR, "ul.messagelist li.success")
    job.refresh_from_db()
    assert (job.state, job.cancelled_by) == (JobState.CANCELLED, user)
    assert office_jobs_run_all(chunk=3) == []
    assert Statement.objects.filter(status=Status.ACCEPTED).count() == COUNTED
    # the home page lists it
    driver.get(f"{office}/office/")
    link = driver.find_element(By.CSS_SELECTOR, f"#office-job-list a[href='{page}']")
    assert link.text == str(job.pk)
    assert console_problems(console + driver.get_log("browser")) == []
