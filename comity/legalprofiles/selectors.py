"""Reads of the legal profiles: a country's profile with its rules and fiches, the compare view, freshness,
the federated search's hits and the treaty finder's fallback text.

Profiles and fiches are public: every read here works for anonymous visitors. Each read runs a fixed number of
queries whatever the number of countries, fiches or authorities.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comity.core.search import TextIndex
from comity.core.search.hits import SearchHit, score
from comity.directory import permissions as directory_permissions
from comity.directory.models import Authority, AuthorityCompetence, Competence
from comity.legalprofiles import permissions
from comity.legalprofiles.choices import CooperationType, Measure
from comity.legalprofiles.models import (
    CooperationRules,
    CountryProfile,
    MeasureFiche,
    ProfileVersion,
    TreatylessBasis,
)
from comity.reference.models import Country

# Created by migration legalprofiles 0001; the services set `search_text` on every write.
PROFILE_TEXT = TextIndex(
    table="legalprofiles_countryprofile", column="search_text", name="legalprofiles_profile_search"
)
FICHE_TEXT = TextIndex(table="legalprofiles_measurefiche", column="search_text", name="legalprofiles_fiche_search")

# The directory competence that makes an authority competent for each type of cooperation.
COMPETENCE_FOR_TYPE: dict[str, str] = {
    CooperationType.MLA: Competence.MLA_CENTRAL,
    CooperationType.EXTRADITION: Competence.EXTRADITION,
    CooperationType.SENTENCED_TRANSFER: Competence.SENTENCED_TRANSFER,
    CooperationType.PROCEEDINGS_TRANSFER: Competence.PROCEEDINGS_TRANSFER,
    CooperationType.ASSET_RECOVERY: Competence.ASSET_RECOVERY,
    CooperationType.CYBERCRIME: Competence.CYBERCRIME_24_7,
}

# The types of cooperation under which a measure is requested (for the search's `coop_type` filter).
MEASURE_TYPES: dict[str, tuple[str, ...]] = {
    Measure.FREEZING: ("mla", "asset_recovery"),
    Measure.CONFISCATION: ("mla", "asset_recovery"),
    Measure.ASSET_TRACING: ("mla", "asset_recovery"),
    Measure.DATA_PRESERVATION: ("mla", "cybercrime"),
    Measure.SUBSCRIBER_DATA: ("mla", "cybercrime"),
    Measure.TRAFFIC_DATA: ("mla", "cybercrime"),
    Measure.CONTENT_DATA: ("mla", "cybercrime"),
    Measure.INTERCEPTION: ("mla", "cybercrime"),
}


def measure_types(code: str) -> tuple[str, ...]:
    return MEASURE_TYPES.get(code, ("mla",))


def confirmation_days() -> int:
    return int(getattr(settings, "LEGALPROFILES_CONFIRMATION_DAYS", 365))


def freshness(last_confirmed_at: dt.datetime, now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    age = now - last_confirmed_at
    window = dt.timedelta(days=confirmation_days())
    return {
        "days": age.days,
        "due": age > window,
        "overdue_days": max(0, (age - window).days),
        "due_on": (last_confirmed_at + window).date(),
    }


# --- the contract with treaties ----------------------------------------------------------------------------------


def localized_treatyless_notes(rules: CooperationRules, language: str | None = None) -> str:
    code = language or translation.get_language() or "en"
    translated = rules.treatyless_notes_i18n.get(code) if isinstance(rules.treatyless_notes_i18n, dict) else None
    return (translated or rules.treatyless_notes or "").strip()


def laws_for_type(profile: CountryProfile, coop_type: str) -> list[dict]:
    """The profile's national laws that apply to `coop_type` (a law with no types applies to every type)."""
    return [law for law in profile.laws if not law.get("types") or coop_type in law.get("types", [])]


def domestic_basis_text(*, country_iso2: str, coop_type: str) -> str | None:
    """What the country's legal profile says about cooperating on `coop_type` without a treaty (reciprocity,
    domestic law with its title), in the active language where a translation exists; None when it says nothing.

    One query. An unknown country or type, a missing profile or rules, or a basis recorded as "not known" with no
    details, all say nothing."""
    if coop_type not in CooperationType.values or not country_iso2:
        return None
    rules = (
        CooperationRules.objects.select_related("profile")
        .filter(profile__country__iso2=country_iso2.upper(), coop_type=coop_type)
        .first()
    )
    if rules is None:
        return None
    notes = localized_treatyless_notes(rules)
    basis = rules.treatyless_basis
    if basis == TreatylessBasis.UNKNOWN and not notes:
        return None
    parts: list[str] = []
    if basis != TreatylessBasis.UNKNOWN:
        parts.append(str(TreatylessBasis(basis).label) + ".")
    if basis in (TreatylessBasis.DOMESTIC_LAW, TreatylessBasis.BOTH):
        titles = [law["title"] for law in laws_for_type(rules.profile, coop_type) if law.get("title")]
        if titles:
            parts.append(_("Domestic law: %(titles)s.") % {"titles": "; ".join(titles)})
    if notes:
        parts.append(notes)
    return " ".join(parts)


# --- countries and profiles --------------------------------------------------------------------------------------


def country_get(*, iso2: str) -> Country:
    """A country by ISO alpha-2 code in any case; 404 when there is none (profiles of every country are public)."""
    if not (isinstance(iso2, str) and len(iso2) == 2 and iso2.isascii() and iso2.isalpha()):
        raise Http404
    country = Country.objects.filter(iso2=iso2.upper()).first()
    if country is None:
        raise Http404
    return country


def country_rows() -> list[dict]:
    """Every country with whether it has a profile and how many fiches it has: one query."""
    fiches = MeasureFiche.objects.filter(country=OuterRef("pk")).order_by().values("country")
    countries = (
        Country.objects.annotate(
            has_profile=Exists(CountryProfile.objects.filter(country=OuterRef("pk"))),
            is_demo=Exists(CountryProfile.objects.filter(country=OuterRef("pk"), is_demo=True)),
            fiche_count=Subquery(fiches.annotate(n=Count("pk")).values("n")[:1]),
        )
        .prefetch_related(None)
        .order_by("iso2")
    )
    return [
        {"country": c, "has_profile": c.has_profile, "is_demo": c.is_demo, "fiches": c.fiche_count or 0}
        for c in countries
    ]


def profile_for(country: Country) -> CountryProfile | None:
    """The profile with its rules and the user who last confirmed it (two queries), or None."""
    return (
        CountryProfile.objects.filter(country=country)
        .select_related("confirmed_by", "updated_by")
        .prefetch_related(Prefetch("rules", queryset=CooperationRules.objects.order_by("coop_type")))
        .first()
    )


def fiches_for(country: Country) -> dict[str, MeasureFiche]:
    """The country's fiches by measure code, with their competent authority (one query)."""
    rows = (
        MeasureFiche.objects.filter(country=country)
        .select_related("competent_authority", "confirmed_by", "updated_by")
        .order_by("measure")
    )
    return {fiche.measure: fiche for fiche in rows}


def fiche_for(country: Country, measure: str) -> MeasureFiche | None:
    return (
        MeasureFiche.objects.filter(country=country, measure=measure)
        .select_related("competent_authority", "confirmed_by", "updated_by")
        .first()
    )


def authorities_by_type(*, user, country: Country) -> dict[str, list[dict]]:
    """For each type of cooperation, the country's authorities competent for it that the user may see, with the
    languages each accepts (from the directory; one query)."""
    by_competence = {code: coop for coop, code in COMPETENCE_FOR_TYPE.items()}
    visible = directory_permissions.authorities_visible_to(user).filter(country=country).values("pk")
    rows = (
        AuthorityCompetence.objects.filter(authority__in=visible, code__in=list(by_competence))
        .values_list(
            "code", "authority_id", "authority__official_name", "authority__names", "authority__languages_accepted"
        )
        .order_by("authority__official_name", "authority_id")
    )
    language = translation.get_language() or "en"
    out: dict[str, list[dict]] = {coop: [] for coop in CooperationType.values}
    for code, pk, name, names, languages in rows:
        out[by_competence[code]].append(
            {"pk": pk, "name": (names or {}).get(language) or name, "languages": list(languages or [])}
        )
    return out


def languages_for_type(authorities: list[dict]) -> list[str]:
    """The languages accepted by any of these authorities, in first-seen order."""
    out: list[str] = []
    for authority in authorities:
        for code in authority["languages"]:
            if code not in out:
                out.append(code)
    return out


def authorities_for_fiche(*, user, country: Country) -> QuerySet[Authority]:
    """The authorities a fiche of this country may name as competent: its active ones the user may see."""
    return (
        directory_permissions.authorities_visible_to(user)
        .filter(country=country, is_active=True)
        .order_by("official_name", "pk")
    )


def last_modified(*, iso2: str) -> dt.datetime | None:
    """When anything a country's legal pages show last changed: its profile, rules, fiches, or the directory's
    authorities of the country (languages accepted, names). One query."""
    code = (iso2 or "").upper()

    def latest(queryset, column):
        return Subquery(queryset.order_by().values("country_id").annotate(m=Max(column)).values("m")[:1])

    row = (
        Country.objects.filter(iso2=code)
        .annotate(
            p1=latest(CountryProfile.objects.filter(country=OuterRef("pk")), "updated_at"),
            p2=latest(CountryProfile.objects.filter(country=OuterRef("pk")), "last_confirmed_at"),
            f1=latest(MeasureFiche.objects.filter(country=OuterRef("pk")), "updated_at"),
            f2=latest(MeasureFiche.objects.filter(country=OuterRef("pk")), "last_confirmed_at"),
            a1=latest(Authority.objects.filter(country=OuterRef("pk")), "updated_at"),
        )
        .values_list("p1", "p2", "f1", "f2", "a1")
        .first()
    )
    if row is None:
        return None
    stamps = [value for value in row if value is not None]
    return max(stamps) if stamps else None


def last_modified_all() -> dt.datetime | None:
    """When any profile or fiche last changed (the country list). One query."""
    row = CountryProfile.objects.aggregate(a=Max("updated_at"), b=Max("last_confirmed_at"))
    fiches = MeasureFiche.objects.aggregate(a=Max("updated_at"), b=Max("last_confirmed_at"))
    stamps = [value for value in (*row.values(), *fiches.values()) if value is not None]
    return max(stamps) if stamps else None


def versions_for(*, kind: str, record_id: int, limit: int = 50) -> list[ProfileVersion]:
    return list(ProfileVersion.objects.filter(kind=kind, record_id=record_id).select_related("actor")[:limit])


# --- compare -----------------------------------------------------------------------------------------------------


@dataclass
class CompareSide:
    country: Country
    profile: CountryProfile | None
    rules: CooperationRules | None = None
    fiche: MeasureFiche | None = None
    authorities: list[dict] = field(default_factory=list)


def compare(*, user, a: Country, b: Country, measure: str = "", coop_type: str = "") -> list[CompareSide]:
    """Two countries side by side, on one measure or one type of cooperation. A fixed number of queries."""
    sides = []
    for country in (a, b):
        profile = profile_for(country) if coop_type else None
        side = CompareSide(country=country, profile=profile)
        if coop_type and profile is not None:
            side.rules = next((r for r in profile.rules.all() if r.coop_type == coop_type), None)
        if coop_type:
            side.authorities = authorities_by_type(user=user, country=country)[coop_type]
        if measure:
            side.fiche = fiche_for(country, measure)
        sides.append(side)
    return sides


# --- overdue -----------------------------------------------------------------------------------------------------


def overdue_for(*, user, now: dt.datetime | None = None, limit: int = 200) -> dict[str, list]:
    """Profiles and fiches past their confirmation window in the countries the user edits (all for the
    secretariat), oldest first. Two queries."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=confirmation_days())
    profiles = CountryProfile.objects.filter(last_confirmed_at__lt=cutoff).select_related("country", "confirmed_by")
    fiches = MeasureFiche.objects.filter(last_confirmed_at__lt=cutoff).select_related("country", "confirmed_by")
    if not permissions.is_member(user) or not (user.is_secretariat or user.is_coordinator):
        return {"profiles": [], "fiches": []}
    if not user.is_secretariat:
        codes = sorted(user.coordinated_country_codes())
        profiles = profiles.filter(country__iso2__in=codes)
        fiches = fiches.filter(country__iso2__in=codes)
    return {
        "profiles": list(profiles.order_by("last_confirmed_at", "pk")[:limit]),
        "fiches": list(fiches.order_by("last_confirmed_at", "pk")[:limit]),
    }


# --- the federated search ----------------------------------------------------------------------------------------


def profile_plain_text(profile: CountryProfile) -> str:
    """The readable text of a profile and its rules, for snippets (uses the prefetched rules)."""
    parts = [profile.summary]
    parts += [" ".join(filter(None, [law.get("title", ""), law.get("text", "")])) for law in profile.laws]
    for rules in profile.rules.all():
        parts += [
            rules.treatyless_notes,
            rules.dual_criminality_notes,
            rules.evidentiary_standard,
            rules.formalities_notes,
            rules.urgent_procedure,
            rules.typical_time,
            rules.practical_tips,
        ]
    return " ".join(part.strip() for part in parts if part and part.strip())


def fiche_plain_text(fiche: MeasureFiche) -> str:
    parts = [fiche.legal_conditions, *fiche.contents, fiche.time_limits, fiche.remarks]
    return " ".join(part.strip() for part in parts if isinstance(part, str) and part.strip())


def _date_range(qs, date_from: dt.date | None, date_to: dt.date | None):
    if date_from is not None:
        qs = qs.filter(updated_at__date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(updated_at__date__lte=date_to)
    return qs


def search_hits(
    *,
    terms: list[str],
    user,
    country: str | None = None,
    coop_type: str | None = None,
    instrument: str | None = None,
    language: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = 50,
) -> list[SearchHit]:
    """Profiles (kind "profile") and measure fiches (kind "measure") whose text holds every term, best first.

    Profiles and fiches are public, so `user` restricts nothing. Profiles and fiches carry no instrument tag: a
    search filtered by `instrument` finds none of them. `coop_type` keeps the profiles with rules for that type and
    the fiches of measures requested under it; `language` the rows whose text is in that language; the dates
    bound the day of the last change. Two queries (plus one for the prefetched rules)."""
    if not terms or instrument or limit <= 0:
        return []
    if coop_type and coop_type not in CooperationType.values:
        return []
    profiles = CountryProfile.objects.filter(PROFILE_TEXT.contains(terms)).select_related("country")
    fiches = MeasureFiche.objects.filter(FICHE_TEXT.contains(terms)).select_related("country")
    if country:
        profiles = profiles.filter(country__iso2=country.upper())
        fiches = fiches.filter(country__iso2=country.upper())
    if language:
        profiles = profiles.filter(text_language=language)
        fiches = fiches.filter(text_language=language)
    if coop_type:
        profiles = profiles.filter(rules__coop_type=coop_type)
        fiches = fiches.filter(measure__in=[code for code in Measure.values if coop_type in measure_types(code)])
    profiles = _date_range(profiles, date_from, date_to).prefetch_related("rules").order_by("-updated_at", "pk")
    fiches = _date_range(fiches, date_from, date_to).order_by("-updated_at", "pk")
    hits: list[SearchHit] = []
    for profile in profiles[:limit]:
        title = _("Legal profile: %(country)s") % {"country": profile.country.name}
        text = profile_plain_text(profile)
        hits.append(
            SearchHit(
                kind="profile",
                key=profile.country.iso2,
                title=title,
                url=reverse("legalprofiles:country_detail", kwargs={"iso2": profile.country.iso2}),
                text=text,
                language=profile.text_language,
                country=profile.country.iso2,
                updated_at=profile.updated_at,
                score=score(terms=terms, title=title, text=text),
                extra={"is_demo": profile.is_demo, "verified": profile.verified},
            )
        )
    for fiche in fiches[:limit]:
        title = _("%(measure)s in %(country)s") % {
            "measure": Measure(fiche.measure).label,
            "country": fiche.country.name,
        }
        text = fiche_plain_text(fiche)
        hits.append(
            SearchHit(
                kind="measure",
                key=f"{fiche.country.iso2}/{fiche.measure}",
                title=title,
                url=reverse("legalprofiles:measure_detail", kwargs={"iso2": fiche.country.iso2, "code": fiche.measure}),
                text=text,
                language=fiche.text_language,
                country=fiche.country.iso2,
                updated_at=fiche.updated_at,
                score=score(terms=terms, title=title, text=text),
                extra={"is_demo": fiche.is_demo, "verified": fiche.verified, "measure": fiche.measure},
            )
        )
    hits.sort(key=lambda hit: (-hit.score, hit.kind, hit.key))
    return hits[:limit]
