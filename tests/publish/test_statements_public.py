"""/statements/, /statements/<number>/ and /api/v1/statements as a visitor or a client sees them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import jsonschema_rs
import pytest
from django.test import Client

from santui.publish.apidocs.statements import PATHS
from santui.statements.actions import statement_reject
from santui.statements.models import LedgerEntry, LogPosition, Statement
from santui.tally.actions import tally_integrate
from tests.factories import AcceptedStatementFactory, ReceivedStatementFactory

pytestmark = pytest.mark.django_db

EN: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "en"}


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day + "T12:00:00+08:00")


def number_of(statement: Statement) -> int:
    position = LedgerEntry.objects.get(statement=statement, kind="add").position
    assert position is not None
    return position


def page_numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="statement" id="s(\d+)">', html)]


def get_page(client: Client, query: str = "", **headers: Any) -> tuple[int, str]:
    response = client.get(f"/statements/{query}", **{**EN, **headers})
    return response.status_code, response.content.decode()


def api_numbers(client: Client, query: str = "") -> list[int]:
    response = client.get(f"/api/v1/statements{query}")
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


def _schema(path: str, status: str) -> Any:
    content = PATHS[path]["get"]["responses"][status]["content"]["application/json"]
    return jsonschema_rs.Draft202012Validator(content["schema"])


LIST_200 = _schema("/api/v1/statements", "200")
LIST_400 = _schema("/api/v1/statements", "400")
ONE_200 = _schema("/api/v1/statements/{number}", "200")
ONE_404 = _schema("/api/v1/statements/{number}", "404")


@pytest.fixture
def world() -> dict[str, Statement]:
    """One public statement of each kind of name, and every way of not being public."""
    made: dict[str, Statement] = {
        "real": AcceptedStatementFactory(
            publish=True, name="林真名", name_kind="real", region="110105",
            text="我声明退出中共。\n<script>alert(1)</script>", sector="police",
            received_at=at("2005-04-20"),
        ),
        "alias": AcceptedStatementFactory(
            publish=True, name="自由鳥", name_kind="alias", region="US", text="我聲明退團",
            channel="email", received_at=at("2005-04-21"), organizations=["league"],
        ),
        "anonymous": AcceptedStatementFactory(
            publish=True, name="", name_kind="anonymous", region="440103", text="退队",
            received_at=at("2005-04-22"),
        ),
        "unpublished": AcceptedStatementFactory(publish=False, name="秘密名", text="不公开的文字"),
        "withdrawn": AcceptedStatementFactory(publish=True, name="撤回名", text="后来撤回的文字"),
    }  # fmt: skip
    ReceivedStatementFactory(publish=True, name="待审名", text="等待审核的文字")
    tally_integrate()
    statement_reject(statement=made["withdrawn"], by=None, reason="declarant_request", via="t")
    tally_integrate()
    made["queued"] = AcceptedStatementFactory(publish=True, name="排队名", text="尚未计入的文字")
    return made


HIDDEN_NAMES = ("秘密名", "撤回名", "待审名", "排队名")
HIDDEN_TEXTS = ("不公开的文字", "后来撤回的文字", "等待审核的文字", "尚未计入的文字")


def test_list_shows_public_statements_only_newest_first(
    client: Client, world: dict[str, Statement]
) -> None:
    status, html = get_page(client)
    assert status == 200
    public = [number_of(world[k]) for k in ("anonymous", "alias", "real")]
    assert page_numbers(html) == public
    assert api_numbers(client) == public
    for hidden in (*HIDDEN_NAMES, *HIDDEN_TEXTS):
        assert hidden not in html
    assert "林真名" in html and "自由鳥" in html


def test_statement_fields_are_shown_escaped_with_line_breaks(
    client: Client, world: dict[str, Statement]
) -> None:
    status, html = get_page(client)
    assert status == 200
    number = number_of(world["real"])
    article = html.split(f'id="s{number}"')[1].split("</article>")[0]
    assert "2005-04-20" in article
    assert "Beijing" in article  # the province, in the page language
    assert "public security and police" in article and "phone" in article
    assert "Chinese Communist Party" in article and "Young Pioneers" in article
    assert "我声明退出中共。<br>&lt;script&gt;alert(1)&lt;/script&gt;" in article
    assert "<script>" not in html
    assert f'href="/statements/{number}/"' in article
    assert f'href="/api/v1/log/proof/inclusion?index={number}"' in article
    anonymous = html.split(f'id="s{number_of(world["anonymous"])}"')[1].split("</article>")[0]
    assert "no name" in anonymous


def test_region_names_follow_the_page_language(client: Client, world: dict[str, Statement]) -> None:
    _, hans = get_page(client, HTTP_ACCEPT_LANGUAGE="zh-hans")
    _, hant = get_page(client, HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert "北京市" in hans and "美国" in hans
    assert "美國" in hant


def test_no_county_code_anywhere(client: Client, world: dict[str, Statement]) -> None:
    outputs = [get_page(client)[1], client.get("/api/v1/statements").content.decode()]
    for key in ("real", "anonymous"):
        number = number_of(world[key])
        outputs.append(client.get(f"/statements/{number}/", **EN).content.decode())
        outputs.append(client.get(f"/api/v1/statements/{number}").content.decode())
    for output in outputs:
        assert "110105" not in output and "440103" not in output
        assert "朝阳区" not in output and "越秀区" not in output
    assert "110000" in outputs[1] and "440000" in outputs[1]  # the provinces are there


def test_permalinks_and_their_api(client: Client, world: dict[str, Statement]) -> None:
    number = number_of(world["alias"])
    response = client.get(f"/statements/{number}/", **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "自由鳥" in html and "我聲明退團" in html and "(alias)" in html
    assert f"/api/v1/log/proof/inclusion?index={number}" in html
    record = client.get(f"/api/v1/statements/{number}").json()
    ONE_200.validate(record)
    assert record["number"] == number
    assert (record["name"], record["name_kind"], record["region"]) == ("自由鳥", "alias", "US")
    assert record["region_name_zh_hant"] == "美國"
    assert record["url"] == f"/statements/{number}/"
    assert client.get(record["proof"]).status_code == 200  # the proof link works


def test_nothing_non_public_has_a_permalink(client: Client, world: dict[str, Statement]) -> None:
    hidden = [world[k] for k in ("unpublished", "withdrawn")]
    numbers = [number_of(s) for s in hidden] + [999, 2**63, 10**30]
    for number in numbers:
        page = client.get(f"/statements/{number}/", **EN)
        assert page.status_code == 404
        assert "Statement not found" in page.content.decode()
        api = client.get(f"/api/v1/statements/{number}")
        assert api.status_code == 404
        ONE_404.validate(api.json())
    assert LedgerEntry.objects.get(statement=world["queued"]).position is None


def test_search_by_each_dimension_on_page_and_api(
    client: Client, world: dict[str, Statement]
) -> None:
    n = {k: number_of(s) for k, s in world.items() if k != "queued"}
    cases = {
        "?q=聲明": [n["alias"], n["real"]],  # Traditional query, both scripts found
        "?q=%E5%A3%B0%E6%98%8E": [n["alias"], n["real"]],  # 声明
        "?q=SCRIPT": [n["real"]],
        "?q=不公开": [],
        "?name=林真名": [n["real"]],
        "?name=自由鸟": [n["alias"]],  # Simplified spelling of 自由鳥
        "?name=+自由+鳥+": [n["alias"]],
        "?name=秘密名": [],  # unpublished: not searchable
        "?name=撤回名": [],  # withdrawn
        "?region=110000": [n["real"]],
        "?region=US": [n["alias"]],
        "?region=FR": [],
        "?from=2005-04-21": [n["anonymous"], n["alias"]],
        "?to=2005-04-21": [n["alias"], n["real"]],
        "?from=2005-04-21&to=2005-04-21": [n["alias"]],
        "?q=退&region=440000&to=2005-04-22": [n["anonymous"]],
    }
    for query, expected in cases.items():
        status, html = get_page(client, query)
        assert status == 200, (query, html)
        assert page_numbers(html) == expected, query
        assert api_numbers(client, query) == expected, query


def test_search_form_keeps_its_values_and_lists_every_place(
    client: Client, world: dict[str, Statement]
) -> None:
    _, html = get_page(client, "?q=%E9%80%80&region=US&from=2005-04-01")
    assert 'name="q"' in html and 'value="退"' in html
    assert '<option value="US" selected>' in html
    assert '<option value="110000">Beijing</option>' in html
    assert 'value="2005-04-01"' in html
    assert 'name="before"' not in html  # a new search starts at the newest
    assert "Show all" in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?from=2024-13-45", "from"),
        ("?to=yesterday", "to"),
        ("?from=2024-02-02&to=2024-02-01", "__all__"),
        ("?q=" + "x" * 10_240, "q"),
        ("?name=" + "名" * 201, "name"),
        ("?q=a%00b", "q"),
        ("?name=%00", "name"),
        ("?q=%FF%FE", "q"),  # not UTF-8
        ("?q=%E5%A3", "q"),  # a truncated UTF-8 sequence
        ("?q=a%01b", "q"),
        ("?name=%1F%27", "name"),  # a control character that str.strip() counts as space
        ("?q=%09tab", "q"),
        ("?region=XX", "region"),
        ("?region=110105", "region"),  # a county: only provinces are keys
        ("?region=%00", "region"),
        ("?region=%1CUS", "region"),
        ("?region=" + "A" * 10_000, "region"),
        ("?before=-1", "before"),
        ("?before=abc", "before"),
        ("?before=99999999999999999999999", "before"),
        ("?from=%00", "from"),
    ],
)
def test_hostile_input_is_a_clear_400(client: Client, query: str, field: str) -> None:
    status, html = get_page(client, query)
    assert status == 400, query
    assert 'id="search-errors"' in html
    api = client.get(f"/api/v1/statements{query}")
    assert api.status_code == 400
    body = api.json()
    LIST_400.validate(body)
    assert body["error"] == "bad_request" and field in body["detail"]


def test_markup_in_queries_is_escaped(client: Client, world: dict[str, Statement]) -> None:
    status, html = get_page(client, "?q=%3Cscript%3Ealert(1)%3C/script%3E&name=%22%3E%3Cb%3E")
    assert status == 200
    assert "<script>alert" not in html and '"><b>' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_paging_keeps_filters_and_covers_everything(client: Client) -> None:
    for i in range(120):
        AcceptedStatementFactory(publish=True, region="110105" if i % 2 else "US",
                                 received_at=at("2005-04-20"))  # fmt: skip
    AcceptedStatementFactory(publish=False, region="US")
    tally_integrate()
    every = list(LogPosition.objects.filter(entry__region="US", entry__statement__publish=True)
                 .order_by("-position").values_list("position", flat=True))  # fmt: skip
    assert len(every) == 60

    seen: list[int] = []
    url: str | None = "/statements/?region=US&from=2005-04-01"
    pages = 0
    while url:
        response = client.get(url, **EN)
        assert response.status_code == 200
        html = response.content.decode()
        seen += page_numbers(html)
        pages += 1
        older = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = older.group(1).replace("&amp;", "&") if older else None
        if url:
            assert "region=US" in url and "from=2005-04-01" in url
    assert pages == 2 and seen == every

    newer = re.search(r'<a rel="prev" href="([^"]+)"', html)
    assert newer is not None
    back = client.get(newer.group(1).replace("&amp;", "&"), **EN).content.decode()
    assert page_numbers(back) == every[:50]


def test_api_next_walks_the_same_pages(client: Client) -> None:
    for _ in range(55):
        AcceptedStatementFactory(publish=True)
    tally_integrate()
    first = client.get("/api/v1/statements?q=%E5%A3%B0%E6%98%8E")
    body = first.json()
    LIST_200.validate(body)
    assert len(body["items"]) == 50 and body["next"].startswith("/api/v1/statements?")
    second = client.get(body["next"]).json()
    LIST_200.validate(second)
    assert len(second["items"]) == 5 and second["next"] is None
    numbers = [i["number"] for i in body["items"] + second["items"]]
    assert numbers == sorted(set(numbers), reverse=True) and len(numbers) == 55


def test_a_full_page_costs_a_fixed_number_of_queries(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    for _ in range(60):
        AcceptedStatementFactory(publish=True)
    tally_integrate()
    with django_assert_max_num_queries(12):  # state, releases, page, newer: no N+1
        status, html = get_page(client, "?before=55")
    assert status == 200 and len(page_numbers(html)) == 50


def test_empty_and_past_the_end(client: Client) -> None:
    status, html = get_page(client)
    assert status == 200 and 'id="no-statements"' in html
    assert client.get("/api/v1/statements").json() == {"items": [], "next": None}
    status, html = get_page(client, "?before=0")
    assert status == 200 and page_numbers(html) == []


def test_views_are_cached_and_read_only(client: Client, world: dict[str, Statement]) -> None:
    number = number_of(world["real"])
    strict = Client(enforce_csrf_checks=True)
    for path in ("/statements/", f"/statements/{number}/", "/api/v1/statements",
                 f"/api/v1/statements/{number}"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 200 and response["ETag"]
        again = client.get(path, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
        assert client.head(path).status_code == 200
        assert client.post(path).status_code == 405
        assert strict.post(path).status_code == 405  # not a CSRF 403: nothing here is writable
        assert strict.generic("QUERY", path).status_code == 405


def test_openapi_document_describes_both_routes(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert paths["/api/v1/statements"] == PATHS["/api/v1/statements"]
    assert "/api/v1/statements/{number}" in paths
    names = {p["name"] for p in paths["/api/v1/statements"]["get"]["parameters"]}
    assert names == {"q", "name", "region", "from", "to", "before"}


def test_each_item_links_its_permalink_once(client: Client, world: dict[str, Statement]) -> None:
    _, html = get_page(client)
    for key in ("real", "alias", "anonymous"):
        number = number_of(world[key])
        article = html.split(f'id="s{number}"')[1].split("</article>")[0]
        assert article.count(f'href="/statements/{number}/"') == 1, key
        assert f'<a href="/statements/{number}/" rel="bookmark">' in article
    assert "Permanent link" not in html


def test_labels(client: Client, world: dict[str, Statement]) -> None:
    _, html = get_page(client)
    assert "<dt>Organizations quit</dt>" in html and "<dt>Name or alias</dt>" in html
    assert ">Quits<" not in html
    number = number_of(world["real"])
    page = client.get(f"/statements/{number}/", **EN).content.decode()
    assert "<h2>Check this statement</h2>" in page and "Check it<" not in page
    missing = client.get("/statements/999/", **EN).content.decode()
    assert "it may have been removed." in missing and "withdrawn" not in missing


def json_link(html: str) -> tuple[str, str]:
    """The href and the shown text of the list's JSON link."""
    found = re.search(r'<a href="([^"]*)" id="api-link"><code>([^<]*)</code></a>', html)
    assert found is not None
    return found.group(1).replace("&amp;", "&"), found.group(2).replace("&amp;", "&")


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("", "/api/v1/statements"),
        ("?region=US", "/api/v1/statements?region=US"),
        ("?q=%E9%80%80&name=&region=440000&to=2005-04-22",
         "/api/v1/statements?q=退&region=440000&to=2005-04-22"),
        ("?q=a%26b+c&from=2005-04-01&before=3",  # & in the text stays escaped when shown
         "/api/v1/statements?q=a%26b+c&from=2005-04-01&before=3"),
    ],
)  # fmt: skip
def test_json_link_carries_the_search_and_the_page(
    client: Client, world: dict[str, Statement], query: str, shown: str
) -> None:
    status, html = get_page(client, query)
    assert status == 200
    href, text = json_link(html)
    assert text == shown
    assert href.startswith("/api/v1/statements")
    response = client.get(href)
    assert response.status_code == 200
    assert [i["number"] for i in response.json()["items"]] == page_numbers(html)


def test_json_link_of_a_later_page(client: Client) -> None:
    for _ in range(55):
        AcceptedStatementFactory(publish=True, region="US")
    tally_integrate()
    _, first = get_page(client, "?region=US")
    older = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert older is not None
    _, second = get_page(client, older.group(1).replace("&amp;", "&").removeprefix("/statements/"))
    href, _text = json_link(second)
    assert "region=US" in href and "before=" in href
    api = client.get(href).json()
    assert [i["number"] for i in api["items"]] == page_numbers(second) and len(api["items"]) == 5


def search_form(html: str) -> str:
    return html.split('<form class="search"')[1].split("</form>")[0]


@pytest.mark.parametrize(
    ("query", "status", "opened"),
    [
        ("", 200, False),
        ("?q=%E9%80%80", 200, False),
        ("?q=&name=&region=&from=&to=", 200, False),  # the form's own empty fields
        ("?name=%E8%87%AA%E7%94%B1%E9%B3%A5", 200, True),
        ("?q=x&region=US", 200, True),
        ("?from=2005-04-01", 200, True),
        ("?to=2005-04-01", 200, True),
        ("?from=2024-13-45", 400, True),  # the wrong field is shown
        ("?q=%00", 400, False),
    ],
)
def test_search_form_is_compact_unless_a_filter_is_set(
    client: Client, world: dict[str, Statement], query: str, status: int, opened: bool
) -> None:
    got, html = get_page(client, query)
    assert got == status
    form = search_form(html)
    before, details = form.split('<details class="filters"')
    assert 'name="q"' in before and 'type="submit"' in before  # always in view
    assert 'name="q"' not in details and 'type="submit"' not in details
    for name in ("name", "region", "from", "to"):
        assert f'name="{name}"' in details and f'name="{name}"' not in before
    assert details.startswith(" open>" if opened else "><summary>")


def test_help_texts_are_the_ones_fields_refer_to(client: Client) -> None:
    form = search_form(get_page(client)[1])
    for described in re.findall(r'aria-describedby="([^"]+)"', form):
        assert f'id="{described}"' in form
