"""Exclusive, non-blocking named locks shared by every process on every host, for uploads in progress.

PostgreSQL: a session-level advisory lock, released when its holder releases it or when its connection ends (the
process died), like the `flock` it replaces. Elsewhere (SQLite, one host): a lease row that its holder renews while
it works (`keep_alive`) and that anyone may take over once it has expired (its holder died)."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import secrets
import time

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

LEASE = dt.timedelta(minutes=2)
RENEW_EVERY = 30.0  # seconds


class Busy(Exception):
    """Another holder has the lock."""


_current: contextvars.ContextVar[_LeaseHolder | None] = contextvars.ContextVar("comity_files_lease", default=None)


def _advisory_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(b"comity-lock\x00" + name.encode()).digest()[:8], "big", signed=True)


@contextlib.contextmanager
def _advisory(name: str):
    key = _advisory_key(name)
    # Advisory locks are re-entrant within one session; a second holder in this same connection (another
    # request of this thread, the purge inside an append) must be refused as another process would be.
    held: set[int] = connection.__dict__.setdefault("_comity_advisory_locks", set())
    if key in held:
        raise Busy(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        (acquired,) = cursor.fetchone()
    if not acquired:
        raise Busy(name)
    held.add(key)
    try:
        yield
    finally:
        held.discard(key)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        except Exception:
            connection.close()  # closing the session releases the lock in any case


class _LeaseHolder:
    def __init__(self, name: str):
        from comity.files.models import Lease

        self.model = Lease
        self.name = name
        self.holder = secrets.token_hex(16)
        self.renewed = time.monotonic()

    def acquire(self) -> None:
        now = timezone.now()
        try:
            with transaction.atomic():
                self.model.objects.create(name=self.name, holder=self.holder, expires_at=now + LEASE)
            return
        except IntegrityError:
            pass
        taken = self.model.objects.filter(name=self.name, expires_at__lt=now).update(
            holder=self.holder, expires_at=now + LEASE
        )
        if not taken:
            raise Busy(self.name)

    def renew(self) -> None:
        if time.monotonic() - self.renewed >= RENEW_EVERY:
            self.model.objects.filter(name=self.name, holder=self.holder).update(expires_at=timezone.now() + LEASE)
            self.renewed = time.monotonic()

    def release(self) -> None:
        self.model.objects.filter(name=self.name, holder=self.holder).delete()


@contextlib.contextmanager
def exclusive(name: str):
    """Hold the lock `name` for the block; raises Busy at once when someone else holds it."""
    from comity.files.storage import UploadBusy

    if connection.vendor == "postgresql":
        try:
            with _advisory(name):
                yield
        except Busy as exc:
            raise UploadBusy from exc
        return
    lease = _LeaseHolder(name)
    try:
        lease.acquire()
    except Busy as exc:
        raise UploadBusy from exc
    token = _current.set(lease)
    try:
        yield
    finally:
        _current.reset(token)
        lease.release()


def keep_alive() -> None:
    """Renew the lease held by this block of work (at most every RENEW_EVERY seconds; nothing on PostgreSQL)."""
    lease = _current.get()
    if lease is not None:
        lease.renew()
