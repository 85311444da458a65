"""The outbox through a real SMTP server on loopback: delivery, an outage, recovery, retries, failure."""

import datetime as dt

import pytest
from django.core.management import call_command
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


def test_a_claimed_row_is_not_sent_twice(smtp_server):
    [row] = queue()
    assert outbox._claim(row, NOW) is True
    assert outbox._claim(row, NOW) is False  # a second worker with the same stale view loses the race
    assert outbox.outbox_deliver_due(now=NOW).sent == 0  # leased: not due until the lease ends
    assert outbox.outbox_deliver_due(now=NOW + outbox.LEASE).sent == 1
    assert len(smtp_server.sink.envelopes) == 1


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
    listing = client.get("/admin/mail/outboxemail/").content.decode()
    assert "person0@example.test" in listing and "Subject 0" not in listing
    detail = client.get(f"/admin/mail/outboxemail/{row.pk}/change/").content.decode()
    assert "refused" in detail and "Subject 0" not in detail and "Body 0" not in detail
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
    call_command("outbox_purge")
    # Against the real clock the remaining sent row (sent in early 2026) is past the 30 days too.
    assert capsys.readouterr().out == "deleted 1 sent e-mail\n"
