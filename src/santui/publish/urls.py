from django.urls import path

from santui.publish import views

app_name = "publish"
urlpatterns = [
    path("", views.home, name="home"),
    path("stats/", views.stats, name="stats"),
    path("api/v1/stats", views.api_stats, name="api-stats"),
    path("api/v1/openapi.json", views.api_openapi, name="api-openapi"),
]
