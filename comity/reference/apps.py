from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "comity.reference"
    label = "reference"
    verbose_name = "Reference data"
