from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Public pages that combine several apps: the home page and the country page."""

    name = "comity.portal"
    label = "portal"
    verbose_name = "Public portal"
