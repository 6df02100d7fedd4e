"""Spreadsheet formula injection: the one rule every CSV santui writes follows.

A spreadsheet that opens a CSV runs a cell starting with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=HYPERLINK(...)`` leaks data, ``=cmd|' /C calc'!A0`` ran programs through DDE), and
a leading tab or carriage return can hide such a prefix. OWASP's rule
(https://owasp.org/www-community/attacks/CSV_Injection): a *text* cell starting with one of
these characters gets a single quote in front, so a spreadsheet shows it as text. Numbers are
written as numbers and left alone, so ``-1`` in a count column stays a number. Statement texts
and names are what declarants typed: text cells.

So that a program reading the data gets every text back exactly, a text that itself starts
with a single quote gets one more: the rule for a reader is "a text cell starting with ``'``
had one ``'`` added: drop it" (``spreadsheet_text``; docs/open-data.md).
"""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def spreadsheet_safe(text: str) -> str:
    """``text`` as a CSV text cell: with ``'`` in front when a spreadsheet would read a formula
    (or when it starts with ``'`` itself, so that the quote added can always be dropped)."""
    return ESCAPE + text if text.startswith((*FORMULA_PREFIXES, ESCAPE)) else text


def spreadsheet_text(cell: str) -> str:
    """The text of a CSV text cell written by ``spreadsheet_safe``: its inverse."""
    return cell[1:] if cell.startswith(ESCAPE) else cell
