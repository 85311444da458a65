"""The finder: "where do I send this?" for a requesting state, a requested state and a type of cooperation.

The page is open to everyone, like the authorities' own pages: authorities are public, and contact points
show each viewer only the fields they may read (anonymous visitors: public fields only).
"""

from __future__ import annotations

from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET
from markupsafe import Markup

from comity.core import fragments
from comity.directory import permissions, selectors
from comity.directory.forms import COOPERATION_LABELS, FinderForm
from comity.directory.views import common
from comity.reference import selectors as reference_selectors


def _result_row(user, row: dict, result, at) -> dict:
    authority = row["authority"]
    requesting_languages = result.requesting_languages
    designation = row["designation"]
    contacts = common.ordered_contacts(row["contacts"], always_first=result.urgent)
    shared = [
        network.localized_name()
        + (f" ({network.acronym})" if network.acronym and network.acronym not in network.localized_name() else "")
        for network in result.shared_networks
    ]
    return {
        "authority": authority,
        "name": authority.localized_name(),
        "designation": {
            "instrument": common.instrument_label(designation.instrument)
            if designation and designation.instrument
            else "",
            "scope_notes": designation.scope_notes if designation else "",
        },
        "availability": row["availability"],
        "always_available": row["always_available"],
        "languages": [
            {"code": code, "name": common.language_labels([code])[0], "common": code in requesting_languages}
            for code in authority.languages_accepted
        ],
        "common_languages": common.language_labels(row["common_languages"]),
        "untoc_basis": row["untoc_basis"],
        "channels": common.channel_labels(authority.channels),
        "network_channels": shared,
        "urgent_channels": common.urgent_channel_labels(authority.urgent_channels),
        "cards": [common.contact_card(user, contact, authority.country.iso2, at) for contact in contacts],
        "freshness": common.freshness(authority, at),
    }


@require_GET
def finder(request):
    # Only States request or are requested cooperation; other areas stay in the directory's other lists.
    countries = [country for country in common.all_countries() if country.is_state]
    user = request.user
    member = permissions.is_member(user)
    initial = {}
    if member and user.country_id:
        initial["requesting"] = next((c.iso2 for c in countries if c.pk == user.country_id), "")
    form = FinderForm(request.GET or None, countries=countries, initial=initial)
    context = {"form": form, "result": None, "rows": [], "is_member": member, "type_label": ""}
    status = 200
    if not form.is_bound or not form.is_valid():
        status = 400 if form.is_bound else 200
        results = Markup(render_to_string("directory/_finder_results.html", context, request))  # noqa: S704
    else:
        data = form.cleaned_data

        def render_results() -> str:
            by_code = {country.iso2: country for country in countries}
            at = common.now()
            result = selectors.finder(
                user=user,
                requesting=by_code[data["requesting"]],
                requested=by_code[data["requested"]],
                cooperation_type=data["type"],
                urgent=data["urgent"],
                at=at,
            )
            rows = [_result_row(user, row, result, at) for row in result.authorities]
            answer = {"result": result, "rows": rows, "type_label": COOPERATION_LABELS[result.cooperation_type]}
            return render_to_string("directory/_finder_results.html", {**context, **answer}, request)

        # The answer is the same for every viewer who sees the same authorities and the same contact fields of the
        # requested state, until the directory changes or the minute ends ("open now").
        results = fragments.cached_html(
            "directory-finder",
            (permissions.contact_visibility_class(user, data["requested"]), sorted(request.GET.lists())),
            render_results,
            generation_names=(selectors.GENERATION, reference_selectors.GENERATION),
            per_minute=True,
        )
    return render(request, "directory/finder.html", {"results": results}, status=status)
