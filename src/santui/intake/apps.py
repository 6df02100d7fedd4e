from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "santui.intake"
    label = "intake"
    verbose_name = "Intake"
