"""The chain's lock is held briefly: rehearsals never take it, and a long holder is named in the log."""

from __future__ import annotations

import logging
import time

import pytest
from django.db import transaction

from comity.audit.models import AuditAction, AuditChainHead, AuditEvent
from comity.audit.services import audit_log, rehearsal
from comity.directory.models import RecordVersion

pytestmark = pytest.mark.django_db


def test_a_rehearsal_appends_nothing_and_rolls_back_its_writes(users):
    audit_log(action=AuditAction.USER_PROFILE_UPDATED, actor=users["member"])
    head = AuditChainHead.objects.values_list("seq", "hash").get()
    with rehearsal():
        RecordVersion.objects.create(record_type="authority", record_id=1, action="imported")
        event = audit_log(action=AuditAction.AUTHORITY_CREATED, actor=users["coordinator"], country="br")
        assert (event.pk, event.seq, event.action, event.country_code, event.actor) == (
            None,
            None,
            AuditAction.AUTHORITY_CREATED,
            "BR",
            users["coordinator"],
        )
        assert RecordVersion.objects.count() == 1  # visible inside ...
    assert RecordVersion.objects.count() == 0  # ... and undone when the block ends normally
    assert AuditChainHead.objects.values_list("seq", "hash").get() == head
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [AuditAction.USER_PROFILE_UPDATED]
    # Outside the block, events are appended again.
    audit_log(action=AuditAction.USER_PROFILE_UPDATED, actor=users["member"])
    assert AuditChainHead.objects.get().seq == 2


def test_a_rehearsal_inside_a_transaction_undoes_only_its_own_writes(users):
    with transaction.atomic():
        RecordVersion.objects.create(record_type="authority", record_id=1, action="kept")
        with rehearsal():
            RecordVersion.objects.create(record_type="authority", record_id=2, action="undone")
    assert list(RecordVersion.objects.values_list("action", flat=True)) == ["kept"]


@pytest.mark.django_db(transaction=True)  # the hold is measured when the transaction commits
def test_a_long_hold_of_the_chain_lock_is_logged(users, settings, caplog):
    settings.AUDIT_CHAIN_HOLD_WARNING_SECONDS = 0.2
    caplog.set_level(logging.WARNING, logger="comity.audit.services")
    with transaction.atomic():
        audit_log(action=AuditAction.USER_PROFILE_UPDATED, actor=users["member"])  # short: not logged
    assert caplog.records == []
    with transaction.atomic():
        audit_log(action=AuditAction.POSTS_PURGED)
        time.sleep(0.3)
        audit_log(action=AuditAction.USER_PROFILE_UPDATED)  # the same transaction: measured from its first event
    [record] = caplog.records
    message = record.getMessage()
    assert message.startswith("audit chain lock held 0.")
    assert message.endswith(" s by a transaction that began with forum.posts_purged")
    assert 0.3 <= float(message.split()[4]) < 5


def test_many_events_are_chained_with_one_insert(users, django_assert_num_queries):
    from comity.audit.selectors import audit_chain_verify
    from comity.audit.services import audit_log_many

    audit_log(action=AuditAction.USER_PROFILE_UPDATED, actor=users["member"])
    entries = [
        {"action": AuditAction.DIRECTORY_REMINDER_SENT, "target": users["member"], "country": "br", "details": {"n": n}}
        for n in range(3)
    ]
    # savepoint, the locked head, one insert of the three events, the head's update, release
    with django_assert_num_queries(5):
        events = audit_log_many(entries)
    assert [(e.seq, e.action, e.country_code, e.details, e.target_id) for e in events] == [
        (n + 2, AuditAction.DIRECTORY_REMINDER_SENT, "BR", {"n": n}, str(users["member"].pk)) for n in range(3)
    ]
    assert AuditChainHead.objects.values_list("seq", "hash").get() == (4, events[-1].hash)
    assert audit_chain_verify().ok
    assert str(audit_chain_verify()) == "Audit chain intact: 4 events"
    with rehearsal():
        assert [e.pk for e in audit_log_many(entries)] == [None, None, None]
    assert AuditEvent.objects.count() == 4
    assert audit_log_many([]) == []
