from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "smartsafe.site"
    label = "site"
