from django.apps import AppConfig


class TallyConfig(AppConfig):
    name = "santui.tally"
    label = "tally"
    verbose_name = "Tally"
