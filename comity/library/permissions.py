"""Who may read and write the legal library and the glossary. Deny by default; hidden documents answer 404.

- Public documents: everyone, signed in or not. Members-only documents: signed-in, active accounts (observers
  included: they read, they do not write).
- Adding and editing documents: the secretariat, any document; a national coordinator, documents whose tagged
  countries are all countries they coordinate (at least one). A coordinator can therefore neither touch a
  document about another country nor tag one with it.
- Glossary terms: read by everyone, edited by the secretariat only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from comity.library.models import Document, Visibility


def is_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def documents_visible_to(user) -> QuerySet[Document]:
    """Documents the user may read (never the deleted ones)."""
    qs = Document.objects.filter(deleted_at__isnull=True)
    if not is_member(user):
        return qs.filter(visibility=Visibility.PUBLIC)
    return qs


def can_add_documents(user) -> bool:
    """Whether the user may add a document at all (secretariat, or a coordinator of at least one country)."""
    if not is_member(user):
        return False
    return user.is_secretariat or bool(user.coordinated_country_codes())


def allowed_country_codes(user) -> set[str] | None:
    """The countries the user may tag documents with: None for any (secretariat), else a set (maybe empty)."""
    if not is_member(user):
        return set()
    if user.is_secretariat:
        return None
    return set(user.coordinated_country_codes())


def can_tag_countries(user, codes: Iterable[str]) -> bool:
    """May the user save a document tagged with exactly these countries?"""
    allowed = allowed_country_codes(user)
    if allowed is None:
        return True
    codes = set(codes)
    return bool(codes) and codes <= allowed


def can_edit_document(user, document: Document) -> bool:
    if not is_member(user) or document.is_deleted:
        return False
    if user.is_secretariat:
        return True
    return can_tag_countries(user, [country.iso2 for country in document.countries.all()])


def can_edit_glossary(user) -> bool:
    return is_member(user) and user.is_secretariat
