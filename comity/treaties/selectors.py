"""Reads of instruments and parties, the legal-basis finder, the status table and the search contract.

Instruments and their parties are public law: everyone reads them, signed in or not.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from comity.core.search import TextIndex
from comity.core.search.hits import SearchHit, score
from comity.legalprofiles import selectors as profile_selectors
from comity.legalprofiles.choices import CooperationType
from comity.reference.models import Country
from comity.treaties.models import KIND_ORDER, Coverage, Declaration, Instrument, Kind, Party

# Created by migration treaties 0002_instrument_search_index; `Instrument.search_text` is set by the services.
INSTRUMENT_TEXT = TextIndex(table="treaties_instrument", column="search_text", name="treaties_instrument_search")


# --- instruments and parties -------------------------------------------------------------------------------------


def instrument_list(*, kind: str | None = None, coop_type: str | None = None) -> QuerySet[Instrument]:
    qs = Instrument.objects.prefetch_related("coverages", "states")
    if kind:
        qs = qs.filter(kind=kind)
    if coop_type:
        qs = qs.filter(coverages__coop_type=coop_type)
    return qs.order_by("kind", "title")


def instrument_get(*, slug: str) -> Instrument:
    instrument = (
        Instrument.objects.prefetch_related("coverages", "states").filter(slug=slug).first()
        if isinstance(slug, str)
        else None
    )
    if instrument is None:
        raise Http404
    return instrument


def party_list(*, instrument: Instrument) -> list[Party]:
    """The instrument's parties with their countries and declarations, ordered by the country's name."""
    parties = (
        Party.objects.filter(instrument=instrument)
        .select_related("country", "instrument", "verified_by")
        .prefetch_related(Prefetch("declarations", queryset=Declaration.objects.order_by("pk")))
    )
    return sorted(parties, key=lambda p: (p.country.name, p.country.iso2))


def party_get(*, instrument: Instrument, iso2: str) -> Party:
    party = (
        Party.objects.select_related("country", "instrument")
        .prefetch_related("declarations")
        .filter(instrument=instrument, country__iso2=str(iso2).upper())
        .first()
    )
    if party is None:
        raise Http404
    return party


def party_exists(*, instrument: Instrument, country: Country) -> bool:
    return Party.objects.filter(instrument=instrument, country=country).exists()


def last_modified() -> dt.datetime | None:
    """When instruments or parties last changed (a party change also touches its instrument)."""
    return Instrument.objects.aggregate(latest=Max("updated_at"))["latest"]


def instrument_choices() -> list[tuple[str, str]]:
    """(slug, title in the active language) of every instrument, ordered by that title."""
    rows = [(i.slug, i.localized_title()) for i in Instrument.objects.only("slug", "title", "titles")]
    return sorted(rows, key=lambda row: (row[1].casefold(), row[0]))


def country_by_code() -> dict[str, Country]:
    return {c.iso2: c for c in Country.objects.only("pk", "iso2", "name_en", "region_m49", "subregion_m49")}


# --- the legal-basis finder --------------------------------------------------------------------------------------


@dataclass
class Basis:
    instrument: Instrument
    articles: str
    since: dt.date | None
    declarations: list[dict]
    verified: bool


@dataclass
class Excluded:
    instrument: Instrument
    reason: str


@dataclass
class LegalBasis:
    requesting: Country
    requested: Country
    coop_type: str
    on: dt.date
    bases: list[Basis] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    fallback: str | None = None

    def as_api(self) -> dict:
        return {
            "from": self.requesting.iso2,
            "to": self.requested.iso2,
            "type": self.coop_type,
            "on": self.on.isoformat(),
            "bases": [
                {
                    "instrument": b.instrument.slug,
                    "kind": b.instrument.kind,
                    "title": b.instrument.localized_title(),
                    "articles": b.articles,
                    "in_force_for_both_since": b.since.isoformat() if b.since else None,
                    "declarations": b.declarations,
                    "verified": b.verified,
                }
                for b in self.bases
            ],
            "excluded": [{"instrument": e.instrument.slug, "reason": e.reason} for e in self.excluded],
            "fallback": self.fallback,
        }

    def grouped(self) -> list[tuple[str, list[Basis]]]:
        groups = [(kind, [b for b in self.bases if b.instrument.kind == kind]) for kind in KIND_ORDER]
        return [(kind, rows) for kind, rows in groups if rows]


def _instrument_in_force(instrument: Instrument, parties: Iterable[Party], on: dt.date) -> bool:
    """A scheme applies among its members from its adoption. A treaty is in force from its own date; when that date
    is not recorded, a party's recorded date of entry into force shows that it is in force for that party."""
    if instrument.kind == Kind.SCHEME:
        return instrument.adopted_on is None or instrument.adopted_on <= on
    if instrument.in_force_on:
        return instrument.in_force_on <= on
    return all(p.in_force_on is not None for p in parties)


def _declaration_row(party: Party, declaration: Declaration) -> dict:
    return {
        "state": party.country.iso2,
        "text": declaration.text,
        "types": list(declaration.types),
        "excludes": declaration.excludes,
        "articles": declaration.articles,
    }


def legal_basis(*, requesting: Country, requested: Country, coop_type: str, on: dt.date) -> LegalBasis:
    """Every instrument in force for both states on `on` that covers `coop_type`, most specific kind first.

    Three queries whatever the number of instruments: the two states' party rows (with the instrument), their
    declarations and the coverage of the type. A declaration of either state that bears on the type and excludes
    it moves the instrument to `excluded`.
    """
    result = LegalBasis(requesting=requesting, requested=requested, coop_type=coop_type, on=on)
    coverages = {
        c.instrument_id: c.articles
        for c in Coverage.objects.filter(coop_type=coop_type, instrument__parties__country=requesting).filter(
            instrument__parties__country=requested
        )
    }
    parties = (
        Party.objects.filter(instrument_id__in=list(coverages), country__in=[requesting, requested])
        .select_related("instrument", "country")
        .prefetch_related(Prefetch("declarations", queryset=Declaration.objects.order_by("pk")))
        if coverages
        else []
    )
    by_instrument: dict[int, dict[int, Party]] = defaultdict(dict)
    for party in parties:
        by_instrument[party.instrument_id][party.country_id] = party
    for instrument_id, pair in by_instrument.items():
        if len(pair) != 2:
            continue
        both = [pair[requesting.pk], pair[requested.pk]]
        instrument = both[0].instrument
        if not _instrument_in_force(instrument, both, on) or not all(p.in_force_at(on) for p in both):
            continue
        dates = [p.in_force_on for p in both]
        if instrument.kind != Kind.SCHEME:
            dates.append(instrument.in_force_on or max((d for d in dates if d), default=None))
        since = None if any(d is None for d in dates) else max(d for d in dates if d)
        declarations = [
            _declaration_row(p, d) for p in both for d in p.declarations.all() if coop_type in (d.types or [])
        ]
        excluding = [d for d in declarations if d["excludes"]]
        if excluding:
            first = excluding[0]
            reason = _("Declaration or reservation of %(state)s%(articles)s: %(text)s") % {
                "state": first["state"],
                "articles": " (" + first["articles"] + ")" if first["articles"] else "",
                "text": first["text"],
            }
            result.excluded.append(Excluded(instrument=instrument, reason=reason))
            continue
        result.bases.append(
            Basis(
                instrument=instrument,
                articles=coverages[instrument_id],
                since=since,
                declarations=declarations,
                verified=all(p.verified for p in both),
            )
        )
    rank: dict[str, int] = {str(kind): index for index, kind in enumerate(KIND_ORDER)}
    result.bases.sort(key=lambda b: (rank[b.instrument.kind], b.instrument.localized_title().casefold()))
    result.excluded.sort(key=lambda e: (rank[e.instrument.kind], e.instrument.localized_title().casefold()))
    if not result.bases:
        result.fallback = fallback_text(requesting=requesting, requested=requested, coop_type=coop_type)
    return result


def fallback_text(*, requesting: Country, requested: Country, coop_type: str) -> str:
    intro = _(
        "No instrument recorded in Comity binds %(requesting)s and %(requested)s for this on that date. "
        "%(requested)s may still cooperate on the basis of reciprocity (an assurance that %(requesting)s would "
        "do the same in a similar case) or of its domestic law."
    ) % {"requesting": requesting.name, "requested": requested.name}
    domestic = profile_selectors.domestic_basis_text(country_iso2=requested.iso2, coop_type=coop_type)
    if domestic:
        return intro + " " + domestic
    return (
        intro
        + " "
        + _("The legal profile of %(requested)s says nothing yet about cooperating without a treaty.")
        % {"requested": requested.name}
    )


def coop_type_label(code: str) -> str:
    return str(dict(CooperationType.choices).get(code, code))


# --- the status table and the overview ---------------------------------------------------------------------------


def party_status(party: Party | None, on: dt.date) -> str:
    """in_force, withdrawn, party (consented, not yet in force), signed, or "" for no row."""
    if party is None:
        return ""
    if party.withdrawn_on and party.withdrawn_on <= on:
        return "withdrawn"
    if party.in_force_at(on):
        return "in_force"
    if party.is_party:
        return "party"
    if party.signed_on:
        return "signed"
    return ""


def status_table(
    *, region: str | None = None, network: str | None = None, on: dt.date
) -> tuple[list[Instrument], list[tuple[Country, list[Party | None]]]]:
    """Instruments (bilateral treaties left out) as columns, countries as rows; three queries."""
    instruments = list(Instrument.objects.exclude(kind=Kind.BILATERAL).order_by("kind", "title"))
    countries = Country.objects.all()
    if region:
        countries = countries.filter(Q(region_m49=region) | Q(subregion_m49=region) | Q(intermediate_region_m49=region))
    if network:
        countries = countries.filter(network_memberships__network__slug=network)
    countries_list = sorted(countries, key=lambda c: (c.name, c.iso2))
    parties = Party.objects.filter(
        instrument__in=[i.pk for i in instruments], country__in=[c.pk for c in countries_list]
    ).select_related("instrument")
    cell: dict[tuple[int, int], Party] = {(p.country_id, p.instrument_id): p for p in parties}
    rows = [(c, [cell.get((c.pk, i.pk)) for i in instruments]) for c in countries_list]
    return instruments, rows


def overview(*, on: dt.date) -> list[dict]:
    """For each instrument other than bilateral ones: its parties grouped by M49 region (two queries)."""
    instruments = list(Instrument.objects.exclude(kind=Kind.BILATERAL).order_by("kind", "title"))
    parties = Party.objects.filter(instrument__in=[i.pk for i in instruments]).select_related("country", "instrument")
    by_instrument: dict[int, list[Party]] = defaultdict(list)
    for party in parties:
        by_instrument[party.instrument_id].append(party)
    out = []
    for instrument in instruments:
        regions: dict[str, list[Party]] = defaultdict(list)
        for party in by_instrument[instrument.pk]:
            regions[party.country.region_m49].append(party)
        out.append(
            {
                "instrument": instrument,
                "count": len(by_instrument[instrument.pk]),
                "regions": [
                    (code, sorted(rows, key=lambda p: p.country.iso2)) for code, rows in sorted(regions.items())
                ],
            }
        )
    return out


# --- the federated search contract --------------------------------------------------------------------------------


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
    """Instruments whose title, titles, articles or text contain every term (case-folded), as "instrument" hits.

    Filters: `country` a party; `coop_type` covered; `instrument` its slug; `language` a title in that language
    (English is the title itself); `date_from`/`date_to` bound the adoption date. Instruments are public, so
    `user` sees them all.
    """
    if not terms or limit <= 0:
        return []
    qs = Instrument.objects.filter(INSTRUMENT_TEXT.contains(terms)).prefetch_related("coverages")
    if country:
        qs = qs.filter(pk__in=Party.objects.filter(country__iso2=country.upper()).values("instrument_id"))
    if coop_type:
        qs = qs.filter(pk__in=Coverage.objects.filter(coop_type=coop_type).values("instrument_id"))
    if instrument:
        qs = qs.filter(slug=instrument)
    if language and language != "en":
        qs = qs.filter(titles__has_key=language)
    if date_from:
        qs = qs.filter(adopted_on__gte=date_from)
    if date_to:
        qs = qs.filter(adopted_on__lte=date_to)
    hits = []
    for row in qs.order_by("-updated_at")[: max(limit * 4, limit)]:
        title = row.localized_title(language) if language else row.localized_title()
        articles = "; ".join(f"{coop_type_label(c.coop_type)}: {c.articles}" for c in row.coverages.all() if c.articles)
        text = " ".join(part for part in (title, articles, row.text) if part)
        hits.append(
            SearchHit(
                kind="instrument",
                key=row.slug,
                title=title,
                url=reverse("treaties:instrument_detail", kwargs={"slug": row.slug}),
                text=text,
                language=language or "",
                updated_at=row.updated_at,
                visibility="public",
                score=score(terms=terms, title=title, text=text),
                extra={"kind": row.kind, "is_demo": row.is_demo},
            )
        )
    hits.sort(key=lambda h: (-h.score, h.title.casefold()))
    return hits[:limit]
