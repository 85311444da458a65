"""Public pages that combine several apps: the home page and the country page (no sign-in needed)."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from comity.core.conditional import public_conditional
from comity.core.i18n import collation_key
from comity.portal import selectors
from comity.reference import l10n


@require_GET
@public_conditional(lambda request: None)
def legal_home(request):
    """The legal portal's front page: its sections and one search box. It shows no data of its own, so its
    validators change only with the language, the viewer and the release."""
    return render(request, "portal/legal_home.html", {})


def home(request):
    return render(request, "portal/home.html", {"stats": selectors.portal_stats()})


@require_GET
def country_detail(request, iso2):
    country = selectors.country_get_with_directory_flag(iso2=iso2)
    if iso2 != country.iso2:
        return redirect("portal:country_detail", iso2=country.iso2, permanent=True)
    now = timezone.now()
    zones = [
        {"name": zone, "city": l10n.zone_city(zone), "time": l10n.local_time(now, zone)} for zone in country.timezones
    ]
    memberships = sorted(country.network_memberships.all(), key=lambda m: collation_key(m.network.localized_name()))
    return render(
        request,
        "portal/country_detail.html",
        {
            "country": country,
            "memberships": memberships,
            "zones": zones,
            "now": l10n.moment(now),
            "authorities": selectors.country_public_authorities(country=country, now=now),
        },
    )
