"""Password rules after NIST SP 800-63B: length and blocklists, no composition rules."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CONTEXT_WORDS = (
    "comity",
    "unodc",
    "untoc",
    "password",
    "motdepasse",
    "contrasena",
    "senha",
    "extradition",
    "mutual legal assistance",
    "central authority",
)


class ContextSpecificPasswordValidator:
    """Refuses passwords built on the service's name or the user's e-mail, and trivial repetition."""

    def validate(self, password, user=None):
        lowered = re.sub(r"[\s_.-]+", "", password.lower())
        for word in CONTEXT_WORDS:
            if word.replace(" ", "") in lowered:
                raise ValidationError(
                    _("This password contains a word that is too easy to guess here."), code="password_context"
                )
        email = (getattr(user, "email", "") or "").lower()
        local = email.split("@")[0]
        if len(local) >= 4 and local in lowered:
            raise ValidationError(_("This password must not contain your e-mail address."), code="password_email")
        if len(set(password)) <= 3:
            raise ValidationError(_("This password repeats too few characters."), code="password_repetitive")

    def get_help_text(self):
        return _("Your password must not contain the name of this service or your e-mail address.")


class MaximumLengthValidator:
    max_length = 256

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(_("This password is too long (at most 256 characters)."), code="password_too_long")

    def get_help_text(self):
        return _("Use at least 12 characters; a long passphrase is best.")
