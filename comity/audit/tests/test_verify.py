"""The hash chain and `manage.py audit_verify`: intact chains pass, every kind of tampering is named."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connection

from comity.audit import selectors
from comity.audit.models import GENESIS_HASH, AuditAction, AuditChainHead, AuditEvent
from comity.audit.selectors import ChainBreak, audit_chain_verify
from comity.audit.services import audit_log
from comity.audit.tests.factories import AuditEventFactory
from comity.core import context

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    """Five chained events; returns them by seq (1..5)."""
    events = [
        AuditEventFactory(action=AuditAction.USER_PROFILE_UPDATED, country="BR", details={"n": n}) for n in range(1, 6)
    ]
    return {event.seq: event for event in events}


def run_verify(*args) -> str:
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def verify_error(*args) -> str:
    with pytest.raises(CommandError) as excinfo:
        run_verify(*args)
    assert excinfo.value.returncode == 1
    return str(excinfo.value)


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def insert_raw(event: AuditEvent) -> int:
    """Insert a row behind the ORM's back (as an attacker with database access would)."""
    sql(
        "INSERT INTO audit_auditevent (seq, created_at, actor_id, actor_label, action, target_type, target_id,"
        " country_code, ip, user_agent, request_id, details, prev_hash, hash)"
        " VALUES (%s, %s, NULL, %s, %s, '', '', %s, NULL, '', '', %s, %s, %s)",
        [
            event.seq,
            connection.ops.adapt_datetimefield_value(event.created_at),
            event.actor_label,
            event.action,
            event.country_code,
            '{"forged": true}',
            event.prev_hash,
            event.hash,
        ],
    )
    return AuditEvent.objects.get(seq=event.seq).pk


def test_chain_links_each_event_to_the_previous_one(chain):
    assert [chain[n].seq for n in range(1, 6)] == [1, 2, 3, 4, 5]
    assert chain[1].prev_hash == GENESIS_HASH
    assert [chain[n].prev_hash for n in range(2, 6)] == [chain[n].hash for n in range(1, 5)]
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (5, chain[5].hash)


def test_intact_chain_passes(chain):
    assert run_verify() == "Audit chain intact: 5 events\n"
    assert audit_chain_verify() == selectors.ChainVerification(count=5)


def test_intact_chain_passes_with_batches_smaller_than_the_chain(chain):
    assert run_verify("--batch-size", "2") == "Audit chain intact: 5 events\n"
    assert run_verify("--batch-size", "5") == "Audit chain intact: 5 events\n"


def test_empty_log_is_intact():
    assert run_verify() == "Audit chain intact: 0 events\n"


def test_batch_size_must_be_positive(chain):
    with pytest.raises(CommandError, match="--batch-size must be at least 1"):
        run_verify("--batch-size", "0")


def test_microsecond_timestamps_and_rich_details_round_trip():
    at = dt.datetime(2025, 3, 9, 22, 30, 15, 123456, tzinfo=dt.UTC)
    event = AuditEventFactory(
        at=at,
        details={"name": "São Paulo — 北京", "nested": {"b": [1, 2.5, None], "a": True}, "when": dt.date(2025, 3, 9)},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.created_at == at
    assert stored.details == {
        "name": "São Paulo — 北京",
        "nested": {"a": True, "b": [1, 2.5, None]},
        "when": "2025-03-09",
    }
    assert stored.compute_hash() == event.hash
    assert run_verify() == "Audit chain intact: 1 events\n"


@pytest.mark.parametrize(
    ("raw_ip", "stored_ip"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:0DB8:0000::1", "2001:db8::1"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("not an address", None),
    ],
)
def test_ip_is_hashed_as_stored(raw_ip, stored_ip):
    token = context.set_current(context.RequestContext(request_id="req-12345678", ip=raw_ip, user_agent="UA"))
    try:
        event = audit_log(action=AuditAction.LOGIN_SUCCEEDED)
    finally:
        context.reset(token)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (event.ip, stored.ip) == (stored_ip, stored_ip)
    assert run_verify() == "Audit chain intact: 1 events\n"


def test_altered_details_are_detected(chain):
    sql("UPDATE audit_auditevent SET details = %s WHERE seq = 3", ['{"n": 300}'])
    assert verify_error() == (
        f"Audit chain broken at seq 3 (id {chain[3].pk}): altered: the event's contents no longer match its hash"
    )


def test_altered_timestamp_by_one_microsecond_is_detected(chain):
    moved = chain[2].created_at + dt.timedelta(microseconds=1)
    sql("UPDATE audit_auditevent SET created_at = %s WHERE seq = 2", [connection.ops.adapt_datetimefield_value(moved)])
    assert verify_error() == (
        f"Audit chain broken at seq 2 (id {chain[2].pk}): altered: the event's contents no longer match its hash"
    )


def test_altered_hash_column_is_detected(chain):
    sql("UPDATE audit_auditevent SET hash = %s WHERE seq = 4", ["f" * 64])
    assert verify_error() == (
        f"Audit chain broken at seq 4 (id {chain[4].pk}): altered: the event's contents no longer match its hash"
    )


def test_deleted_middle_row_is_detected(chain):
    sql("DELETE FROM audit_auditevent WHERE seq = 3")
    assert verify_error() == (
        "Audit chain broken at seq 3: missing: sequence 3 is missing (removed); "
        f"the next event present is seq 4 (id {chain[4].pk})"
    )
    result = audit_chain_verify()
    assert (result.ok, result.kind, result.seq, result.event_id, result.count) == (
        False,
        ChainBreak.MISSING,
        3,
        None,
        2,
    )


def test_several_deleted_rows_are_named_as_a_range(chain):
    sql("DELETE FROM audit_auditevent WHERE seq IN (1, 2)")
    assert verify_error() == (
        "Audit chain broken at seq 1: missing: sequences 1 to 2 are missing (removed); "
        f"the next event present is seq 3 (id {chain[3].pk})"
    )


def test_deleted_last_row_is_a_head_mismatch(chain):
    sql("DELETE FROM audit_auditevent WHERE seq = 5")
    assert verify_error() == (
        "Audit chain broken at seq 5: head mismatch: the chain head records seq 5 but the last "
        f"event is seq 4 (id {chain[4].pk}); the tail was removed"
    )


def test_deleting_every_row_is_a_head_mismatch(chain):
    sql("DELETE FROM audit_auditevent")
    assert verify_error() == (
        "Audit chain broken at seq 1: head mismatch: the chain head records seq 5 but the last "
        "event is none; the tail was removed"
    )


def test_row_inserted_after_the_head_is_detected_even_with_a_valid_hash(chain):
    forged = AuditEvent(
        seq=6,
        created_at=chain[5].created_at,
        actor_label="intruder@example.test",
        action=AuditAction.LOGIN_SUCCEEDED.value,
        country_code="BR",
        details={"forged": True},
        prev_hash=chain[5].hash,
    )
    forged.hash = forged.compute_hash()
    forged_id = insert_raw(forged)
    assert verify_error() == (
        f"Audit chain broken at seq 6 (id {forged_id}): inserted out of band: "
        "the event lies beyond the chain head (seq 5)"
    )


def test_row_inserted_with_a_gap_after_the_head_is_detected(chain):
    forged = AuditEvent(
        seq=42,
        created_at=chain[5].created_at,
        action=AuditAction.LOGIN_SUCCEEDED.value,
        details={"forged": True},
        prev_hash="0" * 64,
        hash="a" * 64,
    )
    forged_id = insert_raw(forged)
    assert verify_error() == (
        f"Audit chain broken at seq 42 (id {forged_id}): inserted out of band: "
        "the event lies beyond the chain head (seq 5)"
    )


def test_row_inserted_in_place_of_another_is_detected(chain):
    """A self-consistent row (hash matches its own contents) that does not link to its predecessor."""
    replacement = AuditEvent.objects.get(seq=3)
    replacement.prev_hash = "e" * 64
    replacement.hash = replacement.compute_hash()
    sql(
        "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = 3", [replacement.prev_hash, replacement.hash]
    )
    assert verify_error() == (
        f"Audit chain broken at seq 3 (id {chain[3].pk}): inserted out of band: "
        "the event does not link to the previous event's hash"
    )


def test_row_with_seq_zero_is_detected(chain):
    forged = AuditEvent(
        seq=0,
        created_at=chain[1].created_at,
        action=AuditAction.LOGIN_SUCCEEDED.value,
        details={},
        prev_hash=GENESIS_HASH,
        hash="b" * 64,
    )
    forged_id = insert_raw(forged)
    assert verify_error() == (
        f"Audit chain broken at seq 0 (id {forged_id}): inserted out of band: sequence 0 is out of order (expected 1)"
    )


def test_tampered_head_hash_is_detected(chain):
    sql("UPDATE audit_auditchainhead SET hash = %s", ["c" * 64])
    assert verify_error() == (
        f"Audit chain broken at seq 5 (id {chain[5].pk}): head mismatch: "
        "the chain head's hash does not match the last event's hash"
    )


def test_missing_head_record_is_detected(chain):
    sql("DELETE FROM audit_auditchainhead")
    assert verify_error() == (
        f"Audit chain broken at seq 1 (id {chain[1].pk}): head mismatch: the chain head record is missing"
    )


def test_command_exits_non_zero_from_the_command_line(chain, capsys):
    sql("DELETE FROM audit_auditevent WHERE seq = 2")
    with pytest.raises(SystemExit) as excinfo:
        execute_from_command_line(["manage.py", "audit_verify", "--no-color"])
    assert excinfo.value.code == 1
    assert capsys.readouterr().err == (
        "CommandError: Audit chain broken at seq 2: missing: sequence 2 is missing "
        f"(removed); the next event present is seq 3 (id {chain[3].pk})\n"
    )


def test_command_exits_zero_from_the_command_line(chain, capsys):
    execute_from_command_line(["manage.py", "audit_verify", "--no-color"])
    assert capsys.readouterr().out == "Audit chain intact: 5 events\n"


def test_events_appended_while_walking_are_verified(chain, monkeypatch):
    """A writer appending during the walk is not mistaken for an out-of-band insert or a removed tail."""
    original = selectors.audit_events_by_seq
    calls = []

    def walk_with_writer(queryset, *, after=None, batch_size):
        calls.append(after)
        for index, event in enumerate(original(queryset, after=after, batch_size=batch_size)):
            if len(calls) == 1 and index == 0:
                AuditEventFactory(details={"appended": "mid-walk"})  # lands beyond the head read at the start
            yield event
        if len(calls) == 1:
            AuditEventFactory(details={"appended": "after the walk"})  # lands before the head is re-read

    monkeypatch.setattr(selectors, "audit_events_by_seq", walk_with_writer)
    assert audit_chain_verify(batch_size=2) == selectors.ChainVerification(count=7)
    assert calls == [None, 6]


def test_verification_reads_in_batches_not_all_at_once(chain, django_assert_num_queries):
    # head, 3 batches of 2 (the last one short), head again: the rows are never fetched in one query.
    with django_assert_num_queries(5):
        assert audit_chain_verify(batch_size=2).ok


def test_non_finite_numbers_in_details_are_stored_as_text():
    event = AuditEventFactory(details={"ratio": float("nan"), "limit": float("inf")})
    assert AuditEvent.objects.get(pk=event.pk).details == {"ratio": "nan", "limit": "inf"}
    assert run_verify() == "Audit chain intact: 1 events\n"
