"""Test helpers shared by every app: signing a persona in, the permission matrix, and the "nothing was written"
snapshot. Never imported by runtime code (tests/test_layers.py checks it)."""

from __future__ import annotations

import time

from django.forms.models import model_to_dict
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from comity.accounts.backends import BACKEND

PASSWORD = "correct horse battery staple"  # noqa: S105 - test persona password
PERSONAS = ("anonymous", "member", "member_other", "coordinator", "coordinator_other", "secretariat")


def sign_in(client: Client, user) -> Client:
    """Sign a user in as if they had passed both factors (tracked session, recent re-auth)."""
    from comity.accounts.middleware import AUTH_AT, LAST_SEEN
    from comity.accounts.models import UserSession
    from comity.core.decorators import REAUTH_AT

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    client.force_login(user, backend=BACKEND)
    session = client.session
    now = time.time()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[AUTH_AT] = now
    session[LAST_SEEN] = now
    session[REAUTH_AT] = now
    session.save()
    UserSession.objects.get_or_create(user=user, session_key=session.session_key)
    return client


def check_matrix(
    personas: dict, method: str, url: str, expected: dict[str, int], data=None, content_type: str | None = None
) -> None:
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


class Unchanged:
    """Snapshot some rows and the row counts of some tables (the audit log's always); `check()` asserts that
    nothing was written since, e.g. after a denied or rejected write. An app's tests subclass it to name their
    tables and, where a row's related rows matter, a richer `snapshot`."""

    tables: tuple = ()

    @staticmethod
    def snapshot(record) -> dict:
        return model_to_dict(type(record).objects.get(pk=record.pk))

    def __init__(self, *records):
        self.records = records
        self.snapshots = [self.snapshot(record) for record in records]
        self.counts = self._counts()

    def _counts(self) -> tuple[int, ...]:
        from comity.audit.models import AuditEvent

        return tuple(model.objects.count() for model in (*self.tables, AuditEvent))

    def check(self) -> None:
        assert [self.snapshot(record) for record in self.records] == self.snapshots
        assert self._counts() == self.counts
