"""Template context shared by every page."""

from django.conf import settings
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString

_MASKED = "_comity_masked_csrf"


def masked_csrf_token(request) -> str:
    """The request's CSRF token, masked once per request (for as long as its secret is the same) rather than once per
    form: Django's Jinja2 backend masks it anew, with 32 random characters, each time a template writes it, and a
    thread page has four forms. One mask per response is what Django's own template tag gives (its context
    processor evaluates the token once); the mask still differs from one response to the next."""
    secret = request.META.get("CSRF_COOKIE")
    found = getattr(request, _MASKED, None)
    if found is None or found[0] != secret:
        token = get_token(request)  # may set CSRF_COOKIE (a new secret), and marks the cookie to be sent
        found = (request.META.get("CSRF_COOKIE"), token)
        setattr(request, _MASKED, found)
    return found[1]


def _csrf_input(request) -> str:
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', masked_csrf_token(request))


_csrf_input_lazy = lazy(_csrf_input, SafeString, str)
_csrf_token_lazy = lazy(masked_csrf_token, str)


def site(request):
    language = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "LANGUAGE_CODE": language,
        "LANGUAGE_BIDI": translation.get_language_bidi(),
        "LANGUAGES": settings.LANGUAGES,
        # Still lazy: a page without a form neither reads the token nor sets the CSRF cookie.
        "csrf_input": _csrf_input_lazy(request),
        "csrf_token": _csrf_token_lazy(request),
    }
