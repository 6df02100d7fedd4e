"""The office server's URLs (``santui serve --office``, SANTUI_ROLE=office): the back office
under /office/, on its own port and host name (SANTUI_OFFICE_ALLOWED_HOSTS). No public form and
no public pages: "/" leads to /office/."""

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from santui.backoffice.admin import site as backoffice_site

handler500 = "santui.config.errors.server_error"
handler404 = "santui.config.urls_office.not_found"


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A plain 404: the public 404 page links to public pages this server does not have."""
    return HttpResponseNotFound(
        '<!doctype html><html><head><meta charset="utf-8"><title>404</title></head>'
        '<body><h1>404</h1><p><a href="/office/">/office/</a></p></body></html>'
    )


office_patterns = [
    # The blind re-review (santui.backoffice.review): before the admin, which would take the path.
    path("office/review/", include("santui.backoffice.review")),
    # The moderation workbench (santui.backoffice.workbench): the held queue, bulk invalidation.
    path("office/", include("santui.backoffice.workbench")),
    # Staff sign-in (santui.backoffice.twofactor): before the admin, whose login it replaces.
    path("office/", include("santui.backoffice.twofactor")),
    path("office/", backoffice_site.urls),
]

urlpatterns = [
    path("", RedirectView.as_view(url="/office/", permanent=False)),
    path("i18n/setlang/", set_language, name="set_language"),
    *office_patterns,
]
