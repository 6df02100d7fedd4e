"""The office's background jobs: a large workbench decision confirmed as a job, the runner
(`santui office-jobs`) taking it in chunks, resuming after a crash, cancelled by a moderator;
the job's pages without JavaScript, and what they do with hostile input."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import types
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from santui.backoffice import jobs
from santui.backoffice.jobs import (
    LOOP_NAME,
    MAX_ATTEMPTS,
    office_job_cancel,
    office_job_create,
    office_job_step,
    office_jobs_round,
    office_jobs_run_all,
)
from santui.backoffice.models import JobKind, JobState, OfficeJob, OfficeJobItem
from santui.backoffice.roles import INTAKE_VOLUNTEER, MODERATOR
from santui.ops.management.commands import serve
from santui.screening.run import screen_all
from santui.statements.actions import statement_accept, statement_edit, statement_reject
from santui.statements.models import EntryKind, LedgerEntry, Statement, Status
from santui.tally.loops import run_supervised
from santui.tally.models import IntegrationState, LoopState
from tests.backoffice.test_workbench import (
    EARLIER,
    INVALIDATE,
    _client,
    _flood,
    _preview,
    _receive,
    _user,
    _verify,
)

JOBS = "/office/jobs/"


def job_url(job: OfficeJob | int) -> str:
    return f"{JOBS}{job if isinstance(job, int) else job.pk}/"


def _counted(n: int, mod: User, *, channel: str = "phone") -> list[Statement]:
    """``n`` counted statements of one channel, headcount 1, 2, 3, 1, 2, 3..."""
    made = [
        _receive(channel=channel, source="office", name=f"甲{i}", headcount=1 + i % 3,
                 text=f"本人甲{i}声明退出中共。", received_at=EARLIER + dt.timedelta(hours=i))
        for i in range(n)
    ]  # fmt: skip
    for s in made:
        statement_accept(statement=s, by=mod, via="test")
    return made


def _revoke_job(statements: list[Statement], by: User, **kw: Any) -> OfficeJob:
    return office_job_create(
        kind=JobKind.REVOKE, numbers=[s.pk for s in statements], by=by, reason="spam", **kw
    )


def _revokes(statements: list[Statement]) -> dict[int, int]:
    """Revoke entries per statement."""
    found = {s.pk: 0 for s in statements}
    for pk in LedgerEntry.objects.filter(
        statement__in=statements, kind=EntryKind.REVOKE
    ).values_list("statement_id", flat=True):
        found[pk] += 1
    return found


# --- confirming makes a job; the runner does it --------------------------------------------------


@pytest.mark.django_db
def test_a_confirmed_bulk_invalidation_is_a_job_the_runner_does() -> None:
    mod = _user("mod", MODERATOR)
    counted = _counted(5, mod)
    client = _client(mod)
    data = _preview(client, {"channel": "phone"})["data"]
    response = client.post(INVALIDATE, {**data, "public_reason": "spam", "note": "bad batch",
                                         "confirm": "1"})  # fmt: skip
    job = OfficeJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    assert (job.kind, job.state, job.total, job.persons_expected) == ("revoke", "queued", 5, 9)
    assert (job.reason, job.note, job.created_by) == ("spam", "bad batch", mod)
    assert job.scope == {"channel": "phone"}
    assert sorted(OfficeJobItem.objects.values_list("statement_id", flat=True)) == sorted(
        s.pk for s in counted
    )
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVOKE).exists()  # not in the request

    page = client.get(job_url(job)).content.decode()
    assert f"Job {job.pk} queued: 5 statements are decided in the background." in page
    assert '<meta http-equiv="refresh" content="3">' in page
    assert '<progress id="job-progress" value="0" max="5">' in page
    assert 'id="job-cancel"' in page and "bad batch" in page
    assert "<script" not in page.split("<body")[1]

    out = io.StringIO()
    call_command("office-jobs", "--chunk", "2", stdout=out)
    assert f"job {job.pk} (revoke): done; 5 of 5 processed, 5 decided (9 persons)" in out.getvalue()
    job.refresh_from_db()
    assert (job.state, job.processed, job.done, job.persons, job.refused) == ("done", 5, 5, 9, {})
    assert job.started_at is not None and job.finished_at is not None
    assert set(_revokes(counted).values()) == {1}
    assert set(LedgerEntry.objects.filter(kind="revoke").values_list("reason", flat=True)) == {
        "spam"
    }
    page = client.get(job_url(job)).content.decode()
    assert "http-equiv" not in page and 'id="job-cancel"' not in page
    assert '<progress id="job-progress" value="5" max="5">' in page
    assert re.search(r'id="job-done">5<', page) and re.search(r'id="job-persons">9<', page)
    _verify()


@pytest.fixture
def flood_held() -> list[Statement]:
    flood = _flood(60)
    screen_all(delay=0)
    assert Statement.objects.filter(status=Status.HELD).count() == 60
    return flood


@pytest.mark.django_db
@override_settings(SANTUI_OFFICE_JOB_THRESHOLD=50)
def test_count_all_above_the_threshold_is_a_job(flood_held: list[Statement]) -> None:
    from santui.screening.models import Screening

    client = _client(_user("mod", MODERATOR))
    url = f"/office/queue/cluster/{Screening.objects.get(statement=flood_held[0]).cluster}/"
    page = client.get(url)
    assert 'id="decided-as-a-job"' in page.content.decode()  # said before it is pressed
    response = client.post(url, {"do": "accept:all", "upto": page.context["upto"]})
    job = OfficeJob.objects.get()
    assert response["Location"] == job_url(job)
    assert (job.kind, job.total, job.persons_expected, job.reason) == ("accept", 60, 60, "")
    assert job.scope["cluster"].startswith("flood:")
    assert Statement.objects.filter(status=Status.HELD).count() == 60
    steps = 0
    while office_job_step(job_id=job.pk, chunk=7) is not None:
        steps += 1
    assert steps == 9  # 8 chunks of 7 and one of 4
    assert Statement.objects.filter(status=Status.ACCEPTED).count() == 60
    job.refresh_from_db()
    assert (job.state, job.done, job.persons) == ("done", 60, 60)
    _verify()


@pytest.mark.django_db
@override_settings(SANTUI_OFFICE_JOB_THRESHOLD=50)
def test_reject_all_as_a_job_keeps_the_reason_and_note(flood_held: list[Statement]) -> None:
    client = _client(_user("mod", MODERATOR))
    url = "/office/queue/reason/flood_template/"
    upto = client.get(url).context["upto"]
    client.post(url, {"do": "reject:all", "upto": upto, "reason": "spam", "note": "one flood"})
    job = OfficeJob.objects.get()
    assert (job.kind, job.reason, job.note, job.scope) == (
        "reject", "spam", "one flood", {"reason": "flood_template"},
    )  # fmt: skip
    office_jobs_run_all(chunk=25)
    rejected = Statement.objects.filter(status=Status.REJECTED, reject_reason="spam")
    assert rejected.count() == 60
    assert not LedgerEntry.objects.exists()  # never counted: nothing to revoke
    _verify()


@pytest.mark.django_db
@override_settings(SANTUI_OFFICE_JOB_THRESHOLD=3)
def test_small_decisions_stay_immediate_and_ticked_ones_above_become_a_job(
    flood_held: list[Statement],
) -> None:
    client = _client(_user("mod", MODERATOR))
    three = [s.pk for s in flood_held[:3]]
    done = client.post("/office/queue/", {"do": "accept:ticked", "statement": three}, follow=True)
    assert "Counted 3 statements." in done.content.decode()
    assert not OfficeJob.objects.exists()
    four = [s.pk for s in flood_held[3:7]]
    response = client.post("/office/queue/", {"do": "accept:ticked", "statement": four})
    job = OfficeJob.objects.get()
    assert response["Location"] == job_url(job) and job.scope == {"ticked": True}
    assert job.total == 4


# --- chunks, crashes, refusals ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_runner_saves_its_progress_after_each_chunk() -> None:
    mod = _user("mod", MODERATOR)
    counted = _counted(10, mod)
    job = _revoke_job(counted, mod)
    step = office_job_step(job_id=job.pk, chunk=3)
    assert step is not None and (step.processed, step.state) == (3, "running")
    job.refresh_from_db()
    assert (job.processed, job.cursor, job.done) == (3, counted[2].pk, 3)
    assert job.started_at is not None and job.finished_at is None
    assert list(_revokes(counted).values()) == [1, 1, 1] + [0] * 7
    assert office_jobs_round(chunk=3, seconds=0).done == 3  # one chunk, then it reports
    job.refresh_from_db()
    assert job.processed == 6
    round_ = office_jobs_round(chunk=3, seconds=60)
    assert (round_.done, round_.backlog, round_.oldest_waiting_at) == (4, 0, None)
    job.refresh_from_db()
    assert (job.state, job.processed, job.done) == ("done", 10, 10)
    _verify()


@pytest.mark.django_db
def test_a_crash_mid_chunk_is_redone_by_a_fresh_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    mod = _user("mod", MODERATOR)
    counted = _counted(10, mod)
    job = _revoke_job(counted, mod)
    office_job_step(job_id=job.pk, chunk=4)
    real = jobs.decide_chunk

    def crash_after_writing(**kwargs: Any) -> Any:
        real(**kwargs)  # the chunk's rows are written...
        raise ConnectionError("server closed the connection unexpectedly")  # ...not committed

    monkeypatch.setattr(jobs, "decide_chunk", crash_after_writing)
    with pytest.raises(ConnectionError):
        office_job_step(job_id=job.pk, chunk=4)
    job.refresh_from_db()
    assert (job.state, job.processed, job.attempts) == ("running", 4, 1)
    assert job.error == "ConnectionError: server closed the connection unexpectedly"
    assert list(_revokes(counted).values()) == [1] * 4 + [0] * 6  # the chunk was rolled back
    monkeypatch.setattr(jobs, "decide_chunk", real)
    # one of the statements still to do is revoked by someone else meanwhile
    statement_reject(statement=counted[9], by=mod, reason="other", via="test")
    office_jobs_run_all(chunk=4)  # a fresh runner
    job.refresh_from_db()
    assert (job.state, job.processed, job.done, job.attempts, job.error) == ("done", 10, 9, 0, "")
    assert job.refused == {"not_counted": 1}
    assert set(_revokes(counted).values()) == {1}  # never twice
    _verify()


@pytest.mark.django_db
def test_a_chunk_failing_again_and_again_fails_its_job_and_the_next_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mod = _user("mod", MODERATOR)
    counted = _counted(4, mod)
    broken, fine = _revoke_job(counted[:2], mod), _revoke_job(counted[2:], mod)
    real = jobs.decide_chunk

    def fails_on_the_first_job(**kwargs: Any) -> Any:
        if counted[0].pk in kwargs["numbers"]:
            raise ValueError("bad data")
        return real(**kwargs)

    monkeypatch.setattr(jobs, "decide_chunk", fails_on_the_first_job)
    failures = run_supervised(
        name=LOOP_NAME, round_fn=lambda: office_jobs_round(chunk=10), interval=0.01,
        rounds=MAX_ATTEMPTS + 1, sleep=lambda s: None, tidy=lambda: None,
    )  # fmt: skip
    assert failures == MAX_ATTEMPTS
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert (broken.state, broken.error, broken.processed) == ("failed", "ValueError: bad data", 0)
    assert broken.finished_at is not None
    assert (fine.state, fine.done) == ("done", 2)
    state = LoopState.objects.get(name=LOOP_NAME)
    assert (state.errors, state.backlog, state.last_error) == (0, 0, "ValueError")
    page = _client(mod).get(job_url(broken)).content.decode()
    assert "ValueError: bad data" in page and 'id="job-cancel"' not in page


@pytest.mark.django_db
def test_refusals_are_counted_and_shown(flood_held: list[Statement]) -> None:
    mod, other = _user("mod", MODERATOR), _user("other", MODERATOR)
    a, b, c = flood_held[:3]
    statement_edit(statement=a, by=mod, changes={"headcount": 2}, via="test")  # mod edited it
    statement_accept(statement=b, by=other, via="test")  # decided meanwhile
    job = office_job_create(
        kind=JobKind.ACCEPT, numbers=[a.pk, b.pk, c.pk, 10**12], by=mod, persons=3
    )
    office_jobs_run_all(chunk=2)
    job.refresh_from_db()
    assert (job.done, job.persons) == (1, 1)
    assert job.refused == {"second_person": 1, "not_held": 2}
    page = _client(other).get(job_url(job)).content.decode()
    assert re.search(r'id="job-refused">3: 2 no longer held; 1 a second moderator', page)
    assert Statement.objects.get(pk=a.pk).status == Status.HELD


# --- cancel -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_queued_job_cancelled_does_nothing() -> None:
    mod, other = _user("mod", MODERATOR), _user("other", MODERATOR)
    counted = _counted(3, mod)
    job = _revoke_job(counted, mod)
    response = _client(other).post(f"{job_url(job)}cancel/", follow=True)
    assert f"Job {job.pk} cancelled: 0 statements were decided" in response.content.decode()
    job.refresh_from_db()
    assert (job.state, job.cancelled_by) == ("cancelled", other)
    assert office_jobs_run_all(chunk=10) == []
    assert office_job_step(job_id=job.pk, chunk=10) is None
    assert set(_revokes(counted).values()) == {0}
    page = _client(mod).get(job_url(job)).content.decode()
    assert "cancelled by" in page and "http-equiv" not in page


@pytest.mark.django_db
def test_a_running_job_stops_at_the_next_chunk_and_keeps_what_it_did() -> None:
    mod = _user("mod", MODERATOR)
    counted = _counted(9, mod)
    job = _revoke_job(counted, mod)
    office_job_step(job_id=job.pk, chunk=4)
    client = _client(mod)
    done = client.post(f"{job_url(job)}cancel/", follow=True).content.decode()
    assert "4 statements were decided before it stopped; they stay decided." in done
    assert office_job_step(job_id=job.pk, chunk=4) is None
    job.refresh_from_db()
    assert (job.state, job.processed, job.done) == ("cancelled", 4, 4)
    assert sum(_revokes(counted).values()) == 4
    again = client.post(f"{job_url(job)}cancel/", follow=True).content.decode()
    assert "had already ended (cancelled): there was nothing to cancel." in again
    with pytest.raises(jobs.JobClosed):
        office_job_cancel(job=job, by=mod)
    _verify()


# --- hostile input to the pages -------------------------------------------------------------


@pytest.mark.django_db
def test_job_pages_refuse_what_they_should() -> None:
    mod = _user("mod", MODERATOR)
    job = _revoke_job(_counted(2, mod), mod)
    client = _client(mod)
    for path in (job_url(999), job_url(10**19), job_url(2**63), f"{job_url(10**30)}cancel/"):
        method = client.post if path.endswith("cancel/") else client.get
        assert method(path).status_code == 404, path
    assert client.get(f"{JOBS}abc/").status_code == 404
    assert client.get(f"{JOBS}-1/").status_code == 404
    assert client.get(f"{job_url(job)}cancel/").status_code == 405  # a GET changes nothing
    assert client.get(f"{JOBS}?page=abc").status_code == 400
    assert client.get(f"{JOBS}?page=99999999").status_code == 400
    volunteer = _client(_user("vol", INTAKE_VOLUNTEER))
    assert volunteer.get(JOBS).status_code == 403
    assert volunteer.get(job_url(job)).status_code == 403
    assert volunteer.get(job_url(999)).status_code == 403  # no hint whether it exists
    assert volunteer.post(f"{job_url(job)}cancel/").status_code == 403
    anonymous = Client()
    assert anonymous.post(f"{job_url(job)}cancel/")["Location"].startswith("/office/login/")
    no_csrf = Client(enforce_csrf_checks=True)
    no_csrf.force_login(mod)
    assert no_csrf.post(f"{job_url(job)}cancel/").status_code == 403
    job.refresh_from_db()
    assert job.state == JobState.QUEUED


@pytest.mark.django_db
def test_the_job_list_and_the_office_home() -> None:
    mod = _user("mod", MODERATOR)
    counted = _counted(6, mod)
    done = _revoke_job(counted[:2], mod)
    office_jobs_run_all(chunk=5)
    waiting = _revoke_job(counted[2:], mod, note="second batch")
    listing = _client(mod).get(JOBS)
    html = listing.content.decode()
    assert listing.status_code == 200
    assert html.index(f'href="{job_url(waiting)}"') < html.index(f'href="{job_url(done)}"')
    home = _client(mod).get("/office/").content.decode()
    assert 'id="office-jobs"' in home and f'href="{job_url(waiting)}"' in home
    assert f'href="{job_url(done)}"' in home and "revoke counted statements" in home
    # the loop's row, once it has run
    run_supervised(
        name=LOOP_NAME, round_fn=lambda: office_jobs_round(chunk=2, seconds=0), interval=0,
        rounds=1, sleep=lambda s: None, tidy=lambda: None,
    )  # fmt: skip
    state = LoopState.objects.get(name=LOOP_NAME)
    assert state.done == 2 and state.backlog == 2 and state.oldest_waiting_at is not None
    home = _client(mod).get("/office/").content.decode()
    assert '<th scope="row">office background jobs</th>' in home  # LOOP_NAME, in words
    volunteer = _client(_user("vol", INTAKE_VOLUNTEER)).get("/office/").content.decode()
    assert 'id="office-jobs"' not in volunteer


@pytest.mark.django_db
def test_the_job_page_warns_when_no_runner_reports() -> None:
    mod = _user("mod", MODERATOR)
    job = _revoke_job(_counted(1, mod), mod)
    page = _client(mod).get(job_url(job)).content.decode()
    assert 'id="job-runner-silent"' in page
    LoopState.objects.create(name=LOOP_NAME, heartbeat_at=timezone.now())
    assert 'id="job-runner-silent"' not in _client(mod).get(job_url(job)).content.decode()


def test_the_command_refuses_a_chunk_below_one() -> None:
    with pytest.raises(CommandError, match="at least 1"):
        call_command("office-jobs", "--chunk", "-5")


def test_serve_runs_the_job_runner_beside_the_other_loops(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[list[str]] = []

    def popen(argv: list[str], *args: Any, **kwargs: Any) -> Any:
        started.append(argv)
        return types.SimpleNamespace(terminate=lambda: None, wait=lambda timeout: 0)

    class Gunicorn:
        def __init__(self, options: dict[str, Any]) -> None:
            pass

        def run(self) -> None:
            pass

    monkeypatch.setattr(serve, "call_command", lambda *a, **k: None)
    monkeypatch.setattr(serve.subprocess, "Popen", popen)
    monkeypatch.setattr(serve, "_Gunicorn", Gunicorn)
    # the office runs the loops that read names or decide; the public server the others
    call_command("serve", "--office", "--jobs-every", "5", stdout=io.StringIO())
    commands = {argv[3]: argv[4:] for argv in started}
    assert commands["office-jobs"] == ["--loop", "--interval", "5.0"]
    assert commands["retention"] == ["run", "--loop", "--interval", "3600.0"]
    assert set(commands) == {"screen", "office-jobs", "public-copies", "retention"}
    started.clear()
    call_command("serve", stdout=io.StringIO())
    commands = {argv[3]: argv[4:] for argv in started}
    assert commands["stats"] == ["release", "--loop", "--interval", "60.0"]
    assert set(commands) == {"integrate", "stats"}


# --- hypothesis: any chunk size, any crash or cancel point ---------------------------------------


class JobsInvariant(TestCase):
    """Whatever the chunk size, wherever a runner crashes or a moderator cancels, and whatever
    someone else decides meanwhile: every statement of the job is decided at most once, the
    job's counts add up, and tally verify holds."""

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        n=st.integers(1, 12),
        chunk=st.integers(1, 5),
        crash_at=st.one_of(st.none(), st.integers(0, 4)),
        cancel_at=st.one_of(st.none(), st.integers(0, 4)),
        meanwhile=st.lists(st.integers(0, 11), max_size=3),
    )
    def test_a_job_never_decides_twice_and_its_counts_add_up(
        self, n: int, chunk: int, crash_at: int | None, cancel_at: int | None,
        meanwhile: list[int],
    ) -> None:  # fmt: skip
        IntegrationState.objects.get_or_create(pk=1)
        mod = _user("mod", MODERATOR)
        counted = _counted(n, mod)
        job = _revoke_job(counted, mod)
        real = jobs.decide_chunk
        for step in range(20):
            if step == cancel_at:
                with contextlib.suppress(jobs.JobClosed):
                    office_job_cancel(job=job, by=mod)
            if step == 1:
                for i in meanwhile:
                    s = Statement.objects.get(pk=counted[i % n].pk)
                    if s.status == Status.ACCEPTED:
                        statement_reject(statement=s, by=mod, reason="other", via="test")
            crash = step == crash_at
            jobs.decide_chunk = _crashing(real) if crash else real  # type: ignore[assignment]
            try:
                result = office_job_step(job_id=job.pk, chunk=chunk)
            except ConnectionError:
                assert crash
                continue
            finally:
                jobs.decide_chunk = real  # type: ignore[assignment]
            if result is None:
                break
        job.refresh_from_db()
        assert job.state in ("done", "cancelled")
        refused = sum(job.refused.values())
        assert job.done + refused == job.processed <= job.total == n
        revokes = _revokes(counted)
        assert set(revokes.values()) <= {0, 1}
        by_job = LedgerEntry.objects.filter(kind="revoke", reason="spam").count()
        assert by_job == job.done
        if job.state == "done":
            assert job.processed == n and sum(revokes.values()) == n
        _verify()


def _crashing(real: Callable[..., Any]) -> Callable[..., Any]:
    def crash(**kwargs: Any) -> Any:
        real(**kwargs)
        raise ConnectionError("lost")

    return crash


def test_on_sqlite_the_runner_rests_as_long_as_a_chunk_took(settings: Any) -> None:
    from django.db import connection

    settings.SANTUI_OFFICE_JOB_PAUSE = 0.05
    slept: list[float] = []
    quick = jobs.Step(job=1, processed=10, state="running", seconds=0.01)
    slow = jobs.Step(job=1, processed=500, state="running", seconds=0.3)
    for step in (quick, slow, None):
        jobs.pause_after(step, sleep=slept.append)
    assert slept == ([0.01, 0.05] if connection.vendor == "sqlite" else [])
