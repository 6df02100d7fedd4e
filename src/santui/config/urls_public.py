"""The public server's URLs (``santui serve``, SANTUI_ROLE=public): the form, receipts, figures,
the log and public statements. No /office/ route: the back office is served apart
(``santui.config.urls_office``; docs/operations.md#the-public-server-and-the-office)."""

from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from santui.intake.views import challenge_image

# Error pages in the site's design and the visitor's language (santui.config.errors).
handler404 = "django.views.defaults.page_not_found"  # renders santui.publish's 404.html
handler500 = "santui.config.errors.server_error"

urlpatterns = [
    path("", include("santui.intake.urls")),
    path("", include("santui.publish.urls")),
    # Exempt from CSRF so that public pages carry no per-visitor token and can be cached and
    # shared; a forged request could at worst switch a visitor's language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # The image of a challenge (santui.intake.door), under django-simple-captcha's own URL name.
    # Only the image: its audio needs a speech program and its refresh view needs JavaScript
    # (and would let anyone add challenges to the database without opening a form).
    path("captcha/image/<str:key>/", challenge_image, name="captcha-image"),
]
