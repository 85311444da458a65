"""Bursts of parallel guesses from several processes against one account, on PostgreSQL and Redis.

The web processes of production share only the database and Redis; these tests fork five processes that
each send ten requests at the same moment (fifty in all, through the whole Django stack), and count what got
through to the password or code check. "Got through" is visible twice: as the answers (a wrong guess that was
checked answers 400, or 429 when it was the one that armed the lock) and as the audit events, which are
written only for guesses that were checked.

Run with DATABASE_URL=postgres://... and REDIS_URL (or COMITY_TEST_REDIS_URL)=redis://host:6379/<db>.
The Redis database is flushed: give these tests a database of their own.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import uuid

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from comity.accounts.tests.helpers import code_for
from comity.audit.models import AuditAction, AuditEvent
from comity.core import ratelimit
from comity.mail.models import OutboxEmail
from comity.testing import PASSWORD

REDIS_URL = os.environ.get("COMITY_TEST_REDIS_URL") or os.environ.get("REDIS_URL") or ""
PROCESSES = 5
PER_PROCESS = 10
TOTAL = PROCESSES * PER_PROCESS

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="several processes need PostgreSQL (DATABASE_URL)"),
    pytest.mark.skipif(not REDIS_URL, reason="limits shared by several processes need Redis (REDIS_URL)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def shared_store():
    """Every process uses the same Redis, as production does; nothing is left in it afterwards."""
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"comity-test-{uuid.uuid4().hex[:8]}",
        }
    }
    with override_settings(CACHES=caches, LOGIN_FREE_ATTEMPTS=5, LOGIN_BASE_LOCK_SECONDS=60):
        cache.clear()
        yield
        cache.clear()


def _burst(requests_per_process: list[list]) -> list:
    """Run each inner list in its own forked process, one thread per request, all released at once.

    A request is a callable returning a picklable result; the results of all processes are returned.
    """
    context = multiprocessing.get_context("fork")
    total = sum(len(requests) for requests in requests_per_process)
    start = context.Barrier(total)
    results = context.Queue()

    def run_process(requests):
        def run_one(request):
            try:
                start.wait(timeout=60)
                results.put(request())
            except Exception as exc:  # reported to the parent, which fails the test
                results.put(f"error: {exc!r}")
            finally:
                connection.close()

        threads = [threading.Thread(target=run_one, args=(request,)) for request in requests]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    connections.close_all()  # the children must open their own connections, not share the parent's socket
    processes = [context.Process(target=run_process, args=(requests,)) for requests in requests_per_process]
    for process in processes:
        process.start()
    collected = []
    try:
        for _ in range(total):
            collected.append(results.get(timeout=120))
    except queue.Empty:
        pytest.fail(f"only {len(collected)} of {total} requests answered")
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return collected


def _post(client: Client, path: str, data: dict):
    return lambda: client.post(path, data).status_code


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_fifty_parallel_wrong_passwords_check_exactly_the_free_attempts(users):
    """With the real, slow hash every guess is in flight at once: only the free attempts reach the hash."""
    member = users["member"]
    member.set_password(PASSWORD)
    member.save(update_fields=["password"])
    requests = [
        [
            _post(
                Client(REMOTE_ADDR=f"203.0.113.{process}"),
                "/en/accounts/login/",
                {
                    "email": member.email,
                    "password": f"wrong guess {process}-{index}",
                },
            )
            for index in range(PER_PROCESS)
        ]
        for process in range(PROCESSES)
    ]
    answers = _burst(requests)
    # A checked guess answers 400, or 429 if the lock was armed meanwhile (by the fifth, which is slower than
    # the refusals): which of the two depends on timing. What got through is exactly counted by the audit.
    assert len(answers) == TOTAL
    assert set(answers) <= {400, 429}
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 5
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKED).count() == 1
    # The right password waits for the lock like anyone else.
    assert (
        Client(REMOTE_ADDR="198.51.100.1")
        .post("/en/accounts/login/", {"email": member.email, "password": PASSWORD})
        .status_code
        == 429
    )


def test_fifty_parallel_wrong_codes_check_exactly_the_free_attempts(users):
    member = users["member"]
    device = TOTPDevice.objects.create(user=member, name="phone", confirmed=True)
    right = code_for(device)
    wrong = "123456" if right != "123456" else "654321"
    clients = []
    for process in range(PROCESSES):
        row = []
        for _ in range(PER_PROCESS):
            client = Client(REMOTE_ADDR=f"203.0.113.{process}")
            assert client.post("/en/accounts/login/", {"email": member.email, "password": PASSWORD}).status_code == 302
            row.append(client)
        clients.append(row)
    answers = _burst(
        [[_post(client, "/en/accounts/login/verify/", {"code": wrong}) for client in row] for row in clients]
    )
    # A checked guess answers 400, or 429 if the lock was armed meanwhile (by the fifth, which is slower than
    # the refusals): which of the two depends on timing. What got through is exactly counted by the audit.
    assert len(answers) == TOTAL
    assert set(answers) <= {400, 429}
    assert AuditEvent.objects.filter(action=AuditAction.OTP_FAILED).count() == 5
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_SUCCEEDED).count() == 0
    assert ratelimit.check([("otp-acct", str(member.pk))]).locked is True


def test_reset_flood_against_one_account_sends_exactly_the_allowed_links(users, settings):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 3
    settings.PASSWORD_RESET_IP_LIMIT = 20
    member = users["member"]
    requests = [
        [
            _post(Client(REMOTE_ADDR=f"203.0.113.{process}"), "/en/accounts/password/reset/", {"email": member.email})
            for _ in range(PER_PROCESS)
        ]
        for process in range(PROCESSES)
    ]
    answers = _burst(requests)
    assert sorted(answers) == [200] * 3 + [429] * (TOTAL - 3)
    assert OutboxEmail.objects.filter(category="password_reset", user=member).count() == 3
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET_REQUESTED).count() == 3


def test_reset_flood_from_one_address_is_limited_per_address(users, settings):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 3
    settings.PASSWORD_RESET_IP_LIMIT = 20
    emails = [users["member"].email] + [f"ghost{n}@example.test" for n in range(TOTAL - 1)]
    requests = [
        [
            _post(Client(REMOTE_ADDR="192.0.2.50"), "/en/accounts/password/reset/", {"email": email})
            for email in emails[process * PER_PROCESS : (process + 1) * PER_PROCESS]
        ]
        for process in range(PROCESSES)
    ]
    answers = _burst(requests)
    assert sorted(answers) == [200] * 20 + [429] * (TOTAL - 20)
