"""Both sites in one URL conf: for a command run by hand, ``runserver`` and the test suite.
``santui serve`` never uses it: the public server runs ``santui.config.urls_public`` (no
/office/ route) and ``santui serve --office`` runs ``santui.config.urls_office``."""

from santui.config.urls_office import office_patterns
from santui.config.urls_public import urlpatterns as public_patterns

# Error pages in the site's design and the visitor's language (santui.config.errors).
handler404 = "django.views.defaults.page_not_found"  # renders santui.publish's 404.html
handler500 = "santui.config.errors.server_error"

urlpatterns = [*public_patterns, *office_patterns]
