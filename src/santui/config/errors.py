"""The site's error pages: 404 (Django's own view with the site's ``404.html``) and 500.

A server error page must show when anything else failed: ``server_error`` renders ``500.html``
(santui.publish's design, the visitor's language from their cookie or Accept-Language) with a
plain context, without the request's context processors, session, user or database; should
even that fail (a template or static file missing), it answers with a short page of its own in
the three languages. No address or request detail is logged here (Django logs the exception).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils import translation

FALLBACK = """<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8"><title>500</title></head><body>
<h1>服务器出错</h1><p>请过几分钟再试。</p>
<h1 lang="zh-Hant">伺服器出錯</h1><p lang="zh-Hant">請過幾分鐘再試。</p>
<h1 lang="en">Server error</h1><p lang="en">Please try again in a few minutes.</p>
</body></html>
"""


def _language(request: HttpRequest) -> str:
    try:
        return translation.get_language_from_request(request)
    except Exception:  # a malformed header must not stop the error page
        return "zh-hans"


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: the site's 500 page in the visitor's language, or the fallback."""
    try:
        with translation.override(_language(request)):
            body = loader.get_template(template_name).render({})
    except Exception:  # whatever broke, the visitor gets a page
        body = FALLBACK
    response = HttpResponseServerError(body, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
