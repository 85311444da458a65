"""Every write of the library and the glossary: keyword-only, permission checked here, audited in the same
transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core.i18n import UI_LANGUAGES, is_language_code
from comity.legalprofiles.choices import CooperationType
from comity.library import content, permissions, sources
from comity.library.models import (
    GLOSSARY_LANGUAGES,
    Document,
    DocumentKind,
    DocumentTag,
    GlossaryTerm,
    TagKind,
    Visibility,
    language_field,
)
from comity.reference.models import Country

GLOSSARY_FILE = Path(__file__).resolve().parent / "data" / "glossary.json"
MAX_TOPICS = 20
MAX_TOPIC_CHARS = 80


def _country_scope(actor) -> str:
    return actor.country.iso2 if getattr(actor, "country_id", None) else ""


def is_document_language(code: str) -> bool:
    return code in UI_LANGUAGES or is_language_code(code)


def new_group_key(title: str) -> str:
    return f"{slugify(title)[:60] or 'document'}-{secrets.token_hex(3)}"


@dataclass
class DocumentFields:
    """What a person writes about a document (the file aside)."""

    kind: str
    title: str
    language: str
    visibility: str = Visibility.PUBLIC
    summary: str = ""
    group_key: str = ""
    date: dt.date | None = None
    countries: list[Country] | None = None
    instruments: list[str] | None = None
    cooperation_types: list[str] | None = None
    topics: list[str] | None = None
    source: str = ""


def _clean_topics(topics: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for topic in topics:
        value = " ".join(str(topic).split()).casefold()
        if value and value not in cleaned:
            cleaned.append(value)
    return cleaned


def _validate(*, actor, fields: DocumentFields, document: Document | None) -> dict[str, Any]:
    """The cleaned values, or ValidationError naming every field in error."""
    errors: dict[str, list[str]] = {}
    title = " ".join((fields.title or "").split())
    if not title:
        errors["title"] = [_("Give the document a title.")]
    elif len(title) > 300:
        errors["title"] = [_("The title is longer than 300 characters.")]
    if fields.kind not in DocumentKind.values:
        errors["kind"] = [_("Unknown kind of document.")]
    if fields.visibility not in Visibility.values:
        errors["visibility"] = [_("Choose public or members only.")]
    language = (fields.language or "").strip().lower()
    if not is_document_language(language):
        errors["language"] = [_("Unknown language code.")]
    group_key = (fields.group_key or "").strip().lower()
    if group_key and slugify(group_key) != group_key:
        errors["group_key"] = [_("Use lower-case letters, digits and hyphens only.")]
    elif len(group_key) > 80:
        errors["group_key"] = [_("The group key is longer than 80 characters.")]
    countries = list(fields.countries or [])
    codes = sorted({country.iso2 for country in countries})
    if not permissions.can_tag_countries(actor, codes):
        errors["countries"] = [_("Tag the document with one or more of the countries you coordinate, and no other.")]
    instruments = sorted(set(fields.instruments or []))
    known = set(sources.instrument_titles()) if instruments else set()
    unknown = [slug for slug in instruments if slug not in known]
    if unknown:
        errors["instruments"] = [_("Unknown instrument: %(slugs)s.") % {"slugs": ", ".join(unknown)}]
    cooperation = sorted(set(fields.cooperation_types or []))
    if any(code not in CooperationType.values for code in cooperation):
        errors["cooperation_types"] = [_("Unknown type of cooperation.")]
    topics = _clean_topics(fields.topics or [])
    if len(topics) > MAX_TOPICS:
        errors["topics"] = [_("At most %(count)s topics.") % {"count": MAX_TOPICS}]
    elif any(len(topic) > MAX_TOPIC_CHARS for topic in topics):
        errors["topics"] = [_("A topic is longer than %(count)s characters.") % {"count": MAX_TOPIC_CHARS}]
    if len(fields.source or "") > 300:
        errors["source"] = [_("The source is longer than 300 characters.")]
    if group_key and "language" not in errors and "group_key" not in errors:
        clash = Document.objects.filter(group_key=group_key, language=language, deleted_at__isnull=True)
        if document is not None:
            clash = clash.exclude(pk=document.pk)
        if clash.exists():
            errors["language"] = [_("This document already has a version in that language.")]
    if errors:
        raise ValidationError(errors)
    return {
        "kind": fields.kind,
        "title": title,
        "summary": (fields.summary or "").strip(),
        "language": language,
        "group_key": group_key or new_group_key(title),
        "date": fields.date,
        "visibility": fields.visibility,
        "source": (fields.source or "").strip(),
        "countries": countries,
        "tags": {
            TagKind.INSTRUMENT: instruments,
            TagKind.COOPERATION: cooperation,
            TagKind.TOPIC: topics,
        },
    }


def _set_tags(document: Document, tags: dict[str, list[str]]) -> None:
    document.tags.all().delete()
    DocumentTag.objects.bulk_create(
        [DocumentTag(document=document, kind=kind, value=value) for kind, values in tags.items() for value in values]
    )


def _audit_details(document: Document, codes: list[str], tags: dict[str, list[str]]) -> dict:
    return {
        "document": document.pk,
        "title": document.title,
        "kind": document.kind,
        "language": document.language,
        "group": document.group_key,
        "visibility": document.visibility,
        "countries": codes,
        "instruments": tags.get(TagKind.INSTRUMENT, []),
        "filename": document.filename,
        "sha256": document.sha256,
        "size": document.size,
    }


def _apply_file(document: Document, checked: content.CheckedFile, stored: content.StoredFile) -> None:
    text, note = content.extract_text(checked)
    document.filename = checked.filename
    document.content_type = checked.content_type
    document.size = len(checked.data)
    document.sha256 = hashlib.sha256(checked.data).hexdigest()
    document.storage_name = stored.storage_name
    document.wrapped_key = stored.wrapped_key
    document.key_fingerprint = stored.key_fingerprint
    document.text = text
    document.text_note = note


def _checked_file(upload, filename: str) -> content.CheckedFile:
    try:
        return content.check(content.read_upload(upload), filename)
    except content.Rejected as exc:
        raise ValidationError({"file": [exc.message]}, code=exc.code) from exc


def document_create(*, actor, fields: DocumentFields, upload, filename: str, is_demo: bool = False) -> Document:
    """Add a document from an uploaded file (a Django UploadedFile or a binary stream)."""
    if not permissions.can_add_documents(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    checked = None
    try:
        values = _validate(actor=actor, fields=fields, document=None)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        checked = _checked_file(upload, filename)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors or checked is None:
        raise ValidationError(errors)
    stored = content.store(checked.data)
    try:
        with transaction.atomic():
            now = timezone.now()
            document = Document(
                kind=values["kind"],
                title=values["title"],
                summary=values["summary"],
                language=values["language"],
                group_key=values["group_key"],
                date=values["date"],
                visibility=values["visibility"],
                source=values["source"],
                is_demo=is_demo,
                created_by=actor,
                updated_by=actor,
                created_at=now,
                updated_at=now,
            )
            _apply_file(document, checked, stored)
            document.search_text = document.build_search_text(topics=values["tags"][TagKind.TOPIC])
            document.save()
            document.countries.set(values["countries"])
            _set_tags(document, values["tags"])
            codes = sorted(country.iso2 for country in values["countries"])
            audit_log(
                action=AuditAction.DOCUMENT_UPLOADED,
                actor=actor,
                target=document,
                country=_country_scope(actor),
                details=_audit_details(document, codes, values["tags"]),
            )
    except BaseException:
        content.remove(stored.storage_name)
        raise
    return document


# What an update writes: what is said about the document, then (when a file replaces it) the file's fields.
UPDATED_FIELDS = [
    "kind",
    "title",
    "summary",
    "language",
    "group_key",
    "date",
    "visibility",
    "source",
    "search_text",
    "updated_by",
    "updated_at",
    "filename",
    "content_type",
    "size",
    "sha256",
    "storage_name",
    "wrapped_key",
    "key_fingerprint",
    "text",
    "text_note",
]
ABOUT_FIELDS = 11


def document_update(*, actor, document: Document, fields: DocumentFields, upload=None, filename: str = "") -> Document:
    """Change what is written about a document and, when `upload` is given, replace its file."""
    document = Document.objects.get(pk=document.pk)
    if not permissions.can_edit_document(actor, document):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    checked = None
    try:
        values = _validate(actor=actor, fields=fields, document=document)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if upload is not None:
        try:
            checked = _checked_file(upload, filename)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    stored = content.store(checked.data) if checked is not None else None
    old_storage = document.storage_name
    try:
        with transaction.atomic():
            for name in ("kind", "title", "summary", "language", "group_key", "date", "visibility", "source"):
                setattr(document, name, values[name])
            if checked is not None and stored is not None:
                _apply_file(document, checked, stored)
            document.search_text = document.build_search_text(topics=values["tags"][TagKind.TOPIC])
            document.updated_by = actor
            document.updated_at = timezone.now()
            document.save(update_fields=UPDATED_FIELDS if stored is not None else UPDATED_FIELDS[:ABOUT_FIELDS])
            document.countries.set(values["countries"])
            _set_tags(document, values["tags"])
            codes = sorted(country.iso2 for country in values["countries"])
            details = _audit_details(document, codes, values["tags"])
            details["file_replaced"] = stored is not None
            audit_log(
                action=AuditAction.DOCUMENT_UPDATED,
                actor=actor,
                target=document,
                country=_country_scope(actor),
                details=details,
            )
    except BaseException:
        if stored is not None:
            content.remove(stored.storage_name)
        raise
    if stored is not None:
        transaction.on_commit(lambda: content.remove(old_storage))
    return document


def document_delete(*, actor, document: Document) -> None:
    """Delete the file and its text; the row stays (its hash, for the audit log; the pages' last-modified)."""
    document = Document.objects.get(pk=document.pk)
    if not permissions.can_edit_document(actor, document):
        raise PermissionDenied
    old_storage = document.storage_name
    codes = sorted(country.iso2 for country in document.countries.all())
    with transaction.atomic():
        details = _audit_details(document, codes, {})
        now = timezone.now()
        document.deleted_at = now
        document.updated_at = now
        document.updated_by = actor
        document.text = ""
        document.search_text = ""
        document.storage_name = ""
        document.wrapped_key = ""
        document.save(
            update_fields=[
                "deleted_at",
                "updated_at",
                "updated_by",
                "text",
                "search_text",
                "storage_name",
                "wrapped_key",
            ]
        )
        audit_log(
            action=AuditAction.DOCUMENT_DELETED,
            actor=actor,
            target=document,
            country=_country_scope(actor),
            details=details,
        )
    transaction.on_commit(lambda: content.remove(old_storage))


class DownloadFailed(Exception):
    """The stored file cannot be read back; `message` says so to the reader."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def document_download(*, actor, document: Document) -> Iterator[bytes]:
    """The plaintext of a document the actor may read (the document comes from `selectors.document_get_for`).

    Downloads of members-only documents are audited; public ones are not (anyone may fetch them, and the audit
    chain is for what members do)."""
    if not permissions.documents_visible_to(actor).filter(pk=document.pk).exists():
        raise PermissionDenied
    try:
        chunks = content.open_plaintext(
            storage_name=document.storage_name,
            wrapped_key=document.wrapped_key,
            key_fingerprint=document.key_fingerprint,
            size=document.size,
        )
    except content.Unreadable as exc:
        content.logger.error("library document %s cannot be read: %s", document.pk, exc)
        raise DownloadFailed(_("This file cannot be read; the incident has been logged.")) from exc
    if document.visibility == Visibility.MEMBERS:
        audit_log(
            action=AuditAction.DOCUMENT_DOWNLOADED,
            actor=actor,
            target=document,
            country=_country_scope(actor),
            details={"library_document": document.pk, "sha256": document.sha256, "size": document.size},
        )
    return chunks


# --- the glossary -------------------------------------------------------------------------------------------------

GLOSSARY_TEXT_FIELDS = [f"term_{language_field(code)}" for code in GLOSSARY_LANGUAGES] + [
    f"definition_{language_field(code)}" for code in GLOSSARY_LANGUAGES
]


def _glossary_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (values.get("term_en") or "").strip():
        errors["term_en"] = [_("The English term is required.")]
    for name in GLOSSARY_TEXT_FIELDS:
        limit = 200 if name.startswith("term_") else 5000
        if len(values.get(name) or "") > limit:
            errors[name] = [_("At most %(count)s characters.") % {"count": limit}]
    if len(values.get("source") or "") > 500:
        errors["source"] = [_("At most %(count)s characters.") % {"count": 500}]
    return errors


def glossary_term_update(*, actor, term: GlossaryTerm, values: dict[str, Any]) -> GlossaryTerm:
    """Change a term's wording in any language, its definitions, source, date and verified flag (secretariat)."""
    if not permissions.can_edit_glossary(actor):
        raise PermissionDenied
    allowed = {*GLOSSARY_TEXT_FIELDS, "source", "as_of", "verified"}
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    cleaned = {
        name: (" ".join(value.split()) if name.startswith("term_") else value.strip())
        if isinstance(value, str)
        else value
        for name, value in values.items()
    }
    errors = _glossary_errors({**{name: getattr(term, name) for name in allowed}, **cleaned})
    if errors:
        raise ValidationError(errors)
    term = GlossaryTerm.objects.get(pk=term.pk)
    changed = sorted(name for name, value in cleaned.items() if getattr(term, name) != value)
    with transaction.atomic():
        for name, value in cleaned.items():
            setattr(term, name, value)
        term.search_text = term.build_search_text()
        term.updated_at = timezone.now()
        term.updated_by = actor
        term.save()
        audit_log(
            action=AuditAction.GLOSSARY_TERM_SAVED,
            actor=actor,
            target=term,
            country=_country_scope(actor),
            details={"key": term.key, "changed": changed, "verified": term.verified},
        )
    return term


@dataclass
class GlossaryLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # edited by a person since: the file does not overwrite them

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "kept": self.kept}


def glossary_file_data(path: Path | None = None) -> dict:
    with open(path or GLOSSARY_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def _row_values(entry: dict, data: dict) -> dict[str, Any]:
    values: dict[str, Any] = {}
    definitions = entry.get("definition", {})
    for code in GLOSSARY_LANGUAGES:
        values[f"term_{language_field(code)}"] = entry.get(code, "")
        values[f"definition_{language_field(code)}"] = definitions.get(code, "")
    values["source"] = entry.get("source", data.get("source", ""))
    as_of = entry.get("as_of", data.get("as_of"))
    values["as_of"] = dt.date.fromisoformat(as_of) if as_of else None
    values["verified"] = bool(entry.get("verified", False))
    return values


def glossary_load(*, path: Path | None = None) -> GlossaryLoadResult:
    """Load the glossary data file, idempotently: new keys are created, terms nobody edited follow the file,
    terms the secretariat edited are kept as they are."""
    data = glossary_file_data(path)
    result = GlossaryLoadResult()
    existing = {term.key: term for term in GlossaryTerm.objects.all()}
    with transaction.atomic():
        for entry in data["terms"]:
            values = _row_values(entry, data)
            errors = _glossary_errors(values)
            if errors:
                raise ValidationError({entry.get("key", "?"): [str(error) for error in errors.values()]})
            term = existing.get(entry["key"])
            if term is None:
                term = GlossaryTerm(key=entry["key"], **values)
                term.search_text = term.build_search_text()
                term.full_clean()
                term.save()
                result.created += 1
            elif term.updated_by_id is not None:
                result.kept += 1
            elif any(getattr(term, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(term, name, value)
                term.search_text = term.build_search_text()
                term.updated_at = timezone.now()
                term.save()
                result.updated += 1
            else:
                result.unchanged += 1
    return result


# --- master key rotation ------------------------------------------------------------------------------------------


def documents_rewrap_keys(*, old_key: bytes, new_key: bytes, batch_size: int = 500) -> dict[str, int]:
    """Re-wrap the file keys of library documents from the old master key to the new one (the files are not
    touched), in batches; rows already under the new key are skipped, so it can run again. The file exchange's
    `rotate_master_key` covers its own attachments only: run `library_rotate_master_key` beside it."""
    from comity.core import crypto
    from comity.files import storage

    old_fingerprint, new_fingerprint = storage.fingerprint(old_key), storage.fingerprint(new_key)
    if old_fingerprint == new_fingerprint:
        raise ValidationError(_("The old and the new master key are the same."))
    counts = {"rewrapped": 0, "already": 0, "failed": 0}
    base = Document.objects.exclude(wrapped_key="")
    counts["already"] = base.filter(key_fingerprint=new_fingerprint).count()
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                base.exclude(key_fingerprint=new_fingerprint)
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .select_for_update()
                .only("pk", "wrapped_key", "key_fingerprint")[:batch_size]
            )
            if not rows:
                break
            changed = []
            for row in rows:
                last_pk = row.pk
                try:
                    if row.key_fingerprint != old_fingerprint:
                        raise crypto.DecryptionError("another master key")
                    row.wrapped_key = crypto.rewrap_key(row.wrapped_key, old_key, new_key)
                except crypto.DecryptionError:
                    counts["failed"] += 1
                    continue
                row.key_fingerprint = new_fingerprint
                changed.append(row)
            Document.objects.bulk_update(changed, ["wrapped_key", "key_fingerprint"])
            counts["rewrapped"] += len(changed)
    return counts
