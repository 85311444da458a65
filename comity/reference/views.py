"""Public reference pages: countries and cooperation networks (no sign-in needed)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from comity.reference import l10n, selectors
from comity.reference.forms import CountryFilterForm


@require_GET
def country_list(request):
    networks = list(selectors.network_list())
    form = CountryFilterForm(request.GET or None, networks=networks)
    filters: dict[str, str] = {}
    if form.is_bound and form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    countries = selectors.sorted_by_name(selectors.country_list(**filters))
    return render(
        request,
        "reference/country_list.html",
        {
            "form": form,
            "countries": countries,
            "filtered": bool(filters),
            "invalid": form.is_bound and not form.is_valid(),
        },
    )


@require_GET
def network_list(request):
    return render(
        request, "reference/network_list.html", {"networks": list(selectors.network_list()), "format_day": l10n.day}
    )


@require_GET
def network_detail(request, slug):
    network = selectors.network_get(slug=slug)
    memberships = sorted(network.memberships.all(), key=lambda m: selectors.name_key(m.country))
    return render(
        request,
        "reference/network_detail.html",
        {"network": network, "memberships": memberships, "format_day": l10n.day},
    )
