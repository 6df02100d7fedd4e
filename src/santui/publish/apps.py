from django.apps import AppConfig


class PublishConfig(AppConfig):
    name = "santui.publish"
    label = "publish"
    verbose_name = "Publish"
