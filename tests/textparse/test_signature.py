"""``read_signature``: the name ``parse_statement`` gives, read alone (the masked copy of every
stored text needs only that)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from santui.textparse.parse import parse_statement, read_signature
from tests.textparse.test_parse_properties import FAST, statements

EVAL = Path(__file__).parent / "eval"


def _corpus() -> list[str]:
    texts = []
    for path in (EVAL / "statements.jsonl", EVAL / "real" / "statements.jsonl"):
        texts += [json.loads(x)["text"] for x in path.read_text("utf-8").splitlines() if x.strip()]
    return texts


def test_the_signature_is_the_name_of_the_full_reading_on_every_corpus_text() -> None:
    texts = _corpus()
    assert len(texts) > 2_000
    named = 0
    for text in texts:
        name = parse_statement(text).name
        assert read_signature(text) == name, text
        named += name is not None
    assert named > 500  # the corpus signs most of its texts: this compares names, not Nones


@FAST
@given(statements())
def test_the_signature_is_the_name_of_the_full_reading_on_composed_statements(text: str) -> None:
    assert read_signature(text) == parse_statement(text).name


@FAST
@given(st.text())
@example("\x00三退\x00 张三")
@example("\ud800退党\udfff —— 李四")
@example("")
def test_the_signature_is_the_name_of_the_full_reading_on_any_text(text: str) -> None:
    assert read_signature(text) == parse_statement(text).name
