"""What a person reads on a page, and the English words left in it.

``visible_texts`` collects every text node a browser shows or reads out (outside <script>,
<style>, <template> and <svg> symbol definitions), every option and optgroup label, and the
attributes shown or spoken (title, alt, placeholder, aria-label, the value of submit and reset
buttons). ``english_words`` finds runs of two or more ASCII letters in them, but for the few
things that are codes, not words of the interface (ALLOWED, and text inside <code>, which the
office uses only for technical identifiers such as an exception's class name), and text of an
element that says it is in another language (``lang="en"``: the language switch's "English").
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

WORD = re.compile(r"[A-Za-z]{2,}")
# Codes that are not words of the interface, and names Chinese text uses as they are:
ALLOWED = {
    "Asia/Shanghai",  # the reporting time zone's IANA name, shown beside every time
    "UTC",  # the zone a stored time is in, named where one is
    "IP",  # "IP 地址" (the site's footer)
    "JavaScript",  # "无需 JavaScript 即可使用" (the site's footer)
}
# A flood cluster's key (16 hex digits): an identifier, as a statement number is.
HEX_ID = re.compile(r"\b[0-9a-f]{16}\b")
# A file's extension, as its name shows it ("声明.jpg", "（.eml）").
FILE_EXTENSION = re.compile(r"\.(eml|jpe?g|png|gif|pdf|txt)\b", re.IGNORECASE)
SPOKEN = {"title", "alt", "placeholder", "aria-label", "data-place-filter"}
HIDDEN = {"script", "style", "template", "code", "svg"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.hidden: list[str] = []  # open hidden elements, and those in another language

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if not self.hidden:
            for name in SPOKEN & set(values):
                self.texts.append(values[name])
            if tag == "input" and values.get("type") in ("submit", "reset", "button"):
                self.texts.append(values.get("value", ""))
            if tag == "optgroup":
                self.texts.append(values.get("label", ""))
        # an element in English on a page that is not (the page's own <html lang> aside)
        other_language = tag != "html" and values.get("lang", "").lower().startswith("en")
        if (tag in HIDDEN or other_language) and tag not in VOID:
            self.hidden.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self.hidden and self.hidden[-1] == tag and tag not in VOID:
            self.hidden.pop()

    def handle_endtag(self, tag: str) -> None:
        if self.hidden and self.hidden[-1] == tag:
            self.hidden.pop()

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.texts.append(data.strip())


def visible_texts(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    parser.close()
    return [t for t in parser.texts if t.strip()]


def english_words(html: str, *, allowed: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Each visible text holding a run of two or more ASCII letters that is not a code."""
    found = []
    for text in visible_texts(html):
        rest = FILE_EXTENSION.sub("", HEX_ID.sub("", text))
        for code in ALLOWED | set(allowed):
            rest = rest.replace(code, "")
        if WORD.search(rest):
            found.append(text)
    return found
