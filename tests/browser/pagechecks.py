"""Checks of a loaded page, as lists of problems (empty: fine), so a test can report them all.

The DOM is read with WebDriver's script evaluation (DevTools Runtime.evaluate), which works
while the page's own JavaScript is off.
"""

from __future__ import annotations

import re
from typing import Any

from selenium.webdriver.remote.webdriver import WebDriver

from santui.textparse.regions import gazetteer, short_name

CJK = re.compile(r"[\u3400-\u9fff]")
SEPARATOR = "[,\u00a0\u202f\u2009 ]?"  # what a localized number may put between digit groups

# Everything that sticks out of the viewport, or is cut, outside containers that scroll
# sideways on purpose (overflow-x auto/scroll) and outside the insides of an <svg>.
FIT_JS = r"""
const vw = document.documentElement.clientWidth;
const out = [];
const doc = document.documentElement;
if (doc.scrollWidth > vw) out.push(`the document scrolls sideways: ${doc.scrollWidth}px > ${vw}px`);
const name = (el) => {
  let s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  if (typeof el.className === 'string' && el.className.trim())
    s += '.' + el.className.trim().split(/\s+/).join('.');
  const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
  return text ? `${s} "${text}"` : s;
};
const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
const inScroller = (el) => {
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement)
    if (scrolls(a)) return true;
  return false;
};
for (const el of document.body.querySelectorAll('*')) {
  if (out.length > 20) break;
  const inSvg = el.closest('svg');
  if (inSvg && inSvg !== el) continue;
  const r = el.getBoundingClientRect();
  if (r.width <= 1 || r.height <= 1) continue;  // not shown, or visually hidden on purpose
  const s = getComputedStyle(el);
  if (s.visibility === 'hidden' || inScroller(el)) continue;
  if (r.right > vw + 1 || r.left < -1)
    out.push(`${name(el)} sticks out of the ${vw}px viewport: `
             + `${Math.round(r.left)}..${Math.round(r.right)}`);
  if (s.display === 'inline' || scrolls(el) || el === document.body) continue;
  if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
    out.push(`${name(el)} overflows its box sideways: ${el.scrollWidth}px > ${el.clientWidth}px`
             + (['hidden', 'clip'].includes(s.overflowX) ? ' (cut)' : ''));
  if (['hidden', 'clip'].includes(s.overflowY) && el.scrollHeight > el.clientHeight + 2)
    out.push(`${name(el)} cuts its content: ${el.scrollHeight}px > ${el.clientHeight}px high`);
}
for (const svg of document.querySelectorAll('svg')) {
  if (svg.parentElement.closest('svg')) continue;
  const box = svg.getBoundingClientRect();
  if (box.width <= 1) continue;
  for (const t of svg.querySelectorAll('text')) {
    const r = t.getBoundingClientRect();
    if (r.width === 0) continue;
    if (r.left < box.left - 1 || r.right > box.right + 1
        || r.top < box.top - 1 || r.bottom > box.bottom + 1)
      out.push(`chart text "${t.textContent.trim().slice(0, 30)}" is cut by its <svg> edge`);
  }
}
return out;
"""

# Every chart of a page: an <svg role=img> with its own <title> and <desc>, and a data table in
# the same figure, or beside it in the same section.
CHARTS_JS = r"""
const charts = [];
for (const svg of document.querySelectorAll('main svg')) {
  if (svg.parentElement.closest('svg')) continue;
  const title = svg.querySelector(':scope > title');
  const desc = svg.querySelector(':scope > desc');
  // a table in its figure, or up to and in its section (never as far as main)
  let table = null;
  for (let a = svg.parentElement; a && !table && !a.matches('main, body'); a = a.parentElement) {
    table = a.querySelector('table');
    if (a.matches('section, article')) break;
  }
  const shapes = svg.querySelectorAll('rect, path, polygon, circle, polyline, line').length;
  charts.push({
    role: svg.getAttribute('role'),
    hidden: svg.getAttribute('aria-hidden') === 'true',
    title: title ? title.textContent.trim() : null,
    desc: desc ? desc.textContent.trim() : null,
    table: !!table,
    text: svg.textContent.replace(/\s+/g, ' '),
    shapes: shapes,
  });
}
return charts;
"""

# zh-Hans pages: visible phrases of two or more Latin words without any Chinese (likely
# untranslated strings). Reported for a person to judge, not failed on.
LATIN_JS = r"""
const found = new Set();
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  const p = node.parentElement;
  if (!p || p.closest('code, pre, kbd, samp, .statement-text, blockquote')) continue;
  const text = node.textContent.trim().replace(/\s+/g, ' ');
  if (/[A-Za-z]{2,}[ ,.:;-]+[A-Za-z]{2,}/.test(text) && !/[\u3400-\u9fff]/.test(text))
    found.add(text.slice(0, 80));
}
return [...found];
"""


def fit_problems(driver: WebDriver) -> list[str]:
    return list(driver.execute_script(FIT_JS))


def untranslated_candidates(driver: WebDriver) -> list[str]:
    return list(driver.execute_script(LATIN_JS))


def main_text(driver: WebDriver) -> str:
    mains = driver.execute_script(
        "return [...document.querySelectorAll('main')].map(m => m.textContent);"
    )
    return " ".join(mains)


def number_pattern(value: int) -> re.Pattern[str]:
    """``value`` as a page may write it: 23554, 23,554, 23 554 (no digit on either side)."""
    digits = str(value)
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return re.compile(r"(?<![\d,.])" + SEPARATOR.join(groups) + r"(?![\d]|[,.]\d)")


def shows_number(text: str, value: int) -> bool:
    return bool(number_pattern(value).search(text))


def province_names(lang: str) -> dict[str, str]:
    provinces = gazetteer().provinces
    if lang == "en":
        return {code: d.name_en for code, d in provinces.items()}
    return {code: short_name(d.name, "province") for code, d in provinces.items()}


def chart_problems(driver: WebDriver, *, lang: str, minimum: int) -> list[str]:
    """Charts present and accessible, and the map with a tile for every mainland province."""
    problems = []
    charts: list[dict[str, Any]] = driver.execute_script(CHARTS_JS)
    shown = [c for c in charts if not c["hidden"]]
    if len(shown) < minimum:
        problems.append(f"only {len(shown)} charts (svg in main), expected at least {minimum}")
    for i, chart in enumerate(shown, 1):
        label = f"chart {i} ({(chart['title'] or '?')[:40]})"
        if chart["role"] != "img":
            problems.append(f"{label}: role={chart['role']!r}, not img")
        if not chart["title"]:
            problems.append(f"{label}: no <title>")
        if not chart["desc"]:
            problems.append(f"{label}: no <desc>")
        if not chart["table"]:
            problems.append(f"{label}: no data table beside it")
    names = province_names(lang)
    best, missing = None, list(names.values())
    for chart in shown:
        lacking = [n for n in names.values() if n not in chart["text"]]
        if len(lacking) < len(missing):
            best, missing = chart, lacking
    if best is None or len(missing) > 0:
        problems.append(f"no map names every province; the best lacks {missing[:8]}")
    elif best["shapes"] < len(names):
        problems.append(f"the map has {best['shapes']} shapes for {len(names)} provinces")
    return problems


def statement_numbers(driver: WebDriver) -> list[int]:
    """Leaf numbers linked from main as /statements/<number>/, in page order, once each."""
    hrefs: list[str] = driver.execute_script(
        "return [...document.querySelectorAll('main a[href]')].map(a => a.pathname);"
    )
    numbers: list[int] = []
    for href in hrefs:
        m = re.fullmatch(r"/statements/(\d+)/", href)
        if m and int(m.group(1)) not in numbers:
            numbers.append(int(m.group(1)))
    return numbers


def table_rows(driver: WebDriver) -> list[list[str]]:
    """The text of each cell of each table row in main."""
    rows: list[list[str]] = driver.execute_script(
        "return [...document.querySelectorAll('main tr')]"
        ".map(tr => [...tr.cells].map(c => c.textContent.trim()));"
    )
    return [r for r in rows if r]


def numbers(cells: list[str]) -> list[int]:
    """The cells that hold a whole number (grouped or not), as numbers, in order."""
    found = []
    for cell in cells:
        bare = re.sub(SEPARATOR, "", cell)
        if bare.isdigit():
            found.append(int(bare))
    return found
