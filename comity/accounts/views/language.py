"""The page language and the language of a user's e-mails are two things, and every change of either is said.

The header's language switch changes the pages only (Django's language cookie); the profile's preferred language,
which also picks the language of the user's e-mails, changes only on the profile page. Signing in shows the pages in
the profile's language, and says so when that is not the language the sign-in page was in."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from comity.core.i18n import UI_LANGUAGES, native_language_name


@require_POST
def set_language(request):
    """Django's language switch; for a signed-in user, a note that their e-mails keep the profile's language."""
    language = request.POST.get("language", "")
    response = django_set_language(request)
    user = request.user
    if user.is_authenticated and language in UI_LANGUAGES and language != user.preferred_language:
        with translation.override(language):
            messages.info(
                request,
                _(
                    "Pages are now shown in %(language)s. Your e-mails stay in %(preferred)s, the language of your "
                    "profile, where you can change it."
                )
                % {
                    "language": native_language_name(language),
                    "preferred": native_language_name(user.preferred_language),
                },
            )
    return response


def announce_sign_in_language(request, *, language: str, page_language: str | None) -> None:
    """Signing in moves the pages to the profile's language: say so when that differs from the sign-in page's."""
    if not language or not page_language or language == page_language or language not in dict(settings.LANGUAGES):
        return
    with translation.override(language):
        messages.info(
            request,
            _(
                "Pages are shown in %(language)s, the language of your profile. You can choose another language at "
                "the top of any page."
            )
            % {"language": native_language_name(language)},
        )
