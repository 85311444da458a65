"""More of the upload locks: the lease row (usable on any database) and the advisory lock's edge cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from comity.files import locks, storage
from comity.files.models import Lease


@pytest.mark.django_db
def test_a_live_lease_is_not_taken_and_renewal_waits_its_turn():
    first = locks._LeaseHolder("upload:x")
    first.acquire()
    second = locks._LeaseHolder("upload:x")
    with pytest.raises(locks.Busy, match="upload:x"):
        second.acquire()
    expires = Lease.objects.get().expires_at
    first.renew()  # renewed just now: nothing written
    assert Lease.objects.get().expires_at == expires
    second.release()  # not the holder: the lease stays
    assert Lease.objects.get().holder == first.holder
    Lease.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    second.acquire()  # expired: taken over
    assert Lease.objects.get().holder == second.holder
    first.renewed = 0
    first.renew()  # the old holder no longer renews anything
    assert Lease.objects.get().expires_at > timezone.now() + dt.timedelta(seconds=60)
    assert Lease.objects.get().holder == second.holder
    second.release()
    assert Lease.objects.count() == 0


@pytest.mark.django_db
def test_keep_alive_outside_a_lock_does_nothing():
    assert locks._current.get() is None
    locks.keep_alive()
    assert Lease.objects.count() == 0


def test_advisory_keys_are_stable_signed_64_bit_and_distinct():
    key = locks._advisory_key("upload:" + "ab" * 20)
    assert key == locks._advisory_key("upload:" + "ab" * 20)
    assert -(2**63) <= key < 2**63
    assert key != locks._advisory_key("upload:" + "cd" * 20)


@pytest.mark.skipif(
    connection.vendor == "postgresql", reason="the lease row is the lock where there are no advisory locks"
)
@pytest.mark.django_db
def test_a_live_lease_of_another_process_makes_the_upload_busy():
    Lease.objects.create(name="upload:" + "ab" * 20, holder="other", expires_at=timezone.now() + locks.LEASE)
    with pytest.raises(storage.UploadBusy), storage.upload_lock("ab" * 20):
        pytest.fail("the lock was granted")
    assert Lease.objects.get().holder == "other"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_an_advisory_lock_is_released_by_closing_the_connection_when_unlocking_fails():
    from django.db import connections

    wrapper = connections["default"]
    key = locks._advisory_key("upload:" + "ef" * 20)

    def failing_cursor(*args, **kwargs):
        raise RuntimeError("connection lost")

    try:
        with storage.upload_lock("ef" * 20):
            assert key in connection.__dict__["_comity_advisory_locks"]
            wrapper.cursor = failing_cursor  # the unlock fails
    finally:
        wrapper.__dict__.pop("cursor", None)
    assert wrapper.connection is None  # closed, which released the lock
    assert key not in connection.__dict__["_comity_advisory_locks"]
    with storage.upload_lock("ef" * 20):  # a new session may take it
        assert key in connection.__dict__["_comity_advisory_locks"]
