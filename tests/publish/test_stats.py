import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from santui.tally.actions import tally_integrate
from santui.tally.disclosure.read import PeriodUnavailable
from santui.tally.disclosure.store import stats_release
from santui.tally.selectors import milestones, stats_document
from tests.factories import AcceptedStatementFactory

pytestmark = pytest.mark.django_db


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day + "T12:00:00+08:00")


@pytest.fixture
def figures() -> None:
    AcceptedStatementFactory(headcount=12, region="210100", received_at=at("2005-04-20"),
                             sector="farmer", channel="phone", name_kind="real")  # fmt: skip
    AcceptedStatementFactory(headcount=3, region="110105", received_at=at("2005-04-21"),
                             sector="police", channel="fax", organizations=["league"])  # fmt: skip
    AcceptedStatementFactory(headcount=20, region="US", received_at=at("2005-04-22"),
                             sector="", channel="group", current_party_member=True)  # fmt: skip
    tally_integrate()
    stats_release(now=at("2005-05-08"))  # April 2005 is due on 8 May


def test_staff_document_is_exact(figures: None) -> None:
    doc = stats_document(public=False)
    assert doc["persons"] == 35
    assert doc["statements"] == 3
    assert doc["organizations"] == {"party": 32, "league": 35, "pioneers": 32}
    assert doc["current_party_members"] == 20
    assert {r["code"]: r["persons"] for r in doc["regions"]} == {
        "US": 20, "210000": 12, "110000": 3,
    }  # fmt: skip
    assert {c["key"]: c["persons"] for c in doc["sectors"]} == {
        None: 20, "farmer": 12, "police": 3,
    }  # fmt: skip
    assert [d["cumulative"] for d in doc["daily"]] == [12, 15, 35]
    assert doc["timezone"] == "Asia/Shanghai"


def test_public_document_publishes_released_periods_only(figures: None) -> None:
    doc = stats_document(public=True)
    assert doc["breakdown"]["period"] == "all" and doc["breakdown"]["to"] == "2005-04-30"
    assert doc["breakdown"]["release"] == 1 and doc["breakdown"]["persons"] == 35
    regions = {r["code"]: r for r in doc["regions"]}
    # Beijing (3) is few; Liaoning (12) is withheld with it, else the month's total (public in
    # the log) minus the US would tell Beijing's 3. Withheld keys are left out altogether.
    assert regions == {
        "US": {"code": "US", "name": "United States", "name_zh": "美国",
               "name_zh_hant": "美國", "persons": 20},
    }  # fmt: skip
    assert [c["key"] for c in doc["sectors"]] == [None]  # farmer 12 hides police 3
    assert doc["current_party_members"] == 20
    assert doc["persons"] == 35  # totals are not cells: never withheld
    month = stats_document(public=True, period="2005-04")
    assert month["breakdown"]["kind"] == "month" and month["regions"] == doc["regions"]
    with pytest.raises(PeriodUnavailable, match="2005-05"):
        stats_document(public=True, period="2005-05")


def test_date_filters_limit_sums_but_cumulative_stays_all_time(figures: None) -> None:
    doc = stats_document(date_from=dt.date(2005, 4, 21), date_to=dt.date(2005, 4, 21), public=False)
    assert doc["persons"] == 3
    assert doc["daily"] == [{"date": "2005-04-21", "persons": 3, "cumulative": 15}]


def test_milestones_are_first_days_reaching_each_step() -> None:
    daily = [(dt.date(2005, 1, d), n) for d, n in [(1, 4), (2, 0), (3, 7), (4, 30)]]
    assert milestones(daily, step=10) == [
        {"persons": 10, "date": "2005-01-03"},
        {"persons": 20, "date": "2005-01-04"},
        {"persons": 30, "date": "2005-01-04"},
        {"persons": 40, "date": "2005-01-04"},
    ]


def test_milestone_step_is_a_setting(figures: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SANTUI_MILESTONE_STEP = 15
    marks = stats_document(public=False)["milestones"]
    assert marks == [{"persons": 15, "date": "2005-04-21"}, {"persons": 30, "date": "2005-04-22"}]


def test_cli_and_api_return_the_same_document(
    figures: None, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("stats", "--json", "--public")
    cli = json.loads(capsys.readouterr().out)
    api = client.get("/api/v1/stats").json()
    assert cli == api
    call_command("stats", "--json")
    exact = json.loads(capsys.readouterr().out)
    assert exact["public"] is False
    assert exact != api


def test_api_filters_and_rejects_bad_dates(figures: None, client: Client) -> None:
    doc = client.get("/api/v1/stats?from=2005-04-22&to=2005-04-30").json()
    assert doc["persons"] == 20  # the days asked for
    assert doc["breakdown"]["period"] == "2005-04" and doc["breakdown"]["snapped"] is True
    for bad in ("from=2005-13-01", "to=yesterday", "from=2005-04-22&to=2005-04-21"):
        response = client.get(f"/api/v1/stats?{bad}")
        assert response.status_code == 400
        assert response.json()["error"] == "bad_request"


def test_cli_rejects_bad_dates() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not a date"):
        call_command("stats", "--from", "2005/04/01")


def test_public_figures_read_rollups_not_statements(figures: None, client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/stats")
        client.get("/stats/")
        client.get("/")
    assert queries.captured_queries
    assert not any("statements_statement" in q["sql"] for q in queries.captured_queries)


def test_a_new_integration_is_visible_at_once_despite_the_cache(
    figures: None, client: Client
) -> None:
    assert client.get("/api/v1/stats").json()["persons"] == 35
    AcceptedStatementFactory(headcount=5)
    tally_integrate()
    assert client.get("/api/v1/stats").json()["persons"] == 40


def test_pages_render(figures: None, client: Client) -> None:
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert home.status_code == 200
    assert b"35" in home.content
    as_of = dt.datetime.fromisoformat(stats_document(public=True)["as_of"])
    shanghai = as_of.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    assert f"Figures as of {shanghai}." in home.content.decode()
    page = client.get("/stats/?from=2005-04-20&to=2005-04-30", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "United States" in html and "2005-04-22" in html
    assert "The breakdowns below cover 2005-04 (2005-04-01 to 2005-04-30)" in html
    assert "Next release: 2005-05, due on 2005-06-08." in html
    assert client.get("/stats/?from=nonsense").status_code == 400
    assert b"<script" not in page.content


def test_openapi_document_describes_the_stats_endpoint(client: Client) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert "/api/v1/stats" in doc["paths"]
    schema = doc["paths"]["/api/v1/stats"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]
    assert set(schema["required"]) <= set(schema["properties"])


def test_few_current_party_members_are_withheld(figures: None, client: Client) -> None:
    # Not in the public log: a breakdown like any other, released per month only.
    AcceptedStatementFactory(headcount=3, received_at=at("2005-05-01"), current_party_member=True)
    tally_integrate()
    day = dt.date(2005, 5, 1)
    assert stats_document(date_from=day, date_to=day, public=False)["current_party_members"] == 3
    # not released yet: the range snaps to nothing
    response = client.get("/api/v1/stats?from=2005-05-01&to=2005-05-01")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "period_unavailable"
    assert body["available"]["months"] == {"first": "2005-04", "last": "2005-04"}
    assert body["available"]["next_release"]["period"] == "2005-05"
    stats_release(now=at("2005-06-08"))
    api = client.get("/api/v1/stats?from=2005-05-01&to=2005-05-01").json()
    assert api["breakdown"]["period"] == "2005-05" and api["persons"] == 3
    assert api["current_party_members"] is None  # 3 members: withheld
    # all time 23 = 20 + 3 would tell the 3: withheld too, and not shown as "20 through April"
    assert stats_document(public=True)["current_party_members"] is None
    page = client.get("/stats/?from=2005-05-01&to=2005-05-01", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "not published" in page.content.decode()
    assert 'id="members-table"' not in page.content.decode()


def test_stats_command_shows_a_withheld_member_count(
    figures: None, capsys: pytest.CaptureFixture[str]
) -> None:
    AcceptedStatementFactory(headcount=3, received_at=at("2005-05-01"), current_party_member=True)
    tally_integrate()
    with pytest.raises(CommandError, match="no released period contains"):
        call_command("stats", "--public", "--from", "2005-05-01", "--to", "2005-05-01")
    call_command("stats", "release")
    assert "released" in capsys.readouterr().out
    call_command("stats", "--public", "--from", "2005-05-01", "--to", "2005-05-01")
    assert "current party members withheld (release 2, period 2005-05)" in capsys.readouterr().out
    call_command("stats", "--from", "2005-05-01", "--to", "2005-05-01")
    assert "current party members 3" in capsys.readouterr().out
