from django.urls import path

from santui.intake import certviews, logviews, views

app_name = "intake"
urlpatterns = [
    path("declare/", views.declare, name="declare"),
    path("receipt/", views.receipt, name="receipt"),
    path("receipt/proof/", logviews.receipt_proof, name="receipt-proof"),
    path("receipt/certificate/", certviews.certificate, name="receipt-certificate"),
    path("api/v1/log/cosignature", logviews.cosignature, name="api-log-cosignature"),
]
