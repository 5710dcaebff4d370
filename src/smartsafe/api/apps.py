from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "smartsafe.api"
    label = "api"
