"""The outbox through a real SMTP server on loopback: delivery, an outage, recovery, retries, failure."""

import datetime as dt
import sys

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comity.mail import services as outbox
from comity.mail import tasks
from comity.mail.models import OutboxEmail, OutboxStatus

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def queue(n=1, **kwargs):
    return [
        outbox.outbox_enqueue(
            to=f"person{i}@example.test",
            subject=f"Subject {i}",
            body_text=f"Body {i}\n",
            headers={
                "List-Unsubscribe": "<https://comity.test/u/x/>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            now=NOW,
            **kwargs,
        )
        for i in range(n)
    ]


def test_due_mail_is_sent_over_smtp_with_its_headers(smtp_server):
    rows = queue(2)
    report = outbox.outbox_deliver_due(now=NOW)
    assert report.as_dict() == {"sent": 2, "retried": 0, "failed": 0}
    assert [e.rcpt_tos for e in smtp_server.sink.envelopes] == [["person0@example.test"], ["person1@example.test"]]
    first = smtp_server.sink.messages[0]
    assert first["Subject"] == "Subject 0"
    assert first["List-Unsubscribe"] == "<https://comity.test/u/x/>"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["Message-ID"] == rows[0].headers["Message-ID"]
    assert first.get_content().replace("\r\n", "\n") == "Body 0\n"
    assert list(OutboxEmail.objects.values_list("status", "attempts", "last_error")) == [("sent", 1, "")] * 2


def test_outage_delays_mail_and_recovery_sends_it_exactly_once(smtp_server):
    [row] = queue()
    smtp_server.stop()
    report = outbox.outbox_deliver_due(now=NOW)
    assert report.as_dict() == {"sent": 0, "retried": 1, "failed": 0}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == ("queued", 1, NOW + dt.timedelta(seconds=60))
    assert "ConnectionRefusedError" in row.last_error
    # Not due yet: nothing is tried before the backoff has passed, even with the server back.
    smtp_server.start()
    assert outbox.outbox_deliver_due(now=NOW + dt.timedelta(seconds=59)).as_dict() == {
        "sent": 0,
        "retried": 0,
        "failed": 0,
    }
    assert smtp_server.sink.envelopes == []
    report = outbox.outbox_deliver_due(now=NOW + dt.timedelta(seconds=60))
    assert report.as_dict() == {"sent": 1, "retried": 0, "failed": 0}
    assert outbox.outbox_deliver_due(now=NOW + dt.timedelta(hours=1)).as_dict() == {
        "sent": 0,
        "retried": 0,
        "failed": 0,
    }
    assert len(smtp_server.sink.envelopes) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")


def test_backoff_doubles_and_mail_is_failed_and_kept_after_the_last_attempt(smtp_server, settings):
    settings.NOTIFICATIONS_OUTBOX_MAX_ATTEMPTS = 3
    [row] = queue()
    smtp_server.stop()
    moment, waits = NOW, []
    for _attempt in range(3):
        outbox.outbox_deliver_due(now=moment)
        row.refresh_from_db()
        waits.append(row.next_attempt_at - moment)
        moment = row.next_attempt_at
    assert waits[:2] == [dt.timedelta(seconds=60), dt.timedelta(seconds=120)]
    assert (row.status, row.attempts) == ("failed", 3)
    assert OutboxEmail.objects.count() == 1
    smtp_server.start()
    assert outbox.outbox_deliver_due(now=moment + dt.timedelta(days=1)).sent == 0  # failed is final
    outbox.outbox_retry(row=row)  # until an operator puts it back
    assert outbox.outbox_deliver_due(now=timezone.now()).sent == 1


def test_backoff_is_capped(settings):
    settings.NOTIFICATIONS_OUTBOX_BACKOFF_SECONDS = 60
    settings.NOTIFICATIONS_OUTBOX_BACKOFF_MAX_SECONDS = 3600
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 6, 7, 20)] == [60, 120, 240, 1920, 3600, 3600]


def claim(now=NOW):
    return outbox._claim_next(now=now, lease_ends=now + outbox.lease(), report=outbox.DeliveryReport())


def test_a_claimed_row_is_skipped_until_its_lease_ends(smtp_server):
    [row] = queue()
    claimed = claim()
    assert (claimed.pk, claimed.status, claimed.attempts) == (row.pk, "sending", 1)
    stored = OutboxEmail.objects.get()
    assert (stored.status, stored.claim, stored.next_attempt_at) == ("sending", claimed.claim, NOW + outbox.lease())
    assert claim() is None  # a second worker finds nothing to take
    assert outbox.outbox_deliver_due(now=NOW).as_dict() == {"sent": 0, "retried": 0, "failed": 0}
    assert outbox.outbox_deliver_due(now=NOW + outbox.lease() - dt.timedelta(seconds=1)).sent == 0
    assert smtp_server.sink.envelopes == []
    assert (OutboxEmail.objects.get().status, OutboxEmail.objects.get().attempts) == ("sending", 1)


def test_a_worker_that_died_after_sending_leaves_a_row_that_is_sent_again_after_the_lease(smtp_server, monkeypatch):
    """The documented at-least-once case: sent, then the worker stops before it records it."""

    class Killed(BaseException):  # as abrupt as a killed process: no handler in the worker catches it
        pass

    [row] = queue()

    def die(claimed, report):
        raise Killed

    with monkeypatch.context() as patched:
        patched.setattr(outbox, "_mark_sent", die)
        with pytest.raises(Killed):
            outbox.outbox_deliver_due(now=NOW)
    assert len(smtp_server.sink.envelopes) == 1
    assert (OutboxEmail.objects.get().status, OutboxEmail.objects.get().attempts) == ("sending", 1)
    assert outbox.outbox_deliver_due(now=NOW).sent == 0  # its lease still holds
    after_the_lease = NOW + outbox.lease() + dt.timedelta(minutes=1)
    assert outbox.outbox_deliver_due(now=after_the_lease).as_dict() == {"sent": 1, "retried": 0, "failed": 0}
    first, second = smtp_server.sink.messages
    assert first["Message-ID"] == second["Message-ID"] == row.headers["Message-ID"]  # clients can fold the two
    row.refresh_from_db()
    assert (row.status, row.attempts, row.claim, row.last_error) == ("sent", 2, "", outbox.INTERRUPTED)


def test_an_interrupted_row_on_its_last_attempt_fails_and_loses_its_single_use_link(smtp_server, settings):
    settings.NOTIFICATIONS_OUTBOX_MAX_ATTEMPTS = 1
    [row] = queue(category="password_reset")
    claim()
    report = outbox.outbox_deliver_due(now=NOW + outbox.lease())
    assert report.as_dict() == {"sent": 0, "retried": 0, "failed": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error, row.claim) == ("failed", 1, outbox.INTERRUPTED, "")
    assert row.body_text == "[Removed: this message held a single-use link and could not be delivered.]"
    assert smtp_server.sink.envelopes == []


def test_sending_after_the_lease_was_taken_over_is_logged(smtp_server, caplog):
    [row] = queue()
    claimed = claim()
    OutboxEmail.objects.filter(pk=row.pk).update(claim="another-worker")  # the lease ended and someone took it
    report = outbox.DeliveryReport()
    outbox._mark_sent(claimed, report)
    assert report.sent == 1
    assert (OutboxEmail.objects.get().status, OutboxEmail.objects.get().claim) == ("sending", "another-worker")
    assert f"e-mail {row.pk} to person0@example.test was sent after its lease ended" in caplog.text


def test_lease_outlasts_twenty_smtp_timeouts_and_ten_minutes(settings):
    settings.EMAIL_TIMEOUT = 5
    assert outbox.lease() == dt.timedelta(minutes=10)
    settings.EMAIL_TIMEOUT = 60
    assert outbox.lease() == dt.timedelta(minutes=20)
    settings.NOTIFICATIONS_OUTBOX_LEASE_SECONDS = 3
    assert outbox.lease() == dt.timedelta(seconds=3)


def test_one_sweep_over_a_slow_relay_claims_each_message_just_before_sending_it(smtp_server, settings, monkeypatch):
    """Each message's lease starts when it is claimed, not when the sweep started."""
    settings.NOTIFICATIONS_OUTBOX_LEASE_SECONDS = 60
    smtp_server.sink.delay = 0.2
    queue(3)
    leases = []
    real_claim = outbox._claim_next

    def spy(**kwargs):
        leases.append(kwargs["lease_ends"])
        return real_claim(**kwargs)

    monkeypatch.setattr(outbox, "_claim_next", spy)
    assert outbox.outbox_deliver_due(now=NOW).sent == 3
    assert len(leases) == 4  # three claims and the one that found nothing left
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(leases, leases[1:], strict=False)]
    assert [gap >= 0.2 for gap in gaps[:2]] == [True, True]  # each waited for the relay to accept the one before


def test_refused_recipient_fails_only_that_row(smtp_server):
    queue(2)

    async def refuse(server, session, envelope, address, rcpt_options):
        if address == "person0@example.test":
            return "550 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_server.sink.handle_RCPT = refuse
    report = outbox.outbox_deliver_due(now=NOW)
    assert report.as_dict() == {"sent": 1, "retried": 1, "failed": 0}
    statuses = dict(OutboxEmail.objects.values_list("to", "status"))
    assert statuses == {"person0@example.test": "queued", "person1@example.test": "sent"}
    assert "SMTPRecipientsRefused" in OutboxEmail.objects.get(to="person0@example.test").last_error


def test_an_outage_counts_an_attempt_on_every_due_row(smtp_server):
    queue(3)
    smtp_server.stop()
    assert outbox.outbox_deliver_due(now=NOW).as_dict() == {"sent": 0, "retried": 3, "failed": 0}
    expected = ("queued", 1, "", NOW + dt.timedelta(seconds=60))
    assert set(OutboxEmail.objects.values_list("status", "attempts", "claim", "next_attempt_at")) == {expected}


def test_a_relay_that_hangs_up_mid_sweep_leaves_the_rest_for_later(smtp_server):
    first, second, third, fourth = queue(4)

    async def hang_up_on_the_second(server, session, envelope):
        if "person1@example.test" in envelope.rcpt_tos:
            return "421 Shutting down"  # smtplib closes the connection on a 421
        smtp_server.sink.envelopes.append(envelope)
        return "250 OK"

    smtp_server.sink.handle_DATA = hang_up_on_the_second
    assert outbox.outbox_deliver_due(now=NOW).as_dict() == {"sent": 1, "retried": 3, "failed": 0}
    rows = {row.pk: row for row in OutboxEmail.objects.all()}
    assert [(rows[r.pk].status, rows[r.pk].attempts) for r in (first, second, third, fourth)] == [
        ("sent", 1),
        ("queued", 1),
        ("queued", 1),
        ("queued", 1),
    ]
    assert rows[second.pk].last_error == "SMTPDataError: (421, b'Shutting down')"
    assert rows[third.pk].last_error.startswith("SMTPServerDisconnected: ")
    assert rows[fourth.pk].last_error == rows[third.pk].last_error
    assert [e.rcpt_tos for e in smtp_server.sink.envelopes] == [["person0@example.test"]]


def test_a_row_that_cannot_be_made_into_a_message_fails_alone(smtp_server):
    broken, fine = queue(2)
    OutboxEmail.objects.filter(pk=broken.pk).update(headers=["not", "a", "mapping"])
    assert outbox.outbox_deliver_due(now=NOW).as_dict() == {"sent": 1, "retried": 1, "failed": 0}
    broken.refresh_from_db()
    assert (broken.status, broken.attempts) == ("queued", 1)
    assert broken.last_error.startswith("ValueError: ")
    assert [e.rcpt_tos for e in smtp_server.sink.envelopes] == [["person1@example.test"]]


def test_single_use_links_are_removed_once_sent(smtp_server):
    [row] = queue(category="invitation")
    assert outbox.outbox_deliver_due(now=NOW).sent == 1
    assert "Body 0" in smtp_server.sink.messages[0].get_content()
    row.refresh_from_db()
    assert (row.status, row.body_text) == ("sent", "[Removed after delivery: this message held a single-use link.]")


def test_worker_command_sends_once_and_exits(smtp_server):
    queue(3)
    OutboxEmail.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    call_command("outbox_worker", "--once")
    assert OutboxEmail.objects.filter(status=OutboxStatus.SENT).count() == 3
    assert len(smtp_server.sink.envelopes) == 3


def test_worker_command_is_bounded_by_max_seconds(smtp_server, capsys):
    call_command("outbox_worker", "--max-seconds", "0.2", "--interval", "0.05")
    assert capsys.readouterr().out.endswith("total: sent 0, retry later 0, failed 0\n")


def test_task_delivers_through_the_immediate_backend(smtp_server):
    queue()
    OutboxEmail.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    result = tasks.deliver_outbox.enqueue()
    assert result.status == "SUCCESSFUL"
    assert result.return_value == {"sent": 1, "retried": 0, "failed": 0}


def test_a_broken_task_backend_never_fails_the_transaction_that_queued_mail(
    settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """Queueing e-mail happens in requests (posts, invitations, password resets): after their commit, a task
    backend that cannot even be loaded is logged, and the outbox worker sends the mail later."""
    import comity.mail

    monkeypatch.delitem(sys.modules, "comity.mail.tasks")  # loaded afresh, its task checks the backend
    monkeypatch.delattr(comity.mail, "tasks")
    settings.TASKS = {"default": {"BACKEND": "comity.no_such_module.Backend"}}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue()
        outbox.schedule_delivery()
    assert len(callbacks) == 1
    assert "could not enqueue outbox delivery; the outbox worker will send the mail" in caplog.text
    assert list(OutboxEmail.objects.values_list("status", "attempts")) == [("queued", 0)]


def test_rolled_back_event_queues_nothing():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        queue()
        raise RuntimeError
    assert OutboxEmail.objects.count() == 0


@pytest.mark.django_db(transaction=True)  # db_worker closes and reopens connections, as in production
def test_database_task_backend_delivers_through_db_worker(settings, smtp_server, django_capture_on_commit_callbacks):
    """With the database backend, committing queues a task row; `manage.py db_worker` runs it."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with django_capture_on_commit_callbacks(execute=True):
        queue()
        OutboxEmail.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
        outbox.schedule_delivery()
    assert list(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("comity.mail.tasks.deliver_outbox", "READY")
    ]
    assert smtp_server.sink.envelopes == []
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert len(smtp_server.sink.envelopes) == 1


def test_admin_shows_delivery_state_but_never_the_content(personas, settings):
    settings.NOTIFICATIONS_OUTBOX_MAX_ATTEMPTS = 1
    [row] = queue()
    OutboxEmail.objects.filter(pk=row.pk).update(status=OutboxStatus.FAILED, attempts=1, last_error="refused")
    client = personas["secretariat"]
    response = client.get("/admin/mail/outboxemail/")
    assert response.status_code == 200
    listing = response.content.decode()
    assert "person0@example.test" in listing and "Subject 0" not in listing
    response = client.get(f"/admin/mail/outboxemail/{row.pk}/change/")
    assert response.status_code == 200
    detail = response.content.decode()
    assert "refused" in detail and "person0@example.test" in detail
    assert "Subject 0" not in detail and "Body 0" not in detail
    response = client.post("/admin/mail/outboxemail/", {"action": "retry", "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("queued", 0)
    assert personas["member"].get("/admin/mail/outboxemail/").status_code == 302


def test_purge_deletes_only_old_sent_mail(settings, capsys):
    settings.NOTIFICATIONS_OUTBOX_KEEP_DAYS = 30
    old_sent, new_sent, old_queued, old_failed = queue(4)
    OutboxEmail.objects.filter(pk=old_sent.pk).update(status="sent", sent_at=NOW - dt.timedelta(days=31))
    OutboxEmail.objects.filter(pk=new_sent.pk).update(status="sent", sent_at=NOW - dt.timedelta(days=29))
    OutboxEmail.objects.filter(pk=old_failed.pk).update(status="failed", created_at=NOW - dt.timedelta(days=29))
    assert outbox.outbox_purge(now=NOW) == 1
    assert sorted(OutboxEmail.objects.values_list("pk", flat=True)) == sorted(
        [new_sent.pk, old_queued.pk, old_failed.pk]
    )
    # A failed e-mail goes too once it is older than the keep period (it may hold a quoted post).
    OutboxEmail.objects.filter(pk=old_failed.pk).update(created_at=NOW - dt.timedelta(days=31))
    assert outbox.outbox_purge(now=NOW) == 1
    assert sorted(OutboxEmail.objects.values_list("pk", flat=True)) == sorted([new_sent.pk, old_queued.pk])
    # The command runs against the real clock, whatever year it is.
    OutboxEmail.objects.filter(pk=new_sent.pk).update(sent_at=timezone.now() - dt.timedelta(days=31))
    call_command("outbox_purge")
    assert capsys.readouterr().out == "deleted 1 sent e-mail\n"
    assert list(OutboxEmail.objects.values_list("pk", flat=True)) == [old_queued.pk]


def test_purge_commits_in_batches():
    rows = queue(5)
    old = NOW - dt.timedelta(days=31)
    OutboxEmail.objects.filter(pk__in=[r.pk for r in rows[:4]]).update(status="sent", sent_at=old)
    with CaptureQueriesContext(connection) as captured:
        assert outbox.outbox_purge(now=NOW, batch=2) == 4
    deletes = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 2  # 2 + 2 rows, one statement (and transaction) each; the third look finds none
    assert list(OutboxEmail.objects.values_list("pk", flat=True)) == [rows[4].pk]
