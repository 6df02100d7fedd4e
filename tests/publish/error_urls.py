"""The site's URLs and error handlers, and two views that fail (test_error_pages)."""

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from santui.config.urls import handler404, handler500
from santui.config.urls import urlpatterns as site_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def refused(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def database_down(request: HttpRequest) -> HttpResponse:
    raise OperationalError("the database is down")


__all__ = ["handler404", "handler500", "urlpatterns"]
urlpatterns = [
    path("test-boom/", boom),
    path("test-refused/", refused),
    path("test-database-down/", database_down),
    *site_urlpatterns,
]
