"""View guards: signed in with two factors; recent re-authentication for sensitive actions."""

from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlparse

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

REAUTH_AT = "comity_reauth_at"
# A form posted after the session ended: {"action", "page", "fields", "at"} (see preserve_post).
PRESERVED_POST = "comity_preserved_post"
PRESERVED_MAX_AGE = 2 * 60 * 60
PRESERVED_MAX_CHARS = 200_000
_NOT_PRESERVED = {"csrfmiddlewaretoken", "password", "otp_token", "token", "code"}


def preserve_post(request) -> str:
    """Keep the text of a form that was posted after the session had expired, and answer where to return.

    The text goes into the (new, anonymous) session of this browser, which the sign-in carries over (it cycles the
    session key and keeps its data); it is given back once, to the page the form was on, for up to two hours. The
    page is the Referer when it is on this site and is not the form's own address, else the form's address (a
    page that shows its form on GET). Files are not kept (a browser cannot resend them)."""
    action = request.path
    page = request.META.get("HTTP_REFERER") or ""
    if page:
        parsed = urlparse(page)
        same_host = not parsed.netloc or parsed.netloc == request.get_host()
        page = (parsed.path + (f"?{parsed.query}" if parsed.query else "")) if same_host else ""
    fields: dict[str, list[str]] = {}
    size = 0
    for name, values in request.POST.lists():
        if name in _NOT_PRESERVED:
            continue
        kept = [value for value in values if isinstance(value, str)]
        size += sum(len(value) for value in kept)
        if size > PRESERVED_MAX_CHARS:
            break
        fields[name] = kept
    if fields:
        request.session[PRESERVED_POST] = {
            "action": action,
            "page": page or action,
            "fields": fields,
            "at": time.time(),
        }
    return page or action


def take_preserved(request, *, action: str) -> dict[str, list[str]] | None:
    """The fields of a form posted to `action` after the session had expired, once (then forgotten)."""
    kept = request.session.get(PRESERVED_POST)
    if not kept or kept.get("action") != action:
        return None
    del request.session[PRESERVED_POST]
    if time.time() - kept.get("at", 0) > PRESERVED_MAX_AGE:
        return None
    return kept.get("fields") or None


def preserved_initial(fields: dict[str, list[str]] | None, *, multiple: tuple[str, ...] = ()) -> dict:
    """A form's `initial` from preserved fields: one value per field, lists for the multiple ones."""
    if not fields:
        return {}
    return {name: (values if name in multiple else values[-1]) for name, values in fields.items() if values}


def member_required(view):
    """Signed in, active and verified with a second factor; everyone else goes to sign-in.

    A form posted when the session has expired does not lose its text: it is kept (`preserve_post`) and, after
    signing in, the person returns to the page the form was on (never to the form's POST-only address)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_verified()):
            target = request.get_full_path()
            if request.method == "POST" and hasattr(request, "session"):
                target = preserve_post(request)
                if not user.is_authenticated:
                    messages.info(
                        request,
                        _("Your session had ended. Sign in again: your text is kept and will be back on the page."),
                    )
            return redirect_to_login(target, reverse("accounts:login"))
        return view(request, *args, **kwargs)

    return wrapper


def recent_auth_required(view):
    """Sensitive actions ask for the password and a code when the last check is too old."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        last = request.session.get(REAUTH_AT, 0)
        if time.time() - last > settings.REAUTH_MAX_AGE:
            target = (
                request.get_full_path()
                if request.method == "GET"
                else request.META.get("HTTP_REFERER", request.get_full_path())
            )
            return redirect(reverse("accounts:reauth") + "?" + urlencode({"next": target}))
        return view(request, *args, **kwargs)

    return member_required(wrapper)
