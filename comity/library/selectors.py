"""Reads of the library and the glossary, always starting from what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Prefetch, QuerySet

from comity.core.i18n import collation_key
from comity.core.permissions import get_visible_or_404
from comity.core.search import terms_of
from comity.library import permissions
from comity.library.models import DOCUMENT_INDEX, GLOSSARY_LANGUAGES, Document, DocumentTag, GlossaryTerm, TagKind
from comity.reference.models import Country


@dataclass(frozen=True)
class DocumentFilters:
    kind: str = ""
    country: str = ""  # ISO alpha-2
    instrument: str = ""  # slug
    coop_type: str = ""
    language: str = ""
    topic: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _tagged(kind: str, value: str) -> Exists:
    return Exists(DocumentTag.objects.filter(document=OuterRef("pk"), kind=kind, value=value))


def apply_document_filters(qs: QuerySet[Document], filters: DocumentFilters) -> QuerySet[Document]:
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.country:
        qs = qs.filter(
            Exists(Document.countries.through.objects.filter(document=OuterRef("pk"), country__iso2=filters.country))
        )
    if filters.instrument:
        qs = qs.filter(_tagged(TagKind.INSTRUMENT, filters.instrument))
    if filters.coop_type:
        qs = qs.filter(_tagged(TagKind.COOPERATION, filters.coop_type))
    if filters.topic:
        qs = qs.filter(_tagged(TagKind.TOPIC, filters.topic.casefold()))
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    return qs


def with_tags(qs: QuerySet[Document]) -> QuerySet[Document]:
    """Countries and tags in two queries for a whole page."""
    return qs.prefetch_related(
        Prefetch("countries", queryset=Country.objects.order_by("iso2")),
        Prefetch("tags", queryset=DocumentTag.objects.order_by("kind", "value")),
    )


def document_list(*, user, filters: DocumentFilters | None = None, q: str = "") -> QuerySet[Document]:
    """Visible documents, newest first, filtered; `q` keeps those whose text holds every word."""
    qs = apply_document_filters(permissions.documents_visible_to(user), filters or DocumentFilters())
    terms = terms_of(q)
    if terms:
        qs = qs.filter(DOCUMENT_INDEX.contains(terms))
    return with_tags(qs.defer("text", "search_text")).order_by("-date", "-pk")


def document_get_for(*, user, pk) -> Document:
    return get_visible_or_404(with_tags(permissions.documents_visible_to(user)), pk=pk)


def language_versions(*, user, document: Document) -> list[Document]:
    """The other visible language versions of a document (same group), by language code."""
    return list(
        permissions.documents_visible_to(user)
        .filter(group_key=document.group_key)
        .exclude(pk=document.pk)
        .only("pk", "title", "language", "visibility")
        .order_by("language", "pk")
    )


def document_for_edit(*, user, pk) -> Document:
    """A document the user may edit, else 404 (as for a hidden one)."""
    from django.http import Http404

    document = document_get_for(user=user, pk=pk)
    if not permissions.can_edit_document(user, document):
        raise Http404
    return document


def library_last_modified() -> dt.datetime | None:
    """When any document last changed, deletions and changes of visibility included (rows stay).

    Taken over every document, not only the visible ones: a document that became members-only must change what an
    anonymous visitor's cached list shows, and a time says nothing about what changed."""
    return Document.objects.aggregate(last=Max("updated_at"))["last"]


def document_group_last_modified(*, user, pk) -> dt.datetime | None:
    """When the visible document `pk` or one of its visible language versions last changed; None if hidden."""
    visible = permissions.documents_visible_to(user).filter(pk=pk).values("group_key")
    return Document.objects.filter(group_key__in=visible).aggregate(last=Max("updated_at"))["last"]


def glossary_last_modified() -> dt.datetime | None:
    return GlossaryTerm.objects.aggregate(last=Max("updated_at"))["last"]


# --- the glossary -------------------------------------------------------------------------------------------------


def glossary_list(*, q: str = "", letter: str = "", language: str = "") -> list[GlossaryTerm]:
    """Terms sorted by their name in `language` (default English), filtered by initial letter and words.

    The glossary is small (tens of terms): it is read whole and filtered in Python, which keeps one query.
    """
    language = language if language in GLOSSARY_LANGUAGES else "en"
    terms = terms_of(q)
    rows = []
    for term in GlossaryTerm.objects.all():
        name = term.term(language) or term.term_en
        if letter and not collation_key(name).startswith(collation_key(letter)):
            continue
        if terms and not all(word in term.search_text for word in terms):
            continue
        rows.append(term)
    return sorted(rows, key=lambda term: collation_key(term.term(language) or term.term_en))


def glossary_letters(*, language: str = "") -> list[str]:
    language = language if language in GLOSSARY_LANGUAGES else "en"
    letters = set()
    for name_en, name in GlossaryTerm.objects.values_list("term_en", f"term_{language.replace('-', '_')}"):
        first = collation_key(name or name_en)[:1].upper()
        if first:
            letters.add(first)
    return sorted(letters)


def glossary_term_get(*, key: str) -> GlossaryTerm:
    return get_visible_or_404(GlossaryTerm.objects.all(), key=key)


def glossary_entries() -> list[dict]:
    """The glossary as the forum's translation reads it: one dict per term with a key and the seven languages."""
    entries = []
    for term in GlossaryTerm.objects.order_by("key"):
        entry = {"key": term.key}
        entry.update({code: term.term(code) for code in GLOSSARY_LANGUAGES})
        entries.append(entry)
    return entries
