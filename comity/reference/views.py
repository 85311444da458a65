"""Public reference pages: countries and cooperation networks (no sign-in needed)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from comity.core.i18n import language_name
from comity.directory import permissions as directory_permissions
from comity.directory import selectors as directory_selectors
from comity.directory.models import Channel, Competence
from comity.reference import l10n, selectors
from comity.reference.forms import CountryFilterForm
from comity.reference.models import Country
from comity.reference.regions import collation_key


@require_GET
def country_list(request):
    networks = list(selectors.network_list())
    form = CountryFilterForm(request.GET or None, networks=networks)
    filters: dict[str, str] = {}
    if form.is_bound and form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    countries = selectors.sorted_by_name(selectors.country_list(**filters))
    return render(request, "reference/country_list.html", {
        "form": form, "countries": countries, "filtered": bool(filters),
        "invalid": form.is_bound and not form.is_valid(),
    })


def _country_get_with_directory_flag(iso2: str) -> Country:
    """`selectors.country_get`, plus `has_authorities` computed in the same query, so that a country without
    authorities in the directory costs no further query (the page stays at two)."""
    listed = directory_permissions.authorities_visible_to(AnonymousUser()).filter(country=OuterRef("pk"))
    return selectors.country_get(iso2=iso2, annotations={"has_authorities": Exists(listed)})


def _public_authorities(country: Country, now) -> list[dict]:
    """The country's active authorities with their public fields only (the page is public for everyone)."""
    if not country.has_authorities:
        return []
    rows = []
    for authority in directory_selectors.authority_list(user=AnonymousUser(), country=country.iso2):
        rows.append({
            "authority": authority,
            "name": authority.localized_name(),
            "competences": [str(Competence(c.code).label) for c in authority.competences.all()
                            if c.code in Competence.values],
            "languages": [language_name(code) for code in authority.languages_accepted],
            "channels": [str(Channel(code).label) for code in authority.channels if code in Channel.values],
            "status": directory_selectors.authority_availability(authority, now),
        })
    return rows


@require_GET
def country_detail(request, iso2):
    country = _country_get_with_directory_flag(iso2)
    if iso2 != country.iso2:
        return redirect("reference:country_detail", iso2=country.iso2, permanent=True)
    now = timezone.now()
    zones = [{"name": zone, "city": l10n.zone_city(zone), "time": l10n.local_time(now, zone)}
             for zone in country.timezones]
    memberships = sorted(country.network_memberships.all(), key=lambda m: collation_key(m.network.localized_name()))
    return render(request, "reference/country_detail.html", {
        "country": country, "memberships": memberships, "zones": zones, "now": l10n.moment(now),
        "authorities": _public_authorities(country, now),
    })


@require_GET
def network_list(request):
    return render(request, "reference/network_list.html", {"networks": list(selectors.network_list()),
                                                         "format_day": l10n.day})


@require_GET
def network_detail(request, slug):
    network = selectors.network_get(slug=slug)
    memberships = sorted(network.memberships.all(), key=lambda m: selectors.name_key(m.country))
    return render(request, "reference/network_detail.html", {"network": network, "memberships": memberships,
                                                           "format_day": l10n.day})

