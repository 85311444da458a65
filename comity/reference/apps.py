from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "comity.reference"
    label = "reference"
    verbose_name = "Reference data"

    def ready(self) -> None:
        from comity.core import generations, i18n
        from comity.reference import names
        from comity.reference.models import Country, Network, NetworkMembership
        from comity.reference.selectors import GENERATION

        i18n.register_territory_names(names.country_name)
        generations.bump_on_change(GENERATION, Country, Network, NetworkMembership, m2m=[NetworkMembership])
