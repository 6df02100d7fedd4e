"""The text of an HTML mail part, read as a stream by libxml2's HTML parser (lxml).

Bounded work (issue 12): the parser calls back for each start tag, end tag and run of text,
in order, and no tree is built, so memory does not grow with the number of elements and time
grows linearly with the size of the markup. (Beautiful Soup over the standard library's
``html.parser`` took 10 s and 330 MB for 2 MiB of ``<p>x</p>``, and minutes for 2 MiB of
``<a``: that parser is quadratic on unclosed constructs in Python 3.11.)
"""

from __future__ import annotations

from typing import Any

from bs4.dammit import EncodingDetector
from lxml import etree

# Elements after which the text goes on on a new line. Inline ones (b, span, a...) add nothing,
# so "退<b>党</b>" stays one word for the parser.
_BLOCKS = {
    "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table",
    "section", "article", "header", "footer", "dd", "dt", "hr", "ul", "ol", "address", "center",
}  # fmt: skip
_DROPPED = {"script", "style", "head", "title", "template", "noscript", "iframe", "object"}
_CELLS = {"td", "th"}
FEED_BYTES = 64 * 1024  # markup handed to the parser at a time


class HtmlError(ValueError):
    """libxml2 gave up on the markup (it recovers from nearly everything)."""


def declared_charset(markup: bytes) -> str | None:
    """The charset an HTML document names in its own <meta>, if any (first 4 KiB only)."""
    found = EncodingDetector.find_declared_encoding(markup[:4096], is_html=True)
    return found or None


class _Text:
    """The parser's target: collects text in document order, skipping dropped elements."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.skipping = 0  # depth inside a dropped element

    def start(self, tag: str | bytes, attrib: Any) -> None:
        if self.skipping or tag in _DROPPED:
            self.skipping += 1
        elif tag == "br" or tag in _BLOCKS:
            self.out.append("\n")

    def end(self, tag: str | bytes) -> None:
        if self.skipping:
            self.skipping -= 1
        elif tag in _BLOCKS:
            self.out.append("\n")
        elif tag in _CELLS:
            self.out.append(" ")

    def data(self, data: str | bytes) -> None:
        if not self.skipping:  # always str: the parser decodes (bytes in lxml's stubs only)
            self.out.append(data if isinstance(data, str) else data.decode("utf-8", "replace"))

    def comment(self, text: str | bytes) -> None:  # comments are not text
        pass

    def close(self) -> str:
        return "".join(self.out)


def html_to_text(markup: str) -> str:
    """The document's text, block elements on lines of their own. Raises HtmlError."""
    target = _Text()
    parser = etree.HTMLParser(
        target=target,
        encoding="utf-8",  # as encoded below: a <meta> in the markup cannot switch it
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
    )
    data = markup.encode("utf-8", "replace")  # lone surrogates (never from a decoded part)
    try:
        for start in range(0, len(data), FEED_BYTES):
            parser.feed(data[start : start + FEED_BYTES])
        text = parser.close()
    except (etree.Error, ValueError, TypeError) as exc:
        raise HtmlError(type(exc).__name__) from None
    # close() returns the target's close(): lxml's stubs say an element, whatever the target
    return tidy(text if isinstance(text, str) else "")


def tidy(text: str) -> str:
    """Spaces collapsed in each line, blank lines dropped, ends trimmed."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
