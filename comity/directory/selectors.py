"""Reads of the directory: lists with filters and search, detail, availability, the finder, freshness."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from comity.core.permissions import get_visible_or_404
from comity.core.search import TextIndex, fold, in_subquery
from comity.directory import permissions
from comity.directory.availability import Availability, availability, schedule_for
from comity.directory.models import Authority, Competence, Contact, RecordVersion
from comity.reference import names as country_names
from comity.reference.models import Country, Network

COOPERATION_TYPES = {
    "mla": Competence.MLA_CENTRAL,
    "extradition": Competence.EXTRADITION,
    "sentenced_transfer": Competence.SENTENCED_TRANSFER,
    "proceedings_transfer": Competence.PROCEEDINGS_TRANSFER,
    "asset_recovery": Competence.ASSET_RECOVERY,
    "cybercrime": Competence.CYBERCRIME_24_7,
}


# Created by migration directory 0002_authority_search_index; `Authority.search_text` is set by the services.
AUTHORITY_TEXT = TextIndex(table="directory_authority", column="search_text", name="directory_authority_search")


# The generation of the directory's records (comity.core.generations), bumped by every write (apps.py).
GENERATION = "directory"


def confirmation_window() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "DIRECTORY_CONFIRMATION_DAYS", 182))


def _current_contacts() -> Prefetch:
    return Prefetch(
        "contacts",
        queryset=Contact.objects.filter(end_date__isnull=True).select_related("seat").order_by("seat__position", "pk"),
        to_attr="current_contacts",
    )


def authority_list(
    *,
    user,
    country: str = "",
    region: str = "",
    network: str = "",
    competence: str = "",
    language: str = "",
    always_available: bool | None = None,
    q: str = "",
) -> QuerySet[Authority]:
    """Authorities the user may see, filtered; `q` is one substring of a name, or of a country's name in any UI
    language, case and accents ignored (`fold`).

    Only the filters that join a to-many table (network, competence, reachable around the clock) can repeat an
    authority, so only they add DISTINCT: over every selected column, it would otherwise sort the whole list.
    """
    qs = permissions.authorities_visible_to(user).select_related("country")
    repeats_rows = bool(network or competence or always_available)
    if country:
        qs = qs.filter(country__iso2=country.upper())
    if region:
        qs = qs.filter(
            Q(country__region_m49=region)
            | Q(country__subregion_m49=region)
            | Q(country__intermediate_region_m49=region)
        )
    if network:
        qs = qs.filter(country__network_memberships__network__slug=network)
    if competence:
        qs = qs.filter(competences__code=competence)
    if language:
        qs = (
            qs.filter(languages_accepted__contains=language)
            if _json_contains_supported()
            else qs.filter(languages_accepted__icontains=f'"{language}"')
        )
    if always_available is not None:
        if always_available:
            qs = qs.filter(
                Q(always_available=True) | Q(contacts__always_available=True, contacts__end_date__isnull=True)
            )
        else:
            qs = qs.filter(always_available=False)
    if q:
        needle = fold(q.strip())
        # A country matches by any of its names in the UI languages (UN and CLDR names, folded like the search).
        countries = Country.objects.filter(iso2__in=country_names.codes_matching(q)).values("pk")
        qs = qs.filter(AUTHORITY_TEXT.contains([needle]) | in_subquery("country", countries))
    if repeats_rows:
        qs = qs.distinct()
    return qs.prefetch_related("competences", "office_hours", "closures", _current_contacts()).order_by(
        "country__name_en", "official_name", "pk"
    )


def _json_contains_supported() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def contact_list(
    *, user, authority: int | None = None, country: str = "", always_available: bool | None = None, current: bool = True
):
    """Contacts of the authorities the user may see, with what the serializer needs in one query."""
    qs = permissions.contacts_visible_to(user).select_related("authority", "authority__country", "seat")
    qs = qs.filter(end_date__isnull=current)
    if authority is not None:
        qs = qs.filter(authority_id=authority)
    if country:
        qs = qs.filter(authority__country__iso2=country)
    if always_available is not None:
        qs = qs.filter(always_available=always_available)
    return qs.order_by(
        "authority__country__name_en",
        "authority__official_name",
        "authority_id",
        "seat__position",
        "seat_id",
        "-start_date",
        "pk",
    )


def authority_get_for(*, user, pk) -> Authority:
    qs = (
        permissions.authorities_visible_to(user)
        .select_related("country", "confirmed_by")
        .prefetch_related(
            "competences",
            "office_hours",
            "closures",
            Prefetch(
                "contacts",
                queryset=Contact.objects.select_related("seat", "user").order_by(
                    "seat__position", "seat_id", "-start_date"
                ),
                to_attr="all_contacts",
            ),
        )
    )
    return get_visible_or_404(qs, pk=pk)


def contact_get_for(*, user, pk) -> Contact:
    return get_visible_or_404(
        permissions.contacts_visible_to(user).select_related("authority", "authority__country", "seat"), pk=pk
    )


def authority_availability(
    authority: Authority, at: dt.datetime | None = None, language: str | None = None
) -> Availability:
    from django.utils import translation

    return availability(schedule_for(authority), at or timezone.now(), language or translation.get_language())


def contact_availability(contact: Contact, at: dt.datetime | None = None) -> Availability:
    """A contact follows the authority's schedule in their own zone, unless they are 24/7."""
    from dataclasses import replace

    schedule = schedule_for(contact.authority)
    if contact.timezone:
        schedule = replace(schedule, timezone=contact.timezone)
    if contact.always_available:
        schedule = replace(schedule, always=True)
    from django.utils import translation

    return availability(schedule, at or timezone.now(), translation.get_language())


def versions_for(*, record_type: str, record_id: int) -> QuerySet[RecordVersion]:
    return RecordVersion.objects.filter(record_type=record_type, record_id=record_id).select_related("actor")


def freshness(last_confirmed_at: dt.datetime, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    age = now - last_confirmed_at
    window = confirmation_window()
    return {"days": age.days, "due": age > window, "overdue_days": max(0, (age - window).days)}


# --- the finder -------------------------------------------------------------------------------------------


@dataclass
class FinderResult:
    requesting: Country
    requested: Country
    cooperation_type: str
    urgent: bool
    shared_networks: list[Network]
    requesting_languages: set[str]
    authorities: list[dict] = field(default_factory=list)
    # True when the requested state has no authority for the type and `authorities` are its central authorities
    # for mutual legal assistance instead (they take or forward what has no other channel).
    fallback: bool = False
    # When no authority at all is recorded: the networks of the requested state, so the search never ends empty.
    requested_networks: list[Network] = field(default_factory=list)


def official_languages(country: Country) -> set[str]:
    """Official languages of a country from CLDR territory data (ISO 639-1 where one exists)."""
    from babel.core import get_global

    info = get_global("territory_languages").get(country.iso2, {})
    return {
        code.split("_")[0]
        for code, data in info.items()
        if data.get("official_status") in ("official", "de_facto_official") and len(code.split("_")[0]) == 2
    }


def finder(
    *,
    user,
    requesting: Country,
    requested: Country,
    cooperation_type: str,
    urgent: bool = False,
    at: dt.datetime | None = None,
) -> FinderResult:
    competence = COOPERATION_TYPES[cooperation_type]
    at = at or timezone.now()
    shared = list(
        Network.objects.filter(memberships__country=requesting)
        .filter(memberships__country=requested)
        .distinct()
        .order_by("name")
    )
    result = FinderResult(requesting, requested, cooperation_type, urgent, shared, official_languages(requesting))
    authorities = list(authority_list(user=user, country=requested.iso2, competence=competence))
    if not authorities and competence != Competence.MLA_CENTRAL:
        authorities = list(authority_list(user=user, country=requested.iso2, competence=Competence.MLA_CENTRAL))
        if authorities:
            result.fallback = True
            competence = Competence.MLA_CENTRAL
    if not authorities:
        result.requested_networks = list(Network.objects.filter(memberships__country=requested).order_by("name"))
    for authority in authorities:
        designation = next((c for c in authority.competences.all() if c.code == competence), None)
        status = authority_availability(authority, at)
        contacts = list(authority.current_contacts)  # type: ignore[attr-defined]  # prefetched by authority_list
        always_contacts = [c for c in contacts if c.always_available]
        result.authorities.append(
            {
                "authority": authority,
                "designation": designation,
                "availability": status,
                "common_languages": sorted(set(authority.languages_accepted) & result.requesting_languages),
                "untoc_basis": authority.untoc_extradition_basis
                if cooperation_type == "extradition"
                else authority.untoc_mla_basis,
                "always_available": authority.always_available or bool(always_contacts),
                "contacts": contacts,
            }
        )
    if urgent:
        result.authorities.sort(key=lambda row: (not row["always_available"], not row["availability"].is_open))
    return result
