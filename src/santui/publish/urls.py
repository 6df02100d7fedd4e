from django.urls import path

from santui.publish import dashboard, dataviews, logviews, methodology, statementviews, views

app_name = "publish"
urlpatterns = [
    path("", views.home, name="home"),
    path("stats/", dashboard.stats, name="stats"),
    path("statements/", statementviews.statement_list, name="statements"),
    path("statements/<int:number>/", statementviews.statement_detail, name="statement"),
    path("methodology/", methodology.methodology, name="methodology"),
    path("data/", dataviews.data_index, name="data"),
    path("data/<str:filename>", dataviews.data_file, name="data-file"),
    # the JSON API, described by /api/v1/openapi.json
    path("api/v1/stats", views.api_stats, name="api-stats"),
    path("api/v1/context", dashboard.api_context, name="api-context"),
    path("api/v1/statements", statementviews.api_statements, name="api-statements"),
    path("api/v1/statements/<int:number>", statementviews.api_statement, name="api-statement"),
    path("api/v1/rejections", methodology.api_rejections, name="api-rejections"),
    path("api/v1/quality", methodology.api_quality, name="api-quality"),
    path("api/v1/openapi.json", views.api_openapi, name="api-openapi"),
    # the public log: C2SP tlog-tiles layout for mirrors, JSON for everyone else
    path("log/checkpoint", logviews.checkpoint, name="log-checkpoint"),
    path("log/tile/<path:path>", logviews.tile, name="log-tile"),
    path("api/v1/log/checkpoint", logviews.checkpoint, name="api-log-checkpoint"),
    path("api/v1/log/entries", logviews.entries, name="api-log-entries"),
    path("api/v1/log/proof/inclusion", logviews.inclusion, name="api-log-inclusion"),
    path("api/v1/log/proof/consistency", logviews.consistency, name="api-log-consistency"),
]
