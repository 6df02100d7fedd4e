from django.urls import path

from santui.intake import views

app_name = "intake"
urlpatterns = [
    path("declare/", views.declare, name="declare"),
    path("receipt/", views.receipt, name="receipt"),
]
