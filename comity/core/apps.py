from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True

    name = "comity.core"
    label = "core"
    verbose_name = "Comity core"

    def ready(self):
        from django.db.models.signals import post_migrate

        from comity.core.search.operations import repair_after_migrate

        # SQLite drops a table's triggers when Django rebuilds the table: put back those of the search indexes.
        post_migrate.connect(repair_after_migrate, sender=self, dispatch_uid="comity.core.search.repair")


class ComityAdminConfig(admin_apps.AdminConfig):
    default = False

    """The Django admin, restricted to verified (two-factor) secretariat staff."""

    default_site = "comity.core.admin_site.ComityAdminSite"
