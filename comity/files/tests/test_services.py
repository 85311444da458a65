import base64
import hashlib
import io
import logging
import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from comity.audit.models import AuditAction, AuditEvent
from comity.core import crypto
from comity.files import permissions, services, sniff, storage, streamcrypt
from comity.files.models import Attachment, FileEvent, Upload
from comity.files.tests.conftest import pdf, stored_files
from comity.forum import services as forum_services

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024


def multi_chunk_text(size: int, marker: bytes = b"") -> bytes:
    line = b"row;account;amount;" + marker + b"\n"
    body = (line * (size // len(line) + 1))[: size - 1] + b"\n"
    return body


def download(actor, attachment) -> bytes:
    return b"".join(services.attachment_download(actor=actor, attachment=attachment))


def test_multi_chunk_round_trip_hash_log_and_audit(users, consultation, file_root):
    data = multi_chunk_text(int(3.5 * MIB))
    attachment = services.attachment_create(
        actor=users["member"], space=consultation, filename="ledger.csv", content=io.BytesIO(data)
    )
    assert (attachment.size, attachment.sha256, attachment.content_type, attachment.filename) == (
        len(data),
        hashlib.sha256(data).hexdigest(),
        "text/csv; charset=utf-8",
        "ledger.csv",
    )
    stored = storage.object_path(attachment.storage_name)
    assert stored.stat().st_size == streamcrypt.HEADER_SIZE + len(data) + 4 * (
        streamcrypt.NONCE_SIZE + streamcrypt.TAG_SIZE
    )
    assert stored_files(file_root) == [stored]
    assert download(users["coordinator"], attachment) == data
    events = list(FileEvent.objects.order_by("pk").values_list("action", "user__email", "sha256", "size"))
    assert events == [
        ("upload", "member.br@example.test", attachment.sha256, len(data)),
        ("download", "coord.br@example.test", attachment.sha256, len(data)),
    ]
    audits = AuditEvent.objects.filter(action__in=[AuditAction.FILE_UPLOADED, AuditAction.FILE_DOWNLOADED]).order_by(
        "seq"
    )
    assert [(a.action, a.actor_label, a.details["sha256"], a.target_id) for a in audits] == [
        ("files.uploaded", "member.br@example.test", attachment.sha256, str(attachment.pk)),
        ("files.downloaded", "coord.br@example.test", attachment.sha256, str(attachment.pk)),
    ]


def test_neither_database_nor_file_store_hold_the_plaintext(users, consultation, file_root, client):
    marker = b"MARKER-7f3a-banco-exemplo-conta"
    data = multi_chunk_text(int(1.5 * MIB), marker)
    attachment = services.attachment_create(
        actor=users["member"], space=consultation, filename="secret.txt", content=[data]
    )
    # A resumable upload halfway through: its .part and .tail files too.
    upload = services.upload_create(actor=users["member"], space=consultation, length=len(data), filename="b.txt")
    services.upload_append(actor=users["member"], upload=upload, offset=0, stream=io.BytesIO(data[: MIB + 777]))
    assert {p.suffix for p in stored_files(file_root)} == {"", ".part", ".tail"}  # the lock is in the database
    for path in stored_files(file_root):
        assert marker not in path.read_bytes(), path
    dump = _database_dump()
    assert attachment.sha256 in dump  # the dump is real
    assert marker.decode() not in dump
    assert base64.b64encode(marker).decode() not in dump
    master = crypto.master_key()
    assert base64.b64encode(master).decode() not in dump


def _database_dump() -> str:
    """Every value of every row of every table, as text (works on SQLite and PostgreSQL)."""
    from django.apps import apps

    lines = []
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - table names come from the models
            lines.extend(" ".join(str(value) for value in row) for row in cursor.fetchall())
    return "\n".join(lines)


def test_tampered_first_chunk_fails_before_sending_and_is_logged(users, consultation, caplog):
    attachment = services.attachment_create(
        actor=users["member"], space=consultation, filename="a.pdf", content=[pdf()]
    )
    path = storage.object_path(attachment.storage_name)
    blob = bytearray(path.read_bytes())
    blob[streamcrypt.HEADER_SIZE + streamcrypt.NONCE_SIZE + 20] ^= 0x01
    path.write_bytes(bytes(blob))
    with caplog.at_level(logging.ERROR, logger="comity.files"), pytest.raises(services.DownloadFailed):
        services.attachment_download(actor=users["coordinator"], attachment=attachment)
    assert "failed its integrity check" in caplog.text
    assert list(FileEvent.objects.order_by("pk").values_list("action", "detail")) == [
        ("upload", ""),
        ("integrity_failed", "chunk 0 failed its integrity check"),
    ]
    assert not AuditEvent.objects.filter(action=AuditAction.FILE_DOWNLOADED).exists()


def test_tampered_later_chunk_cuts_the_stream_and_is_logged(users, consultation):
    data = multi_chunk_text(int(2.5 * MIB))
    attachment = services.attachment_create(actor=users["member"], space=consultation, filename="a.txt", content=[data])
    path = storage.object_path(attachment.storage_name)
    blob = bytearray(path.read_bytes())
    blob[-5] ^= 0x80
    path.write_bytes(bytes(blob))
    chunks = services.attachment_download(actor=users["member"], attachment=attachment)
    received = []
    with pytest.raises(services.DownloadFailed):
        for chunk in chunks:
            received.append(chunk)
    assert sum(map(len, received)) == 2 * MIB
    assert list(FileEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "upload",
        "download",
        "integrity_failed",
    ]


def test_rejected_type_stores_nothing(users, consultation, file_root):
    with pytest.raises(sniff.Rejected):
        services.attachment_create(
            actor=users["member"], space=consultation, filename="tool.exe", content=[b"MZ" + b"\x00" * 10_000]
        )
    assert (Attachment.objects.count(), FileEvent.objects.count(), stored_files(file_root)) == (0, 0, [])
    assert not AuditEvent.objects.filter(action=AuditAction.FILE_UPLOADED).exists()


class BrokenStream:
    """A request body that dies after `limit` bytes, like a dropped connection."""

    def __init__(self, data: bytes, limit: int) -> None:
        self._data = io.BytesIO(data[:limit])

    def read(self, size: int) -> bytes:
        chunk = self._data.read(size)
        if not chunk:
            raise OSError("connection reset by peer")
        return chunk


def test_interrupted_request_keeps_every_byte_received_and_resumes(users, consultation):
    data = multi_chunk_text(int(2.5 * MIB))
    upload = services.upload_create(actor=users["member"], space=consultation, length=len(data), filename="x.csv")
    cut = MIB + 123_457
    result = services.upload_append(actor=users["member"], upload=upload, offset=0, stream=BrokenStream(data, cut))
    assert (result.interrupted, result.received, result.attachment) == (True, cut, None)
    upload = Upload.objects.get(pk=upload.pk)
    assert (upload.offset, services.upload_offset(upload)) == (cut, cut)
    with pytest.raises(services.OffsetMismatch) as info:
        services.upload_append(actor=users["member"], upload=upload, offset=0, stream=io.BytesIO(data))
    assert info.value.offset == cut
    result = services.upload_append(actor=users["member"], upload=upload, offset=cut, stream=io.BytesIO(data[cut:]))
    assert result.attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert download(users["member"], result.attachment) == data


def test_crash_between_chunk_and_tail_recovers_a_consistent_offset(users, consultation):
    """If the process died after sealing a chunk but before writing the tail, the old tail is stale: the
    stored offset is the whole chunks, and the client resumes from there."""
    data = multi_chunk_text(3 * MIB)
    upload = services.upload_create(actor=users["member"], space=consultation, length=len(data), filename="x.txt")
    services.upload_append(actor=users["member"], upload=upload, offset=0, stream=io.BytesIO(data[:1000]))
    stale_tail = storage.tail_path(upload.temp_name).read_bytes()
    services.upload_append(
        actor=users["member"], upload=upload, offset=1000, stream=io.BytesIO(data[1000 : 2 * MIB + 10])
    )
    storage.write_tail(upload.temp_name, stale_tail)  # as if the new tail never reached the disk
    with open(storage.part_path(upload.temp_name), "ab") as part:  # and half a chunk was being written
        part.write(b"\x00" * 1000)
    upload = Upload.objects.get(pk=upload.pk)
    assert services.upload_offset(upload) == 2 * MIB
    with pytest.raises(services.OffsetMismatch) as info:
        services.upload_append(actor=users["member"], upload=upload, offset=2 * MIB + 10, stream=io.BytesIO(b""))
    assert info.value.offset == 2 * MIB
    result = services.upload_append(
        actor=users["member"],
        upload=Upload.objects.get(pk=upload.pk),
        offset=2 * MIB,
        stream=io.BytesIO(data[2 * MIB :]),
    )
    assert download(users["member"], result.attachment) == data


def test_checksum_mismatch_keeps_nothing_of_the_request(users, consultation):
    data = pdf(b"x" * 5000)
    upload = services.upload_create(actor=users["member"], space=consultation, length=len(data), filename="a.pdf")
    with pytest.raises(services.ChecksumMismatch):
        services.upload_append(
            actor=users["member"],
            upload=upload,
            offset=0,
            stream=io.BytesIO(data[:3000]),
            checksum=("sha1", hashlib.sha1(b"other", usedforsecurity=False).digest()),
        )
    assert services.upload_offset(Upload.objects.get(pk=upload.pk)) == 0
    result = services.upload_append(
        actor=users["member"],
        upload=upload,
        offset=0,
        stream=io.BytesIO(data),
        checksum=("sha256", hashlib.sha256(data).digest()),
    )
    assert result.attachment.size == len(data)


def test_only_the_uploader_appends_and_permission_is_checked_again(users, consultation):
    upload = services.upload_create(actor=users["member"], space=consultation, length=10, filename="a.txt")
    with pytest.raises(PermissionDenied):
        services.upload_append(actor=users["coordinator"], upload=upload, offset=0, stream=io.BytesIO(b"0123456789"))
    forum_services.space_member_remove(actor=users["member"], space=consultation, user=users["liaison"])
    upload = services.upload_create(actor=users["member"], space=consultation, length=4, filename="a.txt")
    services.upload_append(actor=users["member"], upload=upload, offset=0, stream=io.BytesIO(b"ab"))
    users["member"].__dict__.pop("_forum_space_ids", None)
    consultation.is_archived = True
    consultation.save(update_fields=["is_archived"])
    upload = Upload.objects.select_related("space").get(pk=upload.pk)
    with pytest.raises(PermissionDenied):
        services.upload_append(actor=users["member"], upload=upload, offset=2, stream=io.BytesIO(b"cd"))
    assert services.upload_offset(upload) == 2


def test_upload_create_validation(users, consultation, plenary, settings):
    settings.COMITY_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(services.FileTooLarge) as info:
        services.upload_create(actor=users["member"], space=consultation, length=1001, filename="a.pdf")
    assert info.value.message == "The file is larger than the limit of 0 MiB."
    with pytest.raises(ValidationError) as invalid:
        services.upload_create(actor=users["member"], space=consultation, length=0, filename=" ")
    assert invalid.value.message_dict == {
        "filename": ["Give the file a name (the filename metadata)."],
        "length": ["The file is empty."],
    }
    with pytest.raises(PermissionDenied):  # directly in a plenary: only on a post
        services.upload_create(actor=users["member"], space=plenary, length=10, filename="a.pdf")
    with pytest.raises(PermissionDenied):
        services.upload_create(actor=users["member_other"], space=consultation, length=10, filename="a.pdf")
    assert Upload.objects.count() == 0


def test_post_attachments_follow_the_post(users, plenary):
    thread = forum_services.thread_create(actor=users["member"], space=plenary, title="Bank records", body="See file")
    post = thread.posts.get()
    attachment = services.attachment_create(
        actor=users["member"], space=plenary, post=post, filename="a.pdf", content=[pdf()]
    )
    with pytest.raises(PermissionDenied):  # someone else's post
        services.attachment_create(
            actor=users["member_other"], space=plenary, post=post, filename="b.pdf", content=[pdf()]
        )
    assert permissions.attachments_visible_to(users["member_other"]).get() == attachment
    post.is_hidden = True
    post.save(update_fields=["is_hidden"])
    assert not permissions.attachments_visible_to(users["member_other"]).exists()
    assert permissions.attachments_visible_to(users["moderator"]).get() == attachment


def test_delete_by_uploader_or_moderator_destroys_bytes_and_key(
    users, consultation, shared, django_capture_on_commit_callbacks
):
    path = storage.object_path(shared.storage_name)
    with pytest.raises(PermissionDenied):
        services.attachment_delete(actor=users["liaison"], attachment=shared)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(actor=users["member"], attachment=shared)  # the consultation's moderator
    shared.refresh_from_db()
    assert (shared.deleted_by, shared.wrapped_key, path.exists()) == (users["member"], "", False)
    assert list(FileEvent.objects.order_by("pk").values_list("action", "user__email")) == [
        ("upload", "coord.br@example.test"),
        ("delete", "member.br@example.test"),
    ]
    audit = AuditEvent.objects.get(action=AuditAction.FILE_DELETED)
    assert (audit.actor_label, audit.details["sha256"]) == ("member.br@example.test", shared.sha256)


def test_legal_hold_blocks_deletion(users, plenary):
    thread = forum_services.thread_create(actor=users["member"], space=plenary, title="t", body="b")
    attachment = services.attachment_create(
        actor=users["member"], space=plenary, post=thread.posts.get(), filename="a.pdf", content=[pdf()]
    )
    thread.legal_hold = True
    thread.save(update_fields=["legal_hold"])
    attachment = Attachment.objects.select_related("post__thread", "space").get(pk=attachment.pk)
    with pytest.raises(ValidationError) as info:
        services.attachment_delete(actor=users["member"], attachment=attachment)
    assert info.value.messages == ["This thread is under legal hold; its files cannot be deleted."]
    assert storage.object_path(attachment.storage_name).exists()


def test_purge_for_posts_deletes_and_detaches(users, plenary):
    thread = forum_services.thread_create(actor=users["member"], space=plenary, title="t", body="b")
    post = thread.posts.get()
    attachment = services.attachment_create(
        actor=users["member"], space=plenary, post=post, filename="a.pdf", content=[pdf()]
    )
    post_id = post.pk
    assert services.attachments_purge_for_posts(posts=[post]) == 1
    post.delete()
    attachment.refresh_from_db()
    assert (attachment.post_id, attachment.wrapped_key, attachment.deleted_at is not None) == (None, "", True)
    assert FileEvent.objects.filter(action="delete").get().detail == f"retention: post {post_id} deleted"


def test_expired_uploads_and_orphans_are_purged(users, consultation, file_root):
    upload = services.upload_create(actor=users["member"], space=consultation, length=10, filename="a.txt")
    orphan = storage.uploads_dir() / ("ab" * 20 + ".part")
    orphan.write_bytes(b"x")
    os.utime(orphan, (0, 0))
    Upload.objects.filter(pk=upload.pk).update(expires_at=timezone.now())
    assert services.uploads_purge() == {"expired": 1, "busy": 0, "orphan_files": 1, "orphan_objects": 0}
    assert (Upload.objects.count(), stored_files(file_root)) == (0, [])


NEW_KEY = base64.b64encode(b"n" * 32).decode()


def test_rotation_rewraps_keys_and_is_idempotent(users, consultation, shared, settings, monkeypatch):
    data = pdf(b"rotation")
    upload = services.upload_create(actor=users["member"], space=consultation, length=len(data), filename="r.pdf")
    services.upload_append(actor=users["member"], upload=upload, offset=0, stream=io.BytesIO(data[:100]))
    old_key = settings.COMITY_MASTER_KEY
    stored_before = storage.object_path(shared.storage_name).read_bytes()
    monkeypatch.setenv("COMITY_MASTER_KEY_OLD", old_key)
    monkeypatch.setenv("COMITY_MASTER_KEY_NEW", NEW_KEY)
    out = io.StringIO()
    call_command("rotate_master_key", stdout=out)
    new_fp = storage.fingerprint(crypto.master_key(NEW_KEY))
    old_fp = storage.fingerprint(crypto.master_key(old_key))
    assert out.getvalue() == (
        f"master key {old_fp} -> {new_fp}: re-wrapped 1 attachment key(s) and 1 upload key(s); "
        f"0 already under the new key; 0 failed.\n"
    )
    assert storage.object_path(shared.storage_name).read_bytes() == stored_before  # files untouched
    shared.refresh_from_db()
    assert shared.key_fingerprint == new_fp
    with pytest.raises(services.DownloadFailed):  # the app still on the old key
        download(users["member"], shared)
    settings.COMITY_MASTER_KEY = NEW_KEY
    assert download(users["member"], shared) == pdf(b"draft request")
    result = services.upload_append(
        actor=users["member"], upload=Upload.objects.get(pk=upload.pk), offset=100, stream=io.BytesIO(data[100:])
    )
    assert download(users["member"], result.attachment) == data
    again = io.StringIO()
    call_command("rotate_master_key", "--old-key", old_key, "--new-key", NEW_KEY, stdout=again)
    assert again.getvalue() == (
        f"master key {old_fp} -> {new_fp}: re-wrapped 0 attachment key(s) and 0 upload "
        f"key(s); 2 already under the new key; 0 failed.\n"
    )
    audits = AuditEvent.objects.filter(action=AuditAction.MASTER_KEY_ROTATED).order_by("seq")
    assert [(a.details["attachments"], a.details["uploads"], a.details["already"]) for a in audits] == [
        (1, 1, 0),
        (0, 0, 2),
    ]
    with override_settings(COMITY_MASTER_KEY=old_key), pytest.raises(services.DownloadFailed):
        download(users["member"], shared)


def test_rotation_reports_rows_under_an_unknown_key(users, consultation, shared, settings):
    Attachment.objects.filter(pk=shared.pk).update(key_fingerprint="0" * 16)
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "rotate_master_key",
            "--old-key",
            settings.COMITY_MASTER_KEY,
            "--new-key",
            NEW_KEY,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert exit_info.value.code == 1
    assert AuditEvent.objects.get(action=AuditAction.MASTER_KEY_ROTATED).details["failed_ids"] == [
        f"attachment:{shared.pk}"
    ]


def test_rotation_refuses_bad_input(settings):
    with pytest.raises(Exception, match="Give the old and the new master key"):
        call_command("rotate_master_key", stdout=io.StringIO())
    with pytest.raises(Exception, match="A key is not valid"):
        call_command("rotate_master_key", "--old-key", "short", "--new-key", NEW_KEY, stdout=io.StringIO())
    with pytest.raises(Exception, match="The old and the new master key are the same."):
        call_command("rotate_master_key", "--old-key", NEW_KEY, "--new-key", NEW_KEY, stdout=io.StringIO())
    assert not AuditEvent.objects.filter(action=AuditAction.MASTER_KEY_ROTATED).exists()
