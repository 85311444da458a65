"""Reading the audit log: the filtered list a user may see, and verifying the hash chain."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from comity.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from comity.audit.permissions import events_visible_to

VERIFY_BATCH_SIZE = 2000


def audit_event_list(
    *,
    user,
    actor: str = "",
    action: str = "",
    country: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Events `user` may see, newest first. `since` is inclusive and `until` exclusive (aware datetimes)."""
    events = events_visible_to(user)
    if actor:
        events = events.filter(Q(actor_label__icontains=actor) | Q(actor__email__icontains=actor))
    if action:
        events = events.filter(action=action)
    if country:
        events = events.filter(country_code=country.upper())
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    return events.select_related("actor").order_by("-seq")


def audit_events_by_seq(
    queryset: QuerySet[AuditEvent], *, after: int | None = None, batch_size: int = VERIFY_BATCH_SIZE
) -> Iterator[AuditEvent]:
    """Yield the events of `queryset` in ascending seq order, fetching `batch_size` rows at a time.

    Keyset pagination on the unique seq index: memory stays flat for any number of rows, and no
    server-side cursor or long transaction is needed (writers are never blocked).
    """
    ordered = queryset.order_by("seq")
    while True:
        page = ordered if after is None else ordered.filter(seq__gt=after)
        batch = list(page[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        after = batch[-1].seq


class ChainBreak(enum.StrEnum):
    ALTERED = "altered"
    MISSING = "missing"
    INSERTED = "inserted out of band"
    HEAD_MISMATCH = "head mismatch"


@dataclass(frozen=True)
class ChainVerification:
    """The outcome of walking the chain. When broken, `seq` is where it breaks and `event_id` the id of
    the row at that seq, or None when that row is gone (the detail then names the neighbouring row)."""

    count: int
    kind: ChainBreak | None = None
    seq: int | None = None
    event_id: int | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.kind is None

    def __str__(self) -> str:
        if self.ok:
            return f"Audit chain intact: {self.count} events"
        where = f"seq {self.seq}" + (f" (id {self.event_id})" if self.event_id is not None else "")
        return f"Audit chain broken at {where}: {self.kind}: {self.detail}"


def _head() -> AuditChainHead | None:
    return AuditChainHead.objects.filter(pk=1).first()


def _event_ref(event: AuditEvent | None) -> str:
    return f"seq {event.seq} (id {event.pk})" if event is not None else "none"


def audit_chain_verify(*, batch_size: int = VERIFY_BATCH_SIZE) -> ChainVerification:
    """Walk every event in seq order, recompute its hash and check the links, then compare the head.

    Finds the first break: a row whose contents no longer match its hash (altered), a gap in the
    sequence (removed), a row that does not link to its predecessor or lies beyond the chain head
    (inserted out of band), or a head that does not match the last row (tail removed).
    Events appended while the walk runs are fine: the head is re-read before anything is called
    beyond it, and the walk continues until it has caught up with the head.
    """
    head = _head()
    expected_seq = 1
    prev_hash = GENESIS_HASH
    count = 0
    last: AuditEvent | None = None
    while True:
        after = last.seq if last is not None else None
        for event in audit_events_by_seq(AuditEvent.objects.all(), after=after, batch_size=batch_size):
            if head is None or event.seq > head.seq:
                head = _head()  # a writer may have appended since we last looked
                if head is None:
                    return ChainVerification(
                        count, ChainBreak.HEAD_MISMATCH, event.seq, event.pk, "the chain head record is missing"
                    )
                if event.seq > head.seq:
                    return ChainVerification(
                        count,
                        ChainBreak.INSERTED,
                        event.seq,
                        event.pk,
                        f"the event lies beyond the chain head (seq {head.seq})",
                    )
            if event.seq < expected_seq:
                return ChainVerification(
                    count,
                    ChainBreak.INSERTED,
                    event.seq,
                    event.pk,
                    f"sequence {event.seq} is out of order (expected {expected_seq})",
                )
            if event.seq > expected_seq:
                missing = (
                    f"sequence {expected_seq} is"
                    if event.seq == expected_seq + 1
                    else f"sequences {expected_seq} to {event.seq - 1} are"
                )
                return ChainVerification(
                    count,
                    ChainBreak.MISSING,
                    expected_seq,
                    None,
                    f"{missing} missing (removed); the next event present is {_event_ref(event)}",
                )
            if event.compute_hash() != event.hash:
                return ChainVerification(
                    count, ChainBreak.ALTERED, event.seq, event.pk, "the event's contents no longer match its hash"
                )
            if event.prev_hash != prev_hash:
                return ChainVerification(
                    count,
                    ChainBreak.INSERTED,
                    event.seq,
                    event.pk,
                    "the event does not link to the previous event's hash",
                )
            count += 1
            expected_seq += 1
            prev_hash = event.hash
            last = event

        head = _head()
        last_seq = last.seq if last is not None else 0
        if head is None:
            if last is None:
                return ChainVerification(0)  # nothing has been logged yet
            return ChainVerification(
                count, ChainBreak.HEAD_MISMATCH, last.seq, last.pk, "the chain head record is missing"
            )
        if head.seq > last_seq and AuditEvent.objects.filter(seq__gt=last_seq).exists():
            continue  # events were appended during the walk; verify them too
        if head.seq > last_seq:
            return ChainVerification(
                count,
                ChainBreak.HEAD_MISMATCH,
                last_seq + 1,
                None,
                f"the chain head records seq {head.seq} but the last event is {_event_ref(last)}; the tail was removed",
            )
        if head.seq < last_seq:
            return ChainVerification(
                count,
                ChainBreak.HEAD_MISMATCH,
                last_seq,
                last.pk if last else None,
                f"the chain head records seq {head.seq}, behind the last event",
            )
        if head.hash != prev_hash:
            return ChainVerification(
                count,
                ChainBreak.HEAD_MISMATCH,
                last_seq,
                last.pk if last else None,
                "the chain head's hash does not match the last event's hash",
            )
        return ChainVerification(count)
