"""The back office's addition to the site's Content-Security-Policy: the Django admin's own
scripts.

The site-wide policy (``CONTENT_SECURITY_POLICY`` in settings) allows no script at all, and
public pages keep it so. The admin's pages need their static files (``admin/js/...``: the
changelist's "select all" and action counter, the date widgets, the related-object popups,
the theme switch) and its translation catalog (``/office/jsi18n/``), all served by this site:
``script-src 'self'``, nothing inline, no ``eval``. Django 5.2's admin templates carry no inline
script; the data its scripts read comes in ``data-*`` attributes or ``json_script`` blocks
(``type="application/json"``, which the policy does not govern).

``BackofficeSite`` marks every response of the admin site with it (django-csp merges it into
the policy in its middleware); views outside the site under /office/ are not widened.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponseBase

OFFICE_CSP_UPDATE: dict[str, list[str]] = {"script-src": ["'self'"]}


def allow_office_scripts(response: Any) -> Any:
    """``response`` with the policy widened by ``OFFICE_CSP_UPDATE`` (django-csp's
    ``csp_update`` per response rather than per view: the admin site builds its views)."""
    if isinstance(response, HttpResponseBase):
        response._csp_update = OFFICE_CSP_UPDATE  # type: ignore[attr-defined]  # django-csp's
    return response
