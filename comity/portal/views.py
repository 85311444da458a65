"""Public pages that combine several apps: the home page and the country page (no sign-in needed)."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from comity.core import fragments
from comity.core.conditional import public_conditional
from comity.core.i18n import collation_key
from comity.directory import selectors as directory_selectors
from comity.portal import selectors
from comity.reference import l10n
from comity.reference import selectors as reference_selectors


@require_GET
@public_conditional(lambda request: None)
def legal_home(request):
    """The legal portal's front page: its sections and one search box. It shows no data of its own, so its
    validators change only with the language, the viewer and the release."""
    return render(request, "portal/legal_home.html", {})


def _next_events(user) -> list:
    """The user's next events on the start page (those they organise, are registered for or invited to)."""
    from comity.meetings.selectors import upcoming_events_for

    return upcoming_events_for(user=user, limit=5)


def _is_member(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_verified())


def home(request):
    """The public home page for visitors; for a signed-in member, their start page: questions to their country,
    their consultations, unread threads they watch, their records due for confirmation and their next events."""
    user = request.user
    if not _is_member(user):
        return render(request, "portal/home.html", {"stats": selectors.portal_stats()})
    now = timezone.now()
    return render(
        request,
        "portal/start.html",
        {
            "questions": selectors.questions_to_my_country(user=user, now=now),
            "consultations": selectors.my_consultations(user=user),
            "watched": selectors.unread_watched_threads(user=user),
            "records": selectors.records_due(user=user, now=now),
            "events": _next_events(user),
        },
    )


@require_GET
def country_detail(request, iso2):
    country = next((c for c in reference_selectors.countries_shared() if c.iso2 == iso2), None)
    if country is None:  # not a code as stored: the full lookup answers 404, or redirects to the stored spelling
        country = selectors.country_get_with_directory_flag(iso2=iso2)
        if iso2 != country.iso2:
            return redirect("portal:country_detail", iso2=country.iso2, permanent=True)

    def render_content() -> str:
        full = selectors.country_get_with_directory_flag(iso2=country.iso2)
        now = timezone.now()
        zones = [
            {"name": zone, "city": l10n.zone_city(zone), "time": l10n.local_time(now, zone)} for zone in full.timezones
        ]
        memberships = sorted(full.network_memberships.all(), key=lambda m: collation_key(m.network.localized_name()))
        context = {
            "country": full,
            "memberships": memberships,
            "zones": zones,
            "now": l10n.moment(now),
            "authorities": selectors.country_public_authorities(country=full, now=now),
        }
        return render_to_string("portal/_country_content.html", context, request)

    # Public and the same for everyone: kept until the directory or the reference data change, or the minute ends
    # (local times, "open now").
    content = fragments.cached_html(
        "portal-country",
        (country.iso2,),
        render_content,
        generation_names=(directory_selectors.GENERATION, reference_selectors.GENERATION),
        per_minute=True,
    )
    return render(request, "portal/country_detail.html", {"country": country, "content": content})


@require_GET
def session_keepalive(request):
    """ "Stay signed in": a request like any page view, so the session's activity is recorded (the idle timeout starts
    again). Answers how long the session may now stay idle; 401 when it has already ended."""
    if not _is_member(request.user):
        return JsonResponse({"signed_in": False}, status=401)
    return JsonResponse({"signed_in": True, "idle_seconds": settings.SESSION_IDLE_TIMEOUT})
