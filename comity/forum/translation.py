"""Machine translation of a post through an HTTP API compatible with LibreTranslate.

Settings (read with getattr, all optional):
- COMITY_TRANSLATE_URL: base URL of the service, e.g. https://translate.example.org (no translation when empty).
- COMITY_TRANSLATE_API_KEY: sent as `api_key` when set.
- COMITY_TRANSLATE_SELF_HOSTED: True when the service runs on infrastructure the network controls. Only then may
  text from a TLP:AMBER, TLP:AMBER+STRICT or TLP:RED thread be sent to it.
- COMITY_TRANSLATE_TIMEOUT: seconds (default 10).

Glossary terms are protected: each occurrence in the source language is replaced by a placeholder such as [[0]]
before the text is sent, and the placeholder is replaced by the official term of the target language afterwards.
The translation is shown beside the original, never instead of it. The glossary comes through
`hooks.glossary_provider` (the library's multilingual glossary); the forum's own comity/forum/data/glossary.json
serves only when no provider is registered.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core.i18n import UI_LANGUAGES
from comity.forum import hooks, permissions
from comity.forum.models import RESTRICTED_TLP, TLP, Post, Thread

GLOSSARY_FILE = Path(__file__).resolve().parent / "data" / "glossary.json"
DEFAULT_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 1_000_000
# Language codes the service knows, where they differ from Comity's.
SERVICE_CODES = {"zh-hans": "zh"}
PLACEHOLDER = re.compile(r"\[\s*\[\s*(\d+)\s*\]\s*\]")


class TranslationError(Exception):
    """A translation that did not happen; `message` tells the reader why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TranslationRefused(TranslationError):
    """The handling mark forbids sending this text to the configured service."""


class TranslationFailed(TranslationError):
    """The service did not answer, or answered with an error."""


@dataclass
class TranslationResult:
    text: str
    source: str
    target: str
    terms: list[tuple[str, str]] = field(default_factory=list)  # (term as written, official target term)


# --- configuration -----------------------------------------------------------------------------------------------


def service_url() -> str:
    return (getattr(settings, "COMITY_TRANSLATE_URL", "") or "").strip()


def is_configured() -> bool:
    return urllib.parse.urlsplit(service_url()).scheme in ("http", "https")


def is_self_hosted() -> bool:
    return bool(getattr(settings, "COMITY_TRANSLATE_SELF_HOSTED", False))


def may_send(thread: Thread) -> bool:
    """Text of AMBER, AMBER+STRICT and RED threads goes only to a self-hosted service."""
    return thread.tlp not in RESTRICTED_TLP or is_self_hosted()


def available_for(thread: Thread) -> bool:
    """Whether the thread page should offer the translate action on its posts."""
    return is_configured() and may_send(thread)


def refusal_message(thread: Thread) -> str:
    return _(
        "This thread is marked %(mark)s. Its text may not leave Comity, so it is not sent to the translation "
        "service, which is not run by the network. Ask a colleague who reads the language, or the author."
    ) % {"mark": TLP(thread.tlp).label}


# --- languages and glossary --------------------------------------------------------------------------------------


def normalize_language(code: str) -> str:
    """Comity's code for a language tag: zh, zh-CN, zh_Hans → zh-hans; pt-BR → pt; fr-CA → fr."""
    code = (code or "").strip().lower().replace("_", "-")
    if code.startswith("zh"):
        return "zh-hans"
    return code.split("-")[0]


@lru_cache(maxsize=1)
def _file_glossary() -> dict:
    with open(GLOSSARY_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def glossary() -> dict:
    """The glossary from the first registered provider that answers, else the forum's own file."""
    for answer in hooks.glossary_provider():
        if answer:
            return answer
    return _file_glossary()


def _written_terms(entries: list[dict], language: str) -> tuple[str, ...]:
    return tuple(sorted({entry[language] for entry in entries if entry.get(language)}, key=len, reverse=True))


@lru_cache(maxsize=64)
def _compiled(language: str, terms: tuple[str, ...]) -> re.Pattern | None:
    if not terms:
        return None
    alternatives = "|".join(re.escape(term) for term in terms)
    if language == "zh-hans":  # no spaces between words: match anywhere
        return re.compile(f"(?:{alternatives})", re.IGNORECASE)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _term_pattern(language: str, entries: list[dict] | None = None) -> re.Pattern | None:
    entries = glossary()["terms"] if entries is None else entries
    return _compiled(language, _written_terms(entries, language))


def _entry_for(language: str, written: str, entries: list[dict] | None = None) -> dict | None:
    folded = written.casefold()
    for entry in glossary()["terms"] if entries is None else entries:
        if entry.get(language, "").casefold() == folded:
            return entry
    return None


def protect(text: str, source: str) -> tuple[str, list[tuple[str, dict]]]:
    """Replace glossary terms of the source language by numbered placeholders [[n]]."""
    language = normalize_language(source)
    entries = glossary()["terms"]
    pattern = _term_pattern(language, entries)
    if pattern is None:
        return text, []
    found: list[tuple[str, dict]] = []

    def substitute(match: re.Match) -> str:
        entry = _entry_for(language, match.group(0), entries)
        if entry is None:
            return match.group(0)
        found.append((match.group(0), entry))
        return f"[[{len(found) - 1}]]"

    return pattern.sub(substitute, text), found


def restore(text: str, found: list[tuple[str, dict]], target: str) -> tuple[str, list[tuple[str, str]]]:
    """Put the target language's official terms where the placeholders came back."""
    language = normalize_language(target)
    used: list[tuple[str, str]] = []

    def substitute(match: re.Match) -> str:
        index = int(match.group(1))
        if index >= len(found):
            return match.group(0)
        written, entry = found[index]
        term = entry.get(language) or written
        if (written, term) not in used:
            used.append((written, term))
        return term

    return PLACEHOLDER.sub(substitute, text), used


# --- the call ----------------------------------------------------------------------------------------------------


def _call_service(*, text: str, source: str, target: str) -> str:
    url = service_url().rstrip("/") + "/translate"
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise TranslationFailed(_("The translation service is not configured correctly."))
    payload = {
        "q": text,
        "source": SERVICE_CODES.get(source, source),
        "target": SERVICE_CODES.get(target, target),
        "format": "text",
    }
    key = getattr(settings, "COMITY_TRANSLATE_API_KEY", "")
    if key:
        payload["api_key"] = key
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps(payload).encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    timeout = float(getattr(settings, "COMITY_TRANSLATE_TIMEOUT", DEFAULT_TIMEOUT))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
            raw = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise TranslationFailed(
            _("The translation service refused the request (HTTP %(status)s). Try again later or tell the secretariat.")
            % {"status": exc.code}
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TranslationFailed(_("The translation service did not answer. Try again later.")) from exc
    if len(raw) > MAX_RESPONSE_BYTES:
        raise TranslationFailed(_("The translation service sent an answer that is too long."))
    try:
        translated = json.loads(raw.decode("utf-8"))["translatedText"]
    except (ValueError, KeyError, TypeError) as exc:
        raise TranslationFailed(_("The translation service sent an answer Comity does not understand.")) from exc
    if not isinstance(translated, str):
        raise TranslationFailed(_("The translation service sent an answer Comity does not understand."))
    return translated


def target_choices() -> list[str]:
    return list(UI_LANGUAGES)


def post_translate(*, actor, post: Post, target: str) -> TranslationResult:
    """Translate a post the actor can read into a UI language. Audited (no text in the event)."""
    if not permissions.posts_visible_to(actor).filter(pk=post.pk).exists():
        raise PermissionDenied
    if not is_configured():
        raise TranslationFailed(_("No translation service is configured."))
    thread = post.thread
    if not may_send(thread):
        raise TranslationRefused(refusal_message(thread))
    target = normalize_language(target)
    if target not in {normalize_language(code) for code in target_choices()}:
        raise ValidationError({"target": [_("Choose one of the interface languages.")]})
    source = normalize_language(post.language)
    if source == target:
        raise ValidationError({"target": [_("This post is already in that language.")]})
    protected, found = protect(post.body, source)
    audit_log(
        action=AuditAction.TRANSLATION_REQUESTED,
        actor=actor,
        target=post,
        country=actor.country.iso2 if actor.country_id else "",
        details={
            "post": post.pk,
            "thread": thread.pk,
            "space": thread.space_id,
            "tlp": thread.tlp,
            "source": source,
            "target": target,
            "self_hosted": is_self_hosted(),
            "glossary_terms": len(found),
        },
    )
    translated = _call_service(text=protected, source=source, target=target)
    text, used = restore(translated, found, target)
    return TranslationResult(text=text, source=source, target=target, terms=used)
