"""Reading the directory: browse and search (members), and an authority's page (public for active ones)."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET
from markupsafe import Markup

from comity.core import fragments
from comity.core.decorators import member_required
from comity.core.i18n import language_name
from comity.directory import permissions, selectors
from comity.directory.availability import holiday_names_language, holidays_between
from comity.directory.forms import AuthorityFilterForm
from comity.directory.views import common
from comity.reference import selectors as reference_selectors

PAGE_SIZE = 25
HOLIDAY_DAYS = 60


def _holiday_language(country_code: str) -> dict:
    """The language of the holiday names shown, and whether the page must say it (not the viewer's language)."""
    viewer = common.viewer_language()
    code = holiday_names_language(country_code, viewer)
    other = code.split("-")[0].lower() != viewer.split("-")[0].lower()
    return {"code": code, "other": other, "name": language_name(code.split("-")[0]) if other else ""}


def authority_row(authority, at: dt.datetime) -> dict:
    """One row of the list, computed from prefetched data only (no query per row)."""
    contacts = authority.current_contacts
    return {
        "authority": authority,
        "name": authority.localized_name(),
        "competences": [common.competence_label(c.code) for c in authority.competences.all()],
        "languages": common.language_labels(authority.languages_accepted),
        "availability": selectors.authority_availability(authority, at),
        "always_contact": not authority.always_available and any(c.always_available for c in contacts),
        "freshness": common.freshness(authority, at),
    }


@member_required
@require_GET
def authority_list(request):
    form = AuthorityFilterForm(
        request.GET or None, countries=common.all_countries(), networks=reference_selectors.networks_shared()
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": None, "rows": [], "query": query.urlencode(), "filtered": any(query.values())}
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
        results = Markup(render_to_string("directory/_authority_results.html", context, request))  # noqa: S704
    else:
        # The filters and results are the same for every member of a visibility class, in a language and zone,
        # until the directory changes or the minute ends ("open now"): kept in the shared cache for that long.
        def render_results() -> str:
            filters = form.filters() if form.is_bound else {}
            page = Paginator(selectors.authority_list(user=request.user, **filters), PAGE_SIZE).get_page(
                request.GET.get("page")
            )
            at = common.now()
            rows = [authority_row(authority, at) for authority in page.object_list]
            return render_to_string(
                "directory/_authority_results.html", {**context, "page": page, "rows": rows}, request
            )

        results = fragments.cached_html(
            "directory-list",
            (permissions.authority_visibility_class(request.user), sorted(request.GET.lists())),
            render_results,
            generation_names=(selectors.GENERATION, reference_selectors.GENERATION),
            per_minute=True,
        )
    return render(
        request,
        "directory/authority_list.html",
        {"results": results, "can_create": bool(common.editable_countries(request.user))},
        status=status,
    )


@require_GET
def authority_detail(request, pk):
    authority = selectors.authority_get_for(user=request.user, pk=pk)
    user = request.user
    at = common.now()
    country_code = authority.country.iso2
    can_edit = permissions.can_edit_authority(user, authority)
    contacts = authority.all_contacts
    cards = [common.contact_card(user, contact, country_code, at) for contact in common.ordered_contacts(contacts)]
    local_today = at.astimezone(authority.zone).date()
    context = {
        "authority": authority,
        "name": authority.localized_name(),
        "other_names": sorted(
            (code, name) for code, name in authority.names.items() if name and name != authority.localized_name()
        ),
        "competences": [
            {
                "label": common.competence_label(c.code),
                "instrument": common.instrument_label(c.instrument) if c.instrument else "",
                "scope_notes": c.scope_notes,
            }
            for c in authority.competences.all()
        ],
        "languages": [(code, common.language_labels([code])[0]) for code in authority.languages_accepted],
        "channels": common.channel_labels(authority.channels),
        "urgent_channels": common.urgent_channel_labels(authority.urgent_channels),
        "hours": common.hours_table(authority),
        "closures": [c for c in authority.closures.all() if c.end_date >= local_today],
        "holidays": holidays_between(
            country_code,
            authority.holiday_subdivision,
            local_today,
            local_today + dt.timedelta(days=HOLIDAY_DAYS),
            common.viewer_language(),
        ),
        "holiday_language": _holiday_language(country_code),
        "status": selectors.authority_availability(authority, at),
        "freshness": common.freshness(authority, at),
        "cards": cards,
        "contact_freshness": {card.contact.pk: common.freshness(card.contact, at) for card in cards},
        "can_edit": can_edit,
        "is_member": permissions.is_member(user),
        "versions": [],
        "seat_history": [],
    }
    if can_edit:
        context["versions"] = common.version_rows(
            selectors.versions_for(record_type="authority", record_id=authority.pk), "authority"
        )
        former = sorted((c for c in contacts if c.end_date is not None), key=lambda c: (c.seat_id, c.start_date))
        context["seat_history"] = [
            {"seat": group[0].seat, "holders": group}
            for group in (list(g) for _k, g in groupby(former, key=lambda c: c.seat_id))
        ]
    return render(request, "directory/authority_detail.html", context)
