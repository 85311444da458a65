"""Password reset requests (limited, the same work for every address) and a member's own password change."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from comity.accounts.models import UserSession
from comity.accounts.tests.helpers import code_for
from comity.audit.models import AuditAction, AuditEvent
from comity.mail.models import OutboxEmail
from comity.testing import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

RESET = "/en/accounts/password/reset/"
CHANGE = "/en/accounts/profile/password/"
NEW = "a brand new passphrase 77"


# --- reset requests ---------------------------------------------------------------------------------------


def _shape(queries) -> list[tuple[str, str]]:
    """What a request did to the database, without the values: (statement, table) in order."""
    shape = []
    for query in queries:
        match = re.match(
            r'\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|SAVEPOINT|RELEASE SAVEPOINT)\b.*?(?:"(\w+)"|$)', query["sql"]
        )
        shape.append((match.group(1), match.group(2) or "") if match else (query["sql"][:20], ""))
    return shape


def test_known_and_unknown_addresses_do_the_same_work_in_the_request(users, settings):
    """The request only counts and enqueues; the lookup, audit and e-mail happen in the task for both."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    shapes, answers = {}, {}
    for email in (users["member"].email, "nobody@example.test"):
        with CaptureQueriesContext(connection) as queries:
            response = Client().post(RESET, {"email": email})
        answers[email] = (response.status_code, response.content.decode().split('id="reset-sent">')[1][:60])
        shapes[email] = _shape(queries.captured_queries)
    assert answers[users["member"].email] == answers["nobody@example.test"]
    assert answers["nobody@example.test"][0] == 200
    assert shapes[users["member"].email] == shapes["nobody@example.test"]
    # With the limits in the shared cache, one row is all the request writes: the queued task.
    assert shapes["nobody@example.test"] == [("INSERT INTO", "django_tasks_database_dbtaskresult")]
    assert not any(
        table in {"accounts_user", "audit_auditevent", "mail_outboxemail"} for _, table in shapes["nobody@example.test"]
    )
    assert list(DBTaskResult.objects.order_by("enqueued_at").values_list("task_path", "status")) == [
        ("comity.accounts.tasks.password_reset_send", "READY"),
        ("comity.accounts.tasks.password_reset_send", "READY"),
    ]
    assert OutboxEmail.objects.count() == 0
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET_REQUESTED).count() == 0
    # What the worker does with each row (`db_worker` itself is exercised in mail/tests).
    returned = [
        row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        for row in DBTaskResult.objects.order_by("enqueued_at")
    ]
    assert returned == [True, False]
    assert list(OutboxEmail.objects.values_list("to", "category")) == [(users["member"].email, "password_reset")]


def test_the_task_audits_with_the_requests_address(users):
    Client(REMOTE_ADDR="192.0.2.44").post(RESET, {"email": users["member"].email})
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_RESET_REQUESTED)
    assert (event.ip, event.target_id) == ("192.0.2.44", str(users["member"].pk))


def test_reset_requests_are_limited_per_account(users, settings):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 3
    answers = [
        Client(REMOTE_ADDR=f"192.0.2.{n}").post(RESET, {"email": users["member"].email}).status_code for n in range(5)
    ]
    assert answers == [200, 200, 200, 429, 429]
    assert OutboxEmail.objects.filter(category="password_reset").count() == 3
    refused = Client(REMOTE_ADDR="192.0.2.9").post(RESET, {"email": users["member"].email.upper()})
    assert refused.status_code == 429
    assert "Too many reset requests. Try again later." in refused.content.decode()
    # Another account is not concerned.
    assert Client(REMOTE_ADDR="192.0.2.9").post(RESET, {"email": users["observer"].email}).status_code == 200


def test_an_unknown_address_is_limited_exactly_like_a_known_one(users, settings):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 2
    for email in (users["member"].email, "nobody@example.test"):
        answers = [Client(REMOTE_ADDR=f"198.51.100.{n}").post(RESET, {"email": email}).status_code for n in range(3)]
        assert answers == [200, 200, 429]


def test_reset_requests_are_limited_per_client_address(users, settings):
    settings.PASSWORD_RESET_IP_LIMIT = 4
    client = Client(REMOTE_ADDR="203.0.113.77")
    answers = [client.post(RESET, {"email": f"ghost{n}@example.test"}).status_code for n in range(4)]
    assert answers == [200, 200, 200, 200]
    assert client.post(RESET, {"email": users["member"].email}).status_code == 429
    assert OutboxEmail.objects.count() == 0
    assert Client(REMOTE_ADDR="203.0.113.78").post(RESET, {"email": users["member"].email}).status_code == 200


def test_a_broken_task_queue_still_sends_the_link(users):
    broken = mock.Mock()
    broken.enqueue.side_effect = RuntimeError("queue down")
    with mock.patch("comity.accounts.tasks.password_reset_send", broken):
        assert Client().post(RESET, {"email": users["member"].email}).status_code == 200
    assert OutboxEmail.objects.filter(category="password_reset", to=users["member"].email).count() == 1


def test_a_bad_address_is_refused_and_counts_nothing(users):
    response = Client().post(RESET, {"email": "not an address"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    assert OutboxEmail.objects.count() == 0


# --- the member's own password change -------------------------------------------------------------------


@pytest.fixture
def member(users):
    return users["member"]


@pytest.fixture
def me(member):
    return sign_in(Client(), member)


def _code(member, drift=0):
    return code_for(TOTPDevice.objects.get(user=member, confirmed=True), drift)


def _change(client, member, *, current=PASSWORD, code=None, new=NEW, repeat=None):
    return client.post(
        CHANGE,
        {
            "current_password": current,
            "code": _code(member) if code is None else code,
            "password1": new,
            "password2": new if repeat is None else repeat,
        },
    )


def test_profile_shows_the_password_form(me):
    page = me.get("/en/accounts/profile/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Change your password" in html
    assert 'action="/en/accounts/profile/password/"' in html
    assert 'name="current_password"' in html


def test_change_ends_the_other_sessions_keeps_this_one_and_is_audited(me, member):
    other = sign_in(Client(), member)
    assert UserSession.objects.filter(user=member).count() == 2
    response = _change(me, member)
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/profile/"
    member.refresh_from_db()
    assert member.check_password(NEW)
    assert me.get("/en/accounts/profile/").status_code == 200
    assert other.get("/en/accounts/profile/").status_code == 302
    assert list(UserSession.objects.filter(user=member).values_list("session_key", flat=True)) == [
        me.session.session_key
    ]
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGED)
    assert (event.actor, event.target_id, event.details) == (member, str(member.pk), {"other_sessions_ended": 1})


def test_wrong_current_password_changes_nothing(me, member):
    response = _change(me, member, current="not my password at all")
    assert response.status_code == 400
    assert "The current password or the code is not correct." in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).count() == 0
    assert AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED).details == {"stage": "password_change"}


def test_wrong_code_changes_nothing(me, member):
    right = _code(member)
    response = _change(me, member, code="123456" if right != "123456" else "654321")
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).count() == 0
    assert AuditEvent.objects.get(action=AuditAction.OTP_FAILED).details == {"stage": "password_change"}


@pytest.mark.parametrize(
    ("new", "repeat", "message"),
    [
        ("short", "short", "This password is too short. It must contain at least 12 characters."),
        (NEW, NEW + "x", "The two passwords do not match."),
    ],
)
def test_a_refused_new_password_changes_nothing(me, member, new, repeat, message):
    response = _change(me, member, new=new, repeat=repeat)
    assert response.status_code == 400
    assert message in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).count() == 0


def test_repeated_failures_lock_the_change(me, member):
    for _ in range(settings.LOGIN_FREE_ATTEMPTS - 1):
        assert _change(me, member, current="wrong wrong wrong").status_code == 400
    assert _change(me, member, current="wrong wrong wrong").status_code == 429
    locked = _change(me, member)
    assert locked.status_code == 429
    assert "Too many failed attempts. Try again after" in locked.content.decode()
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_change_needs_a_signed_in_member_and_a_post(me):
    anonymous = Client().post(CHANGE, {"current_password": PASSWORD})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/en/accounts/login/")
    assert me.get(CHANGE).status_code == 405


def test_the_reset_link_is_mailed_in_the_readers_language(users, django_capture_on_commit_callbacks):
    users["member"].preferred_language = "fr"
    users["member"].save()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(RESET, {"email": users["member"].email})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [users["member"].email]
    assert mail.outbox[0].subject == "Réinitialisez votre mot de passe Comity"
    assert re.search(r"/accounts/password/reset/[^/\s]+/[^/\s]+/", mail.outbox[0].body)
