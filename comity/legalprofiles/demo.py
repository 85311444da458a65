"""Demo legal profiles and measure fiches for the countries of the demo directory.

Everything here is invented to show how the pages work: every row is flagged `is_demo=True` (the pages say "demo
content") and `verified=False`, no law is named, and the texts say they are demo text. Only the legal tradition is
filled in from general knowledge, and it too is left unverified. Seeding writes with bulk inserts and one
"imported" version per record (no audit event per row: the orchestrator writes one `demo.seeded` event).

Idempotent: a country that already has a profile keeps it, and a fiche that exists is left alone.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from comity.directory.demo import AUTHORITIES, refuse_in_production
from comity.directory.models import Authority, AuthorityCompetence
from comity.legalprofiles import services
from comity.legalprofiles.choices import CooperationType, Measure
from comity.legalprofiles.models import CooperationRules, CountryProfile, MeasureFiche, ProfileVersion
from comity.reference.models import Country

TRADITIONS = {
    "BR": "civil_law",
    "ID": "mixed",
    "FR": "civil_law",
    "JP": "civil_law",
    "US": "common_law",
    "DE": "civil_law",
    "CN": "civil_law",
    "MX": "civil_law",
    "KE": "common_law",
    "GB": "common_law",
    "ZA": "mixed",
    "SA": "islamic_law",
    "RU": "civil_law",
}
DEMO_SOURCE = "Demo data (invented)"

# The demo's availability per measure: a spread of answers so that the pages and the compare view show each one.
_AVAILABILITY = ("available", "available", "partly", "unknown", "available", "not_available", "partly", "unknown")

DEMO_CONTENTS = [
    "Name of the requesting authority and of the authority conducting the investigation (demo)",
    "Summary of the facts and their legal qualification (demo)",
    "Description of the measure requested and the link with the investigation (demo)",
    "Text of the offence provisions (demo)",
    "Time limit within which execution is desired, with the reasons (demo)",
]


def demo_countries() -> list[str]:
    """The countries of the demo directory, in the order they first appear there."""
    codes: list[str] = []
    for spec in AUTHORITIES:
        if spec["country"] not in codes:
            codes.append(spec["country"])
    return codes


def _rules(profile: CountryProfile, coop_type: str) -> CooperationRules:
    return CooperationRules(
        profile=profile,
        coop_type=coop_type,
        treatyless_basis="unknown",
        treatyless_notes="Demo text: whether cooperation is possible without a treaty is not recorded.",
        dual_criminality="unknown",
        evidentiary_standard="Demo text: the evidentiary standard is not recorded.",
        channels=["direct", "electronic"] if coop_type == CooperationType.MLA else ["diplomatic"],
        urgent_procedure="Demo text: send urgent requests in advance by e-mail, then the formal request.",
        typical_time="Demo: not recorded",
        practical_tips="Demo text: contact the central authority before sending a complex request.",
    )


def legalprofiles_demo_seed(*, now: dt.datetime | None = None) -> dict:
    """Create the demo profiles (with rules for mutual legal assistance and extradition) and one fiche per measure
    for every demo country that exists in the reference data. Returns what it created and which countries it
    skipped because they are missing."""
    refuse_in_production()
    now = now or timezone.now()
    wanted = demo_countries()
    countries = {country.iso2: country for country in Country.objects.filter(iso2__in=wanted)}
    missing = sorted(set(wanted) - set(countries))
    have_profile = set(CountryProfile.objects.filter(country__iso2__in=wanted).values_list("country__iso2", flat=True))
    have_fiche = set(MeasureFiche.objects.filter(country__iso2__in=wanted).values_list("country__iso2", "measure"))
    mla_authority = _mla_authorities(list(countries.values()))
    today = now.date()
    with transaction.atomic():
        profiles = []
        for index, code in enumerate(code for code in wanted if code in countries and code not in have_profile):
            confirmed = now - dt.timedelta(days=400 if index % 7 == 3 else 20 + index)
            profiles.append(
                CountryProfile(
                    country=countries[code],
                    legal_tradition=TRADITIONS.get(code, ""),
                    summary=(
                        "Demo text: a short description of how the country cooperates in criminal matters would "
                        "appear here. Nothing on this page has been checked."
                    ),
                    laws=[],
                    source=DEMO_SOURCE,
                    verified=False,
                    is_demo=True,
                    text_language="en",
                    effective_from=today,
                    last_confirmed_at=confirmed,
                    updated_at=confirmed,
                )
            )
        profiles = CountryProfile.objects.bulk_create(profiles)
        rules = [_rules(profile, coop) for profile in profiles for coop in (CooperationType.MLA, "extradition")]
        CooperationRules.objects.bulk_create(rules)
        fiches = []
        for c_index, code in enumerate(wanted):
            if code not in countries:
                continue
            for m_index, measure in enumerate(Measure.values):
                if (code, measure) in have_fiche:
                    continue
                confirmed = now - dt.timedelta(days=380 if (c_index + m_index) % 17 == 5 else 10 + m_index)
                fiches.append(
                    MeasureFiche(
                        country=countries[code],
                        measure=measure,
                        availability=_AVAILABILITY[(c_index + m_index) % len(_AVAILABILITY)],
                        legal_conditions="Demo text: the legal conditions of this measure are not recorded.",
                        competent_authority=mla_authority.get(code),
                        contents=list(DEMO_CONTENTS),
                        time_limits="Demo text: no time limit is recorded.",
                        remarks="Demo content: invented to show how a fiche looks.",
                        source=DEMO_SOURCE,
                        verified=False,
                        is_demo=True,
                        text_language="en",
                        effective_from=today,
                        last_confirmed_at=confirmed,
                        updated_at=confirmed,
                    )
                )
        fiches = MeasureFiche.objects.bulk_create(fiches)
        versions = []
        for profile in CountryProfile.objects.filter(pk__in=[p.pk for p in profiles]).select_related("country"):
            profile.search_text = services.profile_search_text(profile)
            profile.save(update_fields=["search_text"])
            versions.append(_version("profile", profile, services.profile_snapshot(profile), ""))
        rows = list(MeasureFiche.objects.filter(pk__in=[f.pk for f in fiches]).select_related("country"))
        for fiche in rows:
            fiche.search_text = services.fiche_search_text(fiche)
            versions.append(_version("fiche", fiche, services.fiche_snapshot(fiche), fiche.measure))
        MeasureFiche.objects.bulk_update(rows, ["search_text"], batch_size=500)
        ProfileVersion.objects.bulk_create(versions)
    return {
        "profiles_created": len(profiles),
        "fiches_created": len(fiches),
        "countries": len(countries),
        "countries_missing": missing,
    }


def _version(kind: str, record, snapshot: dict, key: str) -> ProfileVersion:
    return ProfileVersion(
        kind=kind,
        country=record.country,
        key=key,
        record_id=record.pk,
        action="imported",
        actor=None,
        effective_from=record.effective_from,
        snapshot=snapshot,
        changes={},
    )


def _mla_authorities(countries: list[Country]) -> dict[str, Authority]:
    """Each country's first active central authority for mutual legal assistance in the directory (one query)."""
    rows = (
        AuthorityCompetence.objects.filter(
            code="mla_central", authority__country__in=countries, authority__is_active=True
        )
        .select_related("authority", "authority__country")
        .order_by("authority__official_name", "authority_id")
    )
    out: dict[str, Authority] = {}
    for row in rows:
        out.setdefault(row.authority.country.iso2, row.authority)
    return out
