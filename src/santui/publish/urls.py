from django.urls import path

from santui.publish import logviews, views

app_name = "publish"
urlpatterns = [
    path("", views.home, name="home"),
    path("stats/", views.stats, name="stats"),
    path("api/v1/stats", views.api_stats, name="api-stats"),
    path("api/v1/openapi.json", views.api_openapi, name="api-openapi"),
    # the public log: C2SP tlog-tiles layout for mirrors, JSON for everyone else
    path("log/checkpoint", logviews.checkpoint, name="log-checkpoint"),
    path("log/tile/<path:path>", logviews.tile, name="log-tile"),
    path("api/v1/log/checkpoint", logviews.checkpoint, name="api-log-checkpoint"),
    path("api/v1/log/entries", logviews.entries, name="api-log-entries"),
    path("api/v1/log/proof/inclusion", logviews.inclusion, name="api-log-inclusion"),
    path("api/v1/log/proof/consistency", logviews.consistency, name="api-log-consistency"),
]
