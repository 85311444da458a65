"""Writing audit events. Call from inside the service's transaction.

The chain has one head row, locked by every append until the appending transaction ends: every audited action
on the platform waits while one transaction holds it. So a transaction calls `audit_log` as its last write and
commits at once; long work (imports, purges) commits row by row or in small batches, each with its own events.
A hold longer than `AUDIT_CHAIN_HOLD_WARNING_SECONDS` is logged with the action that took the lock, so that a
long holder shows up in the logs before it shows up as stalled sign-ins.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import ipaddress
import logging
import math
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comity.audit.models import GENESIS_HASH, AuditAction, AuditChainHead, AuditEvent
from comity.core import context

logger = logging.getLogger(__name__)
DEFAULT_HOLD_WARNING_SECONDS = 1.0
# The hold check registered by each connection's current transaction (connections are per thread).
_hold_reports: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_rehearsing: contextvars.ContextVar[bool] = contextvars.ContextVar("comity_audit_rehearsal", default=False)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # NaN and infinities are not JSON; PostgreSQL's jsonb would refuse the row
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _stored_ip(value: str | None) -> str | None:
    """The address exactly as the database will store it, so that the hash covers the stored value.

    GenericIPAddressField rewrites IPv6 addresses on save (lower case, compressed, no zone id); hashing
    the raw value would make an untouched row look altered. Anything that is not an address is dropped.
    """
    if not value:
        return None
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return None
    return AuditEvent._meta.get_field("ip").get_prep_value(value)


def _event(
    *,
    action: AuditAction,
    actor=None,
    target=None,
    target_type: str = "",
    target_id: str | int = "",
    country: str | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """The event's content, not yet chained (no seq, hashes or time)."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
    ctx = context.current()
    actor_obj = actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None
    return AuditEvent(
        actor=actor_obj,
        actor_label=getattr(actor_obj, "email", "") if actor_obj else "",
        action=AuditAction(action).value,
        target_type=str(target_type or ""),
        target_id=str(target_id if target_id is not None else ""),
        country_code=(country or "").upper()[:2],
        ip=_stored_ip(ctx.ip),
        user_agent=ctx.user_agent,
        request_id=ctx.request_id,
        details=_jsonable(details or {}),
    )


def _append(events: list[AuditEvent]) -> list[AuditEvent]:
    """Chain and insert the events under the head's lock: one locked read, one insert, one update."""
    if _rehearsing.get() or not events:
        # Inside `rehearsal()` everything is rolled back: the events are built, the chain (and its lock) left alone.
        return events
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
        )
        now = timezone.now().astimezone(dt.UTC)
        seq, prev_hash = head.seq, head.hash
        for event in events:
            seq += 1
            event.seq, event.created_at, event.prev_hash = seq, now, prev_hash
            event.hash = prev_hash = event.compute_hash()
        if len(events) == 1:
            events[0].save()
        else:
            AuditEvent.objects.bulk_create(events)
        head.seq, head.hash = seq, prev_hash
        head.save(update_fields=["seq", "hash"])
        _watch_hold(events[0].action)
    return events


def audit_log(
    *,
    action: AuditAction,
    actor=None,
    target=None,
    target_type: str = "",
    target_id: str | int = "",
    country: str | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain. `target` may be a model instance; `country` an ISO alpha-2 code."""
    event = _event(
        action=action,
        actor=actor,
        target=target,
        target_type=target_type,
        target_id=target_id,
        country=country,
        details=details,
    )
    return _append([event])[0]


def audit_log_many(entries: list[dict[str, Any]]) -> list[AuditEvent]:
    """Append several events (each a dict of `audit_log`'s arguments) with one lock of the chain and one insert.

    For work that records many events in one transaction (a daily run, a purge): call it as the transaction's
    last write, so the chain is locked for one short insert, not for the whole run."""
    return _append([_event(**entry) for entry in entries])


@contextmanager
def rehearsal() -> Iterator[None]:
    """Run writes that are all undone: a dry run through the real services.

    Inside the block `audit_log` builds its event but appends nothing to the chain and takes no lock, and the
    block's transaction is always rolled back (also when it ends normally), so no change made inside can ever be
    committed without its audit event.
    """
    token = _rehearsing.set(True)
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        _rehearsing.reset(token)


def hold_warning_seconds() -> float:
    return float(getattr(settings, "AUDIT_CHAIN_HOLD_WARNING_SECONDS", DEFAULT_HOLD_WARNING_SECONDS))


def _watch_hold(action: str) -> None:
    """Log when the transaction that just locked the chain head commits long after taking the lock."""
    wrapper = transaction.get_connection()  # this thread's connection, not the shared proxy
    if not wrapper.in_atomic_block:
        return
    pending = _hold_reports.get(wrapper)
    if pending is not None and any(entry[1] is pending for entry in wrapper.run_on_commit):
        return  # this transaction already holds the lock; it is measured from its first event
    started = time.monotonic()

    def report() -> None:
        held = time.monotonic() - started
        if held > hold_warning_seconds():
            logger.warning("audit chain lock held %.2f s by a transaction that began with %s", held, action)

    _hold_reports[wrapper] = report
    transaction.on_commit(report)


def audit_export_record(*, actor, filters: dict[str, Any]) -> AuditEvent:
    """Record that `actor` is exporting the audit events matching `filters` (a bulk read of the log).

    The event's country is the exported country when the export is filtered to one, or the
    coordinator's country when they coordinate exactly one, so that the country's coordinators see it.
    """
    country = filters.get("country") or ""
    if not country and getattr(actor, "is_coordinator", False):
        codes = sorted(actor.coordinated_country_codes())
        if len(codes) == 1:
            country = codes[0]
    return audit_log(
        action=AuditAction.AUDIT_EXPORTED, actor=actor, country=country, details={"format": "csv", "filters": filters}
    )
