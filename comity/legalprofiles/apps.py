from django.apps import AppConfig


class LegalProfilesConfig(AppConfig):
    """Country legal profiles: legal tradition, national laws, rules per type of cooperation, per-measure fiches."""

    name = "comity.legalprofiles"
    label = "legalprofiles"
    verbose_name = "Country legal profiles"
