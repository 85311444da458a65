"""What /readyz checks: every shared part a host needs to serve, and the signs that background work is stuck."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from comity.ops import selectors

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


def _database() -> tuple[bool, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, connection.vendor


def _cache() -> tuple[bool, str]:
    key, value = f"comity:readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    ok = cache.get(key) == value
    cache.delete(key)
    return ok, "" if ok else "a value written could not be read back"


def _object_store() -> tuple[bool, str]:
    from comity.files import storage

    return storage.objects().check()


def _worker() -> tuple[bool, str]:
    age = selectors.heartbeat_age(now=timezone.now())
    limit = settings.COMITY_READY_HEARTBEAT_SECONDS
    if age is None:
        return False, "no worker has reported (manage.py worker)"
    return age <= limit, f"last heartbeat {age:.0f}s ago (limit {limit}s)"


def _task_queue() -> tuple[bool, str]:
    age = selectors.oldest_ready_task_age(now=timezone.now())
    limit = settings.COMITY_READY_TASK_AGE_SECONDS
    if age is None:
        return True, "no task waiting"
    return age <= limit, f"oldest waiting task {age:.0f}s (limit {limit}s)"


def _outbox() -> tuple[bool, str]:
    failed = selectors.failed_outbox_count()
    limit = settings.COMITY_READY_FAILED_OUTBOX
    return failed <= limit, f"{failed} failed e-mail (limit {limit})"


CHECKS: tuple[tuple[str, Callable[[], tuple[bool, str]]], ...] = (
    ("database", _database),
    ("cache", _cache),
    ("object_store", _object_store),
    ("worker", _worker),
    ("task_queue", _task_queue),
    ("outbox", _outbox),
)


def run_checks() -> list[Check]:
    results = []
    database_ok = True
    for name, check in CHECKS:
        if not database_ok and name in {"worker", "task_queue", "outbox"}:
            results.append(Check(name, False, "skipped: the database is down"))
            continue
        try:
            ok, detail = check()
        except Exception as exc:  # each check reports its own failure; one never hides the others
            # The class only: /readyz is public, and messages can name internal hosts; the log has the rest.
            logger.warning("readiness check %s failed", name, exc_info=True)
            ok, detail = False, type(exc).__name__
        if name == "database":
            database_ok = ok
        results.append(Check(name, ok, detail))
    return results
