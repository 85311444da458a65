"""A new post reaches people's mailboxes through the outbox and a real SMTP server."""

import pytest

from comity.forum import services as forum_services
from comity.mail.models import OutboxEmail, OutboxStatus

pytestmark = pytest.mark.django_db


def test_post_to_mail_end_to_end_through_smtp(users, plenary, smtp_server, django_capture_on_commit_callbacks):
    """A mention is committed; the notification, its outbox row and the SMTP delivery follow after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        forum_services.thread_create(actor=users["member"], space=plenary, title="Hello", body="@member.id hi")
    [envelope] = smtp_server.sink.envelopes
    assert envelope.rcpt_tos == ["member.id@example.test"]
    assert smtp_server.sink.messages[0]["Subject"] == "[Comity] Hello"
    assert OutboxEmail.objects.get().status == OutboxStatus.SENT
