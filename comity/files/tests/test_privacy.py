"""Nothing about a private consultation leaks through the files' side doors (issue 10, section 6; security
probe F1): the audit log, read by the secretariat and the coordinators of the actor's country who may not
read the consultation, names it and its files by id only. The end-to-end check of a whole consultation is
tests/test_consultation_privacy.py; this is the files part."""

import io
import json
import logging

import pytest

from comity.audit.models import AuditAction, AuditEvent
from comity.files import services, storage, streamcrypt
from comity.files.models import Attachment
from comity.files.tests.conftest import pdf
from comity.forum import services as forum_services
from comity.forum.models import SpaceKind

pytestmark = pytest.mark.django_db

NAME = "Banco Exemplo laundering consultation"
FILENAME = "Banco Exemplo ledger 2019.pdf"


@pytest.fixture
def secret_space(users):
    return forum_services.space_create(
        actor=users["member"], kind=SpaceKind.PRIVATE, name=NAME, invite_users=[users["coordinator"]]
    )


def test_file_audit_events_of_a_private_consultation_hold_ids_only(
    users, personas, secret_space, caplog, django_capture_on_commit_callbacks
):
    member, coordinator = users["member"], users["coordinator"]
    thread = forum_services.thread_create(actor=member, space=secret_space, title="Bank records", body="See file")
    post = thread.posts.get()
    with caplog.at_level(logging.DEBUG, logger="comity"):
        on_post = services.attachment_create(
            actor=member, space=secret_space, post=post, filename=FILENAME, content=[pdf(b"ledger")]
        )
        data = pdf(b"direct")
        upload = services.upload_create(actor=member, space=secret_space, length=len(data), filename=FILENAME)
        direct = services.upload_append(actor=member, upload=upload, offset=0, stream=io.BytesIO(data)).attachment
        assert b"".join(services.attachment_download(actor=coordinator, attachment=on_post)) == pdf(b"ledger")
        response = personas["member"].get(f"/en/files/spaces/{secret_space.slug}/log.csv")
        assert response.status_code == 200
        assert b"".join(response.streaming_content).count(FILENAME.encode()) == 3  # the participant's own copy
        with django_capture_on_commit_callbacks(execute=True):
            services.attachment_delete(actor=member, attachment=direct)
        # A damaged file: its integrity failure is logged (log lines are read by operators, not participants).
        path = storage.object_path(on_post.storage_name)
        blob = bytearray(path.read_bytes())
        blob[streamcrypt.HEADER_SIZE + streamcrypt.NONCE_SIZE + 5] ^= 1
        path.write_bytes(bytes(blob))
        with pytest.raises(services.DownloadFailed):
            services.attachment_download(actor=coordinator, attachment=Attachment.objects.get(pk=on_post.pk))

    events = list(AuditEvent.objects.filter(action__startswith="files.").order_by("seq"))
    assert [(e.action, e.target_type, e.target_id) for e in events] == [
        (AuditAction.FILE_UPLOADED, "files.attachment", str(on_post.pk)),
        (AuditAction.FILE_UPLOADED, "files.attachment", str(direct.pk)),
        (AuditAction.FILE_DOWNLOADED, "files.attachment", str(on_post.pk)),
        (AuditAction.FILE_LOG_EXPORTED, "forum.space", str(secret_space.pk)),
        (AuditAction.FILE_DELETED, "files.attachment", str(direct.pk)),
    ]
    custody = {"space": secret_space.pk, "sha256": on_post.sha256, "size": on_post.size}
    assert events[0].details == {**custody, "post": post.pk, "attachment": on_post.pk}
    assert events[2].details == events[0].details
    assert events[3].details["space"] == secret_space.pk
    assert events[4].details == {
        "space": secret_space.pk,
        "post": None,
        "attachment": direct.pk,
        "sha256": direct.sha256,
        "size": direct.size,
    }
    visible = json.dumps([[e.actor_label, e.target_type, e.target_id, e.details] for e in events]) + caplog.text
    assert "failed its integrity check" in caplog.text  # the log is really captured
    for secret in (secret_space.slug, NAME, FILENAME, "Banco", "Bank records", "ledger"):
        assert secret not in visible, secret


def test_a_plenary_space_is_still_named_in_the_audit_log(users, plenary):
    """The rule is for private consultations only: other spaces keep their readable names."""
    thread = forum_services.thread_create(actor=users["member"], space=plenary, title="t", body="b")
    attachment = services.attachment_create(
        actor=users["member"], space=plenary, post=thread.posts.get(), filename="agenda.pdf", content=[pdf()]
    )
    services.file_log_export_record(actor=users["member"], space=plenary)
    details = [e.details for e in AuditEvent.objects.filter(action__startswith="files.").order_by("seq")]
    assert [d["space"] for d in details] == [plenary.slug, plenary.slug]
    assert details[0]["filename"] == attachment.filename == "agenda.pdf"
