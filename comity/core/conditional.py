"""Conditional GET for public pages: ETag and Last-Modified that are right for whoever is looking.

A public page shows the same data to everyone, but its frame does not: the navigation names the signed-in user and
offers their links, and the language comes from the URL. So the validators combine the time the page's data last
changed with the page's path and query, the active language, the viewer (anonymous, or which user), and the
deployed templates. A browser that loaded a page anonymously and then signed in gets the page again, not a 304 for
the anonymous copy. `Last-Modified` is sent to anonymous visitors only (a signed-in frame changes with the session).

Usage: `@public_conditional(lambda request, iso2: selectors.country_changed_at(iso2=iso2))` above a GET view. The
function answers the latest change of the data the page shows (None when there is nothing) with one cheap query;
it must not do the page's own work.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from django.utils import translation
from django.views.decorators.http import condition

PACKAGE = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def templates_fingerprint() -> str:
    """A digest of every Jinja2 template of the project: a new release with a changed page changes every ETag.

    Content, not modification times, so that several hosts running the same release agree.
    """
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.glob("*/jinja2/**/*.html")):
        digest.update(str(path.relative_to(PACKAGE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _viewer(request) -> str:
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else "anonymous"


def has_pending_messages(request) -> bool:
    """A flash message waits to be shown: answer in full, never 304, or the message would be lost."""
    if request.COOKIES.get("messages"):
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.get("_messages"))


def public_conditional(changed_at: Callable[..., dt.datetime | None]):
    """Decorate a public GET view with ETag/Last-Modified validators built from `changed_at(request, *args, **kw)`."""

    def changed(request, *args, **kwargs) -> dt.datetime | None:
        # Both validators need it; ask the database once per request.
        if not hasattr(request, "_comity_changed_at"):
            request._comity_changed_at = changed_at(request, *args, **kwargs)
        return request._comity_changed_at

    def etag(request, *args, **kwargs) -> str | None:
        if has_pending_messages(request):
            return None
        changed_time = changed(request, *args, **kwargs)
        parts = [
            changed_time.isoformat() if changed_time else "-",
            request.get_full_path(),
            translation.get_language() or "",
            _viewer(request),
            templates_fingerprint(),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]

    def last_modified(request, *args, **kwargs) -> dt.datetime | None:
        if _viewer(request) != "anonymous" or has_pending_messages(request):
            return None
        return changed(request, *args, **kwargs)

    return condition(etag_func=etag, last_modified_func=last_modified)
