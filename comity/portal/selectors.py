"""Reads for the public pages that combine reference data with the directory."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef

from comity.core.i18n import language_name
from comity.directory import permissions as directory_permissions
from comity.directory import selectors as directory_selectors
from comity.directory.models import Channel, Competence
from comity.reference import selectors as reference_selectors
from comity.reference.models import Country


def portal_stats() -> dict:
    return reference_selectors.portal_stats()


def country_get_with_directory_flag(*, iso2: str) -> Country:
    """`reference.selectors.country_get`, plus `has_authorities` computed in the same query, so that a country
    without authorities in the directory costs no further query (the page stays at two)."""
    listed = directory_permissions.authorities_visible_to(AnonymousUser()).filter(country=OuterRef("pk"))
    return reference_selectors.country_get(iso2=iso2, annotations={"has_authorities": Exists(listed)})


def country_public_authorities(*, country: Country, now: dt.datetime) -> list[dict]:
    """The country's active authorities with their public fields only (the page is public for everyone)."""
    if not country.has_authorities:  # type: ignore[attr-defined]  # annotated by country_get_with_directory_flag
        return []
    # The page shows no contact point: of the list's prefetches it keeps only what it shows and what availability
    # needs: loading every current contact with its seat was a fifth of the page's time.
    authorities = (
        directory_selectors.authority_list(user=AnonymousUser(), country=country.iso2)
        .prefetch_related(None)
        .prefetch_related("competences", "office_hours", "closures")
    )
    rows = []
    for authority in authorities:
        rows.append(
            {
                "authority": authority,
                "name": authority.localized_name(),
                "competences": [
                    str(Competence(c.code).label) for c in authority.competences.all() if c.code in Competence.values
                ],
                "languages": [language_name(code) for code in authority.languages_accepted],
                "channels": [str(Channel(code).label) for code in authority.channels if code in Channel.values],
                "status": directory_selectors.authority_availability(authority, now),
            }
        )
    return rows
