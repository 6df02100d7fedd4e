from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "santui.backoffice"
    label = "backoffice"
    verbose_name = "Back office"
