"""The site's header (base.html), written once per language and page instead of for every
response.

Its eight links, translated labels and language buttons took about two thirds of rendering a
short page such as the form's receipt (``{% url %}`` alone costs about 15 µs a link): 0.38 ms of
the 0.52 ms, a tenth of a worker's CPU per statement under load (docs/benchmarks.md, "The form,
third pass"). The header depends only on the active language, the page's URL name (which link
is marked current), the script prefix and the address to come back to after a change of
language, which is put in on each call, escaped. Kept in the process for as long as it runs (a
few dozen headers: languages × URL names); with DEBUG on it is written every time, so that an
edited template shows at once. Not Django's ``{% cache %}``: with Redis as the cache it would be
a round trip for every page, and it needs a cache alias that benchmarks and tests replace.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

_NEXT = "\x00next\x00"  # where the address goes; escaping leaves it as it is
_written: dict[tuple[str | None, str | None, str], tuple[str, str]] = {}


def _parts(here: str | None) -> tuple[str, str]:
    """The header in the active language, cut where the address goes."""
    html = render_to_string("chrome/header.html", {"here": here, "next": _NEXT})
    before, after = html.split(_NEXT)
    return before, after


@register.simple_tag(takes_context=True)
def site_header(context: template.Context) -> SafeString:
    request: HttpRequest | None = context.get("request")
    match = getattr(request, "resolver_match", None)
    here = match.url_name if match is not None else None
    key = (get_language(), here, get_script_prefix())
    parts = _written.get(key)
    if parts is None:
        parts = _parts(here)
        if not settings.DEBUG:
            _written[key] = parts
    back = request.get_full_path() if request is not None else ""
    return mark_safe(parts[0] + escape(back) + parts[1])  # noqa: S308  # the address escaped
