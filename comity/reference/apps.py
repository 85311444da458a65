from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "comity.reference"
    label = "reference"
    verbose_name = "Reference data"

    def ready(self) -> None:
        from comity.core import i18n
        from comity.reference import names

        i18n.register_territory_names(names.country_name)
