"""Numbers in English name lists ("Zhang Wei, Li Ming and N others", "… and others, altogether
N people"): any token there, digits of any script or length, reads as a bounded headcount and
never stops the parser (a superscript ² passes ``str.isdigit`` but not ``int``; found in
review: the public form answered 500 on it)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from santui.textparse.headcount import MAX_HEADCOUNT
from santui.textparse.parse import parse_statement

tokens = st.one_of(
    st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=12),
    st.integers(0, 10**30).map(str),
    st.just("9" * 5000),
)


@given(tokens)
def test_any_number_in_an_english_name_list_is_a_bounded_headcount(number: str) -> None:
    for text in (
        f"I quit the CCP. Zhang Wei, Li Ming and others altogether {number} people",
        f"Zhang Wei, Li Ming and {number} others quit the CCP",
    ):
        parsed = parse_statement(text)
        assert 1 <= parsed.headcount <= MAX_HEADCOUNT


def test_the_stated_numbers_still_count() -> None:
    assert parse_statement("Zhang Wei, Li Na and 23 others quit the CCP").headcount == 25
    text = "I quit the CCP. Zhang Wei, Li Ming and others altogether ² people"
    assert parse_statement(text).headcount == 2
