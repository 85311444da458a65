"""Log lines name no private consultation.

The addresses of a space's pages (the forum's `/forum/s/<slug>/...` and the file exchange's `/files/spaces/<slug>/...`)
carry its slug, and a private consultation's slug is made from its name, which can reveal a case. Django logs the
path of every request that fails (4xx as warnings, 5xx as errors), and those lines go to the operators, who are not
participants. This filter replaces the slug in such lines with `*`; ids (threads, posts, files) stay, so a line can
still be traced. A personal calendar feed's address (`/meetings/feed/<token>.ics`) carries its secret token, which
is replaced the same way. It sits on the loggers themselves (not on a handler), so it applies whatever handlers a
deployment configures.
"""

from __future__ import annotations

import logging
import re

SLUG_IN_PATH = re.compile(r"(/(?:forum/s|files/spaces|meetings/feed)/)[^/?#\s]+")
LOGGERS = ("django.request", "django.server", "django.security", "django.security.csrf")


def redact(value):
    return SLUG_IN_PATH.sub(r"\1*", value) if isinstance(value, str) else value


class SpaceSlugFilter(logging.Filter):
    """Replace space slugs in a record's message and arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(arg) for key, arg in record.args.items()}
        return True


def install() -> None:
    """Attach the filter to Django's request loggers, once (called from the forum's AppConfig.ready)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, SpaceSlugFilter) for existing in logger.filters):
            logger.addFilter(SpaceSlugFilter())
