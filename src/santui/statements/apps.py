from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "santui.statements"
    label = "statements"
    verbose_name = "Statements"
