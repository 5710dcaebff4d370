from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "smartsafe.core"
    label = "core"
