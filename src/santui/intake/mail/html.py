"""The text of an HTML mail part, with Beautiful Soup (the standard library's parser under it)."""

from __future__ import annotations

from bs4 import BeautifulSoup
from bs4.dammit import EncodingDetector
from bs4.element import CData, NavigableString, PageElement, Tag

# Elements after which the text goes on on a new line. Inline ones (b, span, a...) add nothing,
# so "退<b>党</b>" stays one word for the parser.
_BLOCKS = {
    "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table",
    "section", "article", "header", "footer", "dd", "dt", "hr", "ul", "ol", "address", "center",
}  # fmt: skip
_DROPPED = {"script", "style", "head", "title", "template", "noscript", "iframe", "object"}


def declared_charset(markup: bytes) -> str | None:
    """The charset an HTML document names in its own <meta>, if any."""
    found = EncodingDetector.find_declared_encoding(markup[:4096], is_html=True)
    return found or None


def html_to_text(markup: str) -> str:
    """The document's text, block elements on lines of their own. Walks the tree once with its
    own stack (no recursion, no tree edits), so deeply nested mail costs linear time."""
    soup = BeautifulSoup(markup, "html.parser")
    out: list[str] = []
    stack: list[tuple[PageElement, str]] = [(soup, "")]
    while stack:
        node, after = stack.pop()
        if after:
            out.append(after)
            continue
        if isinstance(node, NavigableString):
            if type(node) in (NavigableString, CData):  # not comments, doctypes...
                out.append(str(node))
            continue
        if not isinstance(node, Tag) or node.name in _DROPPED:
            continue
        if node.name == "br":
            out.append("\n")
            continue
        if node.name in _BLOCKS:
            out.append("\n")
            stack.append((node, "\n"))
        elif node.name in ("td", "th"):
            stack.append((node, " "))
        stack.extend((child, "") for child in reversed(node.contents))
    return tidy("".join(out))


def tidy(text: str) -> str:
    """Spaces collapsed in each line, blank lines dropped, ends trimmed."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
