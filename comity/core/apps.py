from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True

    name = "comity.core"
    label = "core"
    verbose_name = "Comity core"


class ComityAdminConfig(admin_apps.AdminConfig):
    default = False

    """The Django admin, restricted to verified (two-factor) secretariat staff."""

    default_site = "comity.core.admin_site.ComityAdminSite"
