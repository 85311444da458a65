"""Nothing about a private consultation leaks through the side doors.

A whole consultation runs through the pages (create, invite, post, reply, upload, download, export the file log,
close). Then everything a non-participant can read is searched for the consultation's slug, name, description,
thread title, post texts and file name: the audit events and the audit pages and export of a coordinator of the
creator's country, of the invitee's country and of the secretariat (none of them a participant), their notifications
and e-mails, and every log line written during the run (operators read logs; they are not participants).

Positive controls show that the search would find a leak: the participants' own notification and e-mail carry the
thread's title, and the searched audit events include every step of the run.
"""

import csv
import io
import json
import logging

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from comity.audit.models import AuditAction, AuditEvent
from comity.audit.permissions import events_visible_to
from comity.files.demo import demo_pdf
from comity.files.models import Attachment
from comity.forum.models import Post, Space, SpaceKind, Thread
from comity.mail.models import OutboxEmail
from comity.notifications.models import Notification

pytestmark = pytest.mark.django_db(transaction=True)  # so that work scheduled after commit (notifications) runs

NAME = "Zephyrine Holdings bank records"
DESCRIPTION = "Freezing order against Quillfeather accounts"
TITLE = "Draft request about Marigoldvale transfers"
OPENING = "The suspect Obsidianwick moved the funds through Lanternbrook."
# The reply also mentions a non-participant (Brazil's coordinator) and the liaison, who is a participant.
REPLY = "Our court needs the Thistledown statements first. @coord.br @liaison please check."
FILENAME = "Periwinkle-statements.pdf"

NON_PARTICIPANTS = ("coordinator", "coordinator_other", "secretariat")


@pytest.fixture(autouse=True)
def file_root(tmp_path, settings):
    settings.COMITY_FILE_ROOT = tmp_path / "files"
    return settings.COMITY_FILE_ROOT


def secrets(space: Space) -> dict[str, str]:
    """What must never reach a non-participant: each value, and its distinctive word (for quoted or cut text)."""
    found = {"slug": space.slug, "name": NAME, "description": DESCRIPTION, "title": TITLE, "file": FILENAME}
    found |= {"opening": OPENING, "reply": REPLY}
    words = {
        "name word": "Zephyrine",
        "description word": "Quillfeather",
        "title word": "Marigoldvale",
        "opening words": "Obsidianwick",
        "opening place": "Lanternbrook",
        "reply word": "Thistledown",
        "file word": "Periwinkle",
    }
    return found | words


def leaks(where: str, text: str, space: Space) -> list[str]:
    folded = text.casefold()
    return [f"{where}: {label} {value!r}" for label, value in secrets(space).items() if value.casefold() in folded]


def event_text(event: AuditEvent) -> str:
    fields = (event.actor_label, event.action, event.target_type, event.target_id, event.country_code)
    return " ".join([*fields, event.user_agent, event.request_id, json.dumps(event.details, ensure_ascii=False)])


def run_consultation(personas, users):
    """The consultation's whole life, through the pages: Bruno (BR) opens it and invites Dewi (ID), then the liaison;
    both post; Dewi uploads a file onto her reply; Bruno downloads it and exports the file log; Dewi exports the
    thread; Bruno puts it under legal hold and closes the consultation."""
    bruno, dewi = personas["member"], personas["member_other"]
    response = bruno.post(
        "/en/forum/consultations/new/",
        {"name": NAME, "description": DESCRIPTION, "default_tlp": "amber", "people": users["member_other"].email},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    space = Space.objects.get(kind=SpaceKind.PRIVATE)
    assert response["Location"] == f"/en/forum/s/{space.slug}/"
    # A second person is invited afterwards, on the members page: the liaison, who is Brazilian.
    invite = bruno.post(
        f"/en/forum/s/{space.slug}/members/", {"action": "invite_person", "email": users["liaison"].email}
    )
    assert invite.status_code == 302
    # TLP:GREEN, so that the participants' e-mails carry the title (a positive control of the search below).
    response = bruno.post(
        f"/en/forum/s/{space.slug}/new/",
        {"title": TITLE, "body": OPENING, "tlp": "green", "kind": "discussion", "language": "en"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    thread = Thread.objects.get(space=space)
    # Refused requests are logged by Django with their path, which holds the consultation's slug.
    untitled = bruno.post(
        f"/en/forum/s/{space.slug}/new/", {"title": "", "body": "x", "tlp": "green", "language": "en"}
    )
    assert untitled.status_code == 400
    refused = dewi.post(
        f"/en/files/spaces/{space.slug}/upload/", {"file": SimpleUploadedFile("page.txt", b"<html>x</html>")}
    )
    assert refused.status_code == 415
    response = dewi.post(f"/en/forum/t/{thread.pk}/reply/", {"body": REPLY, "language": "en"})
    assert response.status_code == 302
    reply = Post.objects.get(thread=thread, number=2)
    upload = dewi.post(
        f"/en/files/spaces/{space.slug}/upload/?post={reply.pk}",
        {"file": SimpleUploadedFile(FILENAME, demo_pdf(lines=("statements",)), "application/pdf"), "post": reply.pk},
    )
    assert upload.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.filename == FILENAME
    download = bruno.get(f"/en/files/{attachment.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    log = bruno.get(f"/en/files/spaces/{space.slug}/log.csv")
    assert log.status_code == 200
    assert b"".join(log.streaming_content) if log.streaming else log.content
    exported = dewi.get(f"/en/forum/t/{thread.pk}/export/", {"format": "markdown"})
    assert exported.status_code == 200
    assert TITLE in b"".join(exported.streaming_content).decode()
    # The consultation's moderator keeps the thread under legal hold, giving a reason that names the case.
    hold = bruno.post(f"/en/forum/t/{thread.pk}/legal-hold/", {"reason": f"Court case {NAME}"})
    assert hold.status_code == 302
    close = bruno.post(f"/en/forum/s/{space.slug}/close/")
    assert close.status_code == 302
    space.refresh_from_db()
    assert space.is_archived is True
    return space, thread


def test_a_whole_consultation_leaves_no_trace_a_non_participant_can_read(personas, users, caplog):
    caplog.set_level(logging.DEBUG)
    space, thread = run_consultation(personas, users)
    records = list(caplog.records)  # the run's log lines (the probes below log their own 404s)
    assert [r.getMessage() for r in records if r.name == "django.request"] == [
        "Bad Request: /en/forum/s/*/new/",
        "Unsupported Media Type: /en/files/spaces/*/upload/",
    ]
    found: list[str] = []

    # Positive controls: the participants are told, in words, and the run wrote every step to the audit log.
    told = sorted(Notification.objects.filter(thread=thread).values_list("user__email", "kind"))
    # Everyone in a private consultation watches it by default (issue 11): each post reaches the other participants.
    assert told == [
        ("liaison@example.test", "mention"),
        ("liaison@example.test", "watched_space"),
        ("member.br@example.test", "reply"),
        ("member.id@example.test", "watched_space"),
    ]
    bruno_notes = personas["member"].get("/en/notifications/")
    assert bruno_notes.status_code == 200
    assert TITLE in bruno_notes.content.decode()
    participant_mail = [m for m in OutboxEmail.objects.all() if m.to in {users["member"].email, users["liaison"].email}]
    assert any(TITLE in m.subject + m.body_text for m in participant_mail)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        AuditAction.SPACE_CREATED,
        AuditAction.SPACE_MEMBER_ADDED,
        AuditAction.THREAD_CREATED,
        AuditAction.FILE_UPLOADED,
        AuditAction.FILE_DOWNLOADED,
        AuditAction.FILE_LOG_EXPORTED,
        AuditAction.SPACE_UPDATED,
        AuditAction.THREAD_EXPORTED,
        AuditAction.LEGAL_HOLD_SET,
    } <= actions

    for name in NON_PARTICIPANTS:
        user, client = users[name], personas[name]
        # Not a participant: the consultation itself answers 404.
        assert client.get(f"/en/forum/s/{space.slug}/").status_code == 404
        visible = list(events_visible_to(user).order_by("seq"))
        assert visible, name  # each of them reads some of the run's events (their country's, or all)
        for event in visible:
            found += leaks(f"{name} audit event {event.seq} {event.action}", event_text(event), space)
        listing = client.get("/en/audit/")
        assert listing.status_code == 200
        assert "Audit log" in listing.content.decode()
        found += leaks(f"{name} audit page", listing.content.decode(), space)
        export = client.get("/en/audit/export/")
        assert export.status_code == 200
        exported = b"".join(export.streaming_content) if export.streaming else export.content
        rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
        assert len(rows) >= 2, name  # a header and at least one event
        found += leaks(f"{name} audit export", exported.decode("utf-8-sig"), space)
        assert Notification.objects.filter(user=user).count() == 0, name
        notes = client.get("/en/notifications/")
        assert notes.status_code == 200
        found += leaks(f"{name} notifications page", notes.content.decode(), space)
        for email in OutboxEmail.objects.filter(to=user.email):
            found += leaks(
                f"{name} e-mail {email.subject!r}", " ".join([email.subject, email.body_text, email.body_html]), space
            )
        for message in mail.outbox:
            if user.email in message.to:
                found += leaks(f"{name} sent e-mail {message.subject!r}", message.subject + message.body, space)

    # The events of the files app are filed under the actor's country: Brazil's coordinator must see the export's.
    coordinator_actions = set(events_visible_to(users["coordinator"]).values_list("action", flat=True))
    assert AuditAction.FILE_LOG_EXPORTED in coordinator_actions
    for record in records:
        found += leaks(f"log {record.name} {record.levelname}", record.getMessage(), space)
    assert found == [], "\n".join(found)
