from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "smartsafe.api"
    label = "api"

    def ready(self):
        # Imported here: importing schema registers its OpenAPI extensions; ready() is the app's
        # start-up hook.
        from . import schema  # noqa: F401
