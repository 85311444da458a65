"""Helpers shared by the account services: token hashes, country codes, links, mail in the reader's language."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.utils import translation

from comity.core.i18n import UI_LANGUAGES
from comity.mail import services as outbox


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _country_code(user) -> str:
    return user.country.iso2 if getattr(user, "country_id", None) else ""


def _absolute(path: str) -> str:
    return settings.COMITY_BASE_URL.rstrip("/") + path


def _send(*, to: str, language: str, subject_fn, body_fn, category: str, user=None) -> None:
    """Queue one e-mail in the recipient's language through the outbox (sent after commit, retried)."""
    with translation.override(language if language in UI_LANGUAGES else settings.LANGUAGE_CODE):
        subject, body = str(subject_fn()), str(body_fn())
    outbox.outbox_enqueue(to=to, subject=subject, body_text=body, user=user, category=category)
    outbox.schedule_delivery()
