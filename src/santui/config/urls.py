from django.urls import include, path

from santui.backoffice.admin import site as backoffice_site

urlpatterns = [
    path("", include("santui.intake.urls")),
    path("", include("santui.publish.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("office/", backoffice_site.urls),
]
