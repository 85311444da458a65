from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "comity.demo"
    label = "demo"
    verbose_name = "Demo data"
