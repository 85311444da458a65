"""Public reference pages: countries and cooperation networks (no sign-in needed)."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from comity.reference import l10n, selectors
from comity.reference.forms import CountryFilterForm
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


@require_GET
def country_detail(request, iso2):
    country = selectors.country_get(iso2=iso2)
    if iso2 != country.iso2:
        return redirect("reference:country_detail", iso2=country.iso2, permanent=True)
    now = timezone.now()
    zones = [{"name": zone, "city": l10n.zone_city(zone), "time": l10n.local_time(now, zone)}
             for zone in country.timezones]
    memberships = sorted(country.network_memberships.all(), key=lambda m: collation_key(m.network.localized_name()))
    return render(request, "reference/country_detail.html", {
        "country": country, "memberships": memberships, "zones": zones, "now": l10n.moment(now),
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

