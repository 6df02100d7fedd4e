from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "santui.ops"
    label = "ops"
    verbose_name = "Operations"
