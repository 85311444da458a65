"""Who is signed in is kept between requests (comity.accounts.kept): a warm request reads neither the user, nor the
second-factor device, nor the tracked session from the database, and yet every change to them counts on the next
request; a write that bypasses model signals counts within kept.MAX_AGE seconds."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from comity.accounts import kept
from comity.accounts.models import User, UserSession
from comity.core import generations

pytestmark = pytest.mark.django_db

PAGE = "/en/accounts/profile/"
SIGNED_IN_TABLES = re.compile(r'"(accounts_user|otp_totp_totpdevice|accounts_usersession)"')


def _signed_in(client) -> bool:
    response = client.get(PAGE)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def _signed_in_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PAGE).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if SIGNED_IN_TABLES.search(q["sql"].split(" WHERE ")[0])]


def test_a_warm_request_reads_no_user_device_or_tracked_session(personas):
    client = personas["member"]
    first = _signed_in_queries(client)
    assert len(first) >= 3  # the first request of the process reads all three
    assert _signed_in_queries(client) == []


def test_each_request_gets_its_own_copy_of_the_kept_user(personas, users):
    client = personas["member"]
    response = client.get(PAGE)
    request_user = response.wsgi_request.user
    assert request_user.is_verified()
    again = client.get(PAGE).wsgi_request.user
    assert again is not request_user
    assert again.otp_device is not request_user.otp_device
    kept_row = kept._USERS._entries[users["member"].pk][2]
    assert kept_row is not request_user and "otp_device" not in kept_row.__dict__


def test_a_revoked_session_is_signed_out_at_once(personas, users):
    client = personas["member"]
    assert _signed_in(client)
    UserSession.objects.filter(user=users["member"]).delete()  # the session store itself still holds it
    assert not _signed_in(client)


def test_a_deactivated_account_is_signed_out_at_once(personas, users):
    client = personas["member"]
    assert _signed_in(client)
    member = User.objects.get(pk=users["member"].pk)
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert not _signed_in(client)


def test_a_changed_password_ends_the_session_at_once(personas, users):
    client = personas["member"]
    assert _signed_in(client)
    member = User.objects.get(pk=users["member"].pk)
    member.set_password("another correct horse battery")
    member.save(update_fields=["password"])
    assert not _signed_in(client)  # the session's hash of the old password no longer matches


def test_a_removed_second_factor_unverifies_the_session_at_once(personas, users):
    client = personas["member"]
    assert _signed_in(client)
    TOTPDevice.objects.filter(user=users["member"]).delete()
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.wsgi_request.user.is_authenticated and not response.wsgi_request.user.is_verified()


def test_another_persons_session_is_untouched_by_a_revocation(personas, users):
    assert _signed_in(personas["coordinator"])
    UserSession.objects.filter(user=users["member"]).delete()
    assert _signed_in(personas["coordinator"])
    assert not _signed_in(personas["member"])


def test_the_unread_count_in_the_header_follows_the_bulk_counter(personas, users):
    from comity.notifications import services

    client = personas["member"]
    assert 'id="notifications-link">Notifications</a>' in client.get(PAGE).content.decode()
    services.unread_bump(user_ids=[users["member"].pk])  # a queryset update: no signal
    html = client.get(PAGE).content.decode()
    assert re.search(r'id="notifications-link">Notifications <span class="badge">1<', html)


def test_a_write_without_signals_counts_within_the_time_limit(personas, users, monkeypatch):
    client = personas["member"]
    assert _signed_in(client)
    User.objects.filter(pk=users["member"].pk).update(is_active=False)  # no signal, nothing bumped
    assert _signed_in(client)  # still the kept row
    now = generations.time.monotonic()
    monkeypatch.setattr(generations.time, "monotonic", lambda: now + kept.MAX_AGE + 1)
    assert not _signed_in(client)
