"""The sign-in backend: Django's model backend, with the row of a signed-in session's user kept between requests
(`comity.accounts.kept`)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from comity.accounts import kept

BACKEND = "comity.accounts.backends.AccountBackend"


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        user = kept.user_row(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
