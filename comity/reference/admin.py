"""Read-only admin: reference data comes from the data files through `manage.py load_reference`, so an
edit made here would be undone by the next load. Change the data file (with its source and date) instead."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from comity.reference.models import Country, Network, NetworkMembership


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Country)
class CountryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "iso2",
        "iso3",
        "m49",
        "name_en",
        "region_m49",
        "subregion_m49",
        "un_status",
        "is_ldc",
        "is_lldc",
        "is_sids",
        "holidays_supported",
    ]
    list_filter = ["un_status", "region_m49", "is_ldc", "is_lldc", "is_sids", "holidays_supported"]
    search_fields = ["iso2", "iso3", "name_en"]
    ordering = ["iso2"]


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = NetworkMembership
    fields = ["country", "note"]
    readonly_fields = ["country", "note"]
    extra = 0
    ordering = ["country__iso2"]
    verbose_name_plural = _("members (from the data file)")


@admin.register(Network)
class NetworkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "acronym", "slug", "as_of", "members_complete"]
    list_filter = ["members_complete"]
    search_fields = ["name", "acronym", "slug"]
    inlines = [MembershipInline]
