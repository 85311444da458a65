"""Test helpers shared by every app: signing a persona in, and the permission matrix."""

from __future__ import annotations

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery staple"  # noqa: S105 - test persona password
PERSONAS = ("anonymous", "member", "member_other", "coordinator", "coordinator_other", "secretariat")


def sign_in(client: Client, user) -> Client:
    """Sign a user in as if they had passed both factors (tracked session, recent re-auth)."""
    from comity.accounts.decorators import REAUTH_AT
    from comity.accounts.middleware import AUTH_AT, LAST_SEEN
    from comity.accounts.models import UserSession

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    now = time.time()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[AUTH_AT] = now
    session[LAST_SEEN] = now
    session[REAUTH_AT] = now
    session.save()
    UserSession.objects.get_or_create(user=user, session_key=session.session_key)
    return client


def check_matrix(personas: dict, method: str, url: str, expected: dict[str, int], data=None,
                 content_type: str | None = None) -> None:
    """Request `url` as each persona and compare status codes; reports every mismatch at once."""
    mismatches = []
    for name, want in expected.items():
        client = personas[name]
        kwargs = {"data": data} if data is not None else {}
        if content_type:
            kwargs["content_type"] = content_type
        response = getattr(client, method.lower())(url, **kwargs)
        if response.status_code != want:
            mismatches.append(f"{name}: expected {want}, got {response.status_code}")
    assert not mismatches, f"{method} {url}: " + "; ".join(mismatches)
