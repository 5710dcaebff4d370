from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "smartsafe.api"
    label = "api"

    def ready(self):
        # Registers the OpenAPI extensions with drf-spectacular.
        from . import schema  # noqa: F401
