"""Figures on a chart: one number format per chart, in the page's language.

A chart writes every figure it shows (axis ticks, milestone labels, column and tile figures,
legend bounds) in one of two styles, chosen once for the whole chart:

- ``full``: every digit, grouped by the locale's CLDR pattern (23,550; 435,200,000);
- ``short``: the locale's CLDR compact units (en 25K, 4.35M; zh-Hans 2.5万, 4.35亿; zh-Hant
  2.5萬, 4.35億). Below the first unit the compact form is the plain figure (en 950;
  zh 5000, as Chinese writes figures below 万).

A chart is short when one of its figures reaches 100,000 and every figure that must be exact
(ticks, milestones, legend bounds) has an exact short form with at most two decimals; else it
is full. So no chart puts "25,000" beside "10万", nor "2.355万" where 23,550 is meant.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from dataclasses import dataclass

from babel.numbers import format_compact_decimal, format_decimal

PLAIN_BELOW = 100_000  # a chart whose figures are all below this writes them in full
WHOLE_DIGITS = 15
MAX_DIGITS = 2  # fraction digits of an exact short figure (4.35亿; 4.352亿 is written in full)

# The units of each locale's compact figures (CLDR), for the tests and the docs.
UNITS = {"en": "KMBT", "zh_Hans": "万亿", "zh_Hant": "萬億"}


def grouped(value: float, locale: str) -> str:
    """A figure in full with the locale's digit grouping: 23,550."""
    return format_decimal(value, locale=locale)


def compact(value: float, locale: str, *, fraction_digits: int = 1) -> str:
    """A short, rounded figure: 25K, 1.5M (en); 2.5万, 4亿 (zh_Hans); 2.5萬, 4億 (zh_Hant); no
    fraction after three digits. Halves round up (99.185M: 99.19M), as readers round."""
    with decimal.localcontext() as context:
        context.rounding = decimal.ROUND_HALF_UP
        text = format_compact_decimal(value, locale=locale, fraction_digits=fraction_digits)
        digits = sum(c.isdigit() for c in text.split(".")[0])
        if digits >= 3 and "." in text:
            text = format_compact_decimal(value, locale=locale, fraction_digits=0)
    return text


def exact_short(value: float, locale: str) -> str | None:
    """The short figure with the fewest fraction digits (at most two) that writes ``value``
    exactly (435M, 4.35亿), or None."""
    # every digit the unit hides (up to 10^12, T and 万亿), so that 1,250,000,001 is not
    # taken for 1.25B
    whole = format_compact_decimal(value, locale=locale, fraction_digits=WHOLE_DIGITS)
    for digits in range(MAX_DIGITS + 1):
        text = format_compact_decimal(value, locale=locale, fraction_digits=digits)
        if text == whole:
            return text
    return None


@dataclass(frozen=True, slots=True)
class FigureStyle:
    """How one chart writes its figures."""

    locale: str
    short: bool

    def exact(self, value: float) -> str:
        """A figure that must not be rounded (a tick, a milestone, a bound)."""
        if self.short:
            text = exact_short(value, self.locale)
            if text is not None:
                return text
        return grouped(value, self.locale)

    def rounded(self, value: float, *, fraction_digits: int = 1) -> str:
        """A figure that may be rounded (a tile, a column): short, or in full."""
        if self.short:
            return compact(value, self.locale, fraction_digits=fraction_digits)
        return grouped(value, self.locale)


def style_for(
    locale: str, *, exact: Iterable[float] = (), rounded: Iterable[float] = ()
) -> FigureStyle:
    """The one style of a chart showing ``exact`` figures (never rounded) and ``rounded``
    ones (see the module's docstring)."""
    exact, rounded = list(exact), list(rounded)
    if all(abs(v) < PLAIN_BELOW for v in [*exact, *rounded]):
        return FigureStyle(locale, short=False)
    return FigureStyle(locale, short=all(exact_short(v, locale) is not None for v in exact))
