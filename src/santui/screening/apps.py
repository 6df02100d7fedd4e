from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "santui.screening"
    label = "screening"
    verbose_name = "Screening"
