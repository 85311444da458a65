"""The legal search: one query across documents, the glossary, legal profiles and measures, and instruments.

Each source finds its rows through its own index and returns `SearchHit`s restricted to what the user may see:
the library's documents and glossary here, profiles and measures from `legalprofiles`, instruments from `treaties`
(through `sources`). This module merges them and ranks them by `hits.score`, then by recency. Each source returns
at most `SOURCE_LIMIT` hits, so the merge works on a bounded list; the count says how many rows matched in all
(documents counted up to 1,000), and only the best `SOURCE_LIMIT` of each source can be paged through.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from comity.core.search import COUNT_CAP, count_capped
from comity.core.search.hits import SearchHit, score
from comity.library import permissions, sources
from comity.library.models import DOCUMENT_INDEX, GLOSSARY_INDEX, GLOSSARY_LANGUAGES, GlossaryTerm
from comity.library.selectors import DocumentFilters, apply_document_filters

SOURCE_LIMIT = 200
SCORED_CHARS = 20_000  # a document's text is scored and cut into a snippet from its beginning only
KINDS = {
    "document": gettext_lazy("Document"),
    "glossary": gettext_lazy("Glossary term"),
    "profile": gettext_lazy("Country legal profile"),
    "measure": gettext_lazy("Measure"),
    "instrument": gettext_lazy("Instrument"),
}
# The kinds as API choices (named LegalHitKindEnum in the schema).
HIT_KINDS = list(KINDS)


@dataclass(frozen=True)
class LegalFilters:
    country: str = ""
    instrument: str = ""
    coop_type: str = ""
    language: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kinds: tuple[str, ...] = ()  # empty: every kind

    def wants(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


@dataclass
class LegalResults:
    hits: list[SearchHit] = field(default_factory=list)  # ranked
    count: int = 0  # matches in all, up to COUNT_CAP
    more: bool = False  # more than `count` matched

    @property
    def truncated(self) -> bool:
        """Some matches were counted but cannot be paged through (beyond each source's best SOURCE_LIMIT)."""
        return self.more or self.count > len(self.hits)


def _aware(value: dt.datetime | None) -> dt.datetime:
    return value or dt.datetime.min.replace(tzinfo=dt.UTC)


def rank(hits: list[SearchHit]) -> list[SearchHit]:
    """Best score first, then the most recently updated."""
    by_recency = sorted(hits, key=lambda hit: _aware(hit.updated_at), reverse=True)
    return sorted(by_recency, key=lambda hit: hit.score, reverse=True)


def document_hits(*, user, terms: list[str], filters: LegalFilters) -> tuple[list[SearchHit], int, bool]:
    """(hits, how many matched up to COUNT_CAP, whether more did)."""
    qs = apply_document_filters(
        permissions.documents_visible_to(user),
        DocumentFilters(
            country=filters.country,
            instrument=filters.instrument,
            coop_type=filters.coop_type,
            language=filters.language,
            date_from=filters.date_from,
            date_to=filters.date_to,
        ),
    )
    if terms:
        qs = qs.filter(DOCUMENT_INDEX.contains(terms))
    count, more = count_capped(qs, COUNT_CAP)
    if not count:
        return [], 0, False
    rows = (
        qs.annotate(excerpt=Substr("text", 1, SCORED_CHARS))
        .order_by("-updated_at", "-pk")
        .values("pk", "title", "summary", "excerpt", "language", "visibility", "updated_at", "kind", "date")[
            :SOURCE_LIMIT
        ]
    )
    hits = []
    for row in rows:
        text = "\n".join(part for part in (row["summary"], row["excerpt"]) if part)
        hits.append(
            SearchHit(
                kind="document",
                key=str(row["pk"]),
                title=row["title"],
                url=reverse("library:document_detail", args=[row["pk"]]),
                text=text,
                language=row["language"],
                updated_at=row["updated_at"],
                visibility=row["visibility"],
                score=score(terms=terms, title=row["title"], text=text),
                extra={"document_kind": row["kind"], "date": row["date"]},
            )
        )
    return hits, count, more


def glossary_hits(*, terms: list[str], filters: LegalFilters) -> list[SearchHit]:
    """Glossary terms holding every word. Terms carry no country, instrument, type of cooperation or date: a search
    filtered by one of those finds none."""
    if not terms or filters.country or filters.instrument or filters.coop_type or filters.date_from or filters.date_to:
        return []
    language = filters.language if filters.language in GLOSSARY_LANGUAGES else ""
    if filters.language and not language:
        return []
    active = translation.get_language() or "en"
    hits = []
    for term in GlossaryTerm.objects.filter(GLOSSARY_INDEX.contains(terms)).order_by("key")[:SOURCE_LIMIT]:
        if language:
            title = term.term(language)
            text = "\n".join(part for part in (title, term.definition(language) or "") if part)
            if not title or not all(word in text.casefold() for word in terms):
                continue
        else:
            title = term.localized_term(active)
            names = " · ".join(term.term(code) for code in GLOSSARY_LANGUAGES if term.term(code))
            text = "\n".join(part for part in (names, term.localized_definition(active)[0]) if part)
        hits.append(
            SearchHit(
                kind="glossary",
                key=term.key,
                title=title,
                url=reverse("library:glossary") + "#term-" + term.key,
                text=text,
                language=language,
                updated_at=term.updated_at,
                score=score(terms=terms, title=title, text=text),
                extra={"verified": term.verified},
            )
        )
    return hits


def _allowed(hits: list[SearchHit], *, filters: LegalFilters, public_only: bool) -> list[SearchHit]:
    """The other sources restrict their hits themselves; this is a second check, never the first."""
    return [
        hit
        for hit in hits[:SOURCE_LIMIT]
        if filters.wants(hit.kind) and (hit.visibility == "public" or not public_only)
    ]


def legal_search(*, user, terms: list[str], filters: LegalFilters) -> LegalResults:
    """Every kind of hit the user may see, merged and ranked. Run it inside `core.search.time_limit`."""
    results = LegalResults()
    hits: list[SearchHit] = []
    count = 0
    if filters.wants("document"):
        found, counted, more = document_hits(user=user, terms=terms, filters=filters)
        hits += found
        count += counted
        results.more = more
    if filters.wants("glossary"):
        found = glossary_hits(terms=terms, filters=filters)
        hits += found
        count += len(found)
    options = {
        "terms": terms,
        "user": user,
        "country": filters.country or None,
        "coop_type": filters.coop_type or None,
        "instrument": filters.instrument or None,
        "language": filters.language or None,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "limit": SOURCE_LIMIT,
    }
    public_only = not permissions.is_member(user)
    if filters.wants("profile") or filters.wants("measure"):
        found = [hit for hit in sources.profile_hits(**options) if hit.kind in ("profile", "measure")]
        found = _allowed(found, filters=filters, public_only=public_only)
        hits += found
        count += len(found)
    if filters.wants("instrument"):
        found = [hit for hit in sources.instrument_hits(**options) if hit.kind == "instrument"]
        found = _allowed(found, filters=filters, public_only=public_only)
        hits += found
        count += len(found)
    results.hits = rank(hits)
    results.more = results.more or count > COUNT_CAP
    results.count = min(count, COUNT_CAP)
    return results
