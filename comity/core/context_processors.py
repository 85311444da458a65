"""Template context shared by every page."""

from django.conf import settings
from django.utils import translation


def site(request):
    language = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "LANGUAGE_CODE": language,
        "LANGUAGE_BIDI": translation.get_language_bidi(),
        "LANGUAGES": settings.LANGUAGES,
    }
