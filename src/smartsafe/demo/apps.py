from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo centre (``manage.py load_demo``): composes every app, so it sits above them all."""

    name = "smartsafe.demo"
    label = "demo"
