"""Resumable uploads under retries, crashes, purges and parallel requests (issue 10, section 4)."""

import base64
import datetime as dt
import hashlib
import io
import os
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone
from django.utils.http import http_date

from comity.files import services, storage, streamcrypt
from comity.files.models import Attachment, Upload
from comity.files.services import resumable
from comity.files.tests.conftest import pdf, stored_files
from comity.files.tests.test_tus import TUS, create, metadata, patch

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
CHUNK = streamcrypt.DEFAULT_CHUNK_SIZE


def ledger(size: int) -> bytes:
    line = b"2025-01-01;BR0012345;1000.00;transfer\n"
    return (line * (size // len(line) + 1))[:size]


REAL_AESGCM = streamcrypt.AESGCM


class RecordingAESGCM:
    """Wraps AES-GCM and records (key, nonce) of every encryption, rolled-back ones included."""

    sealed: list[tuple[bytes, bytes]] = []

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._aead = REAL_AESGCM(key)
        if hasattr(self._aead, "encrypt_into"):
            self.encrypt_into = self._encrypt_into

    def encrypt(self, nonce, data, associated):
        self.sealed.append((self._key, bytes(nonce)))
        return self._aead.encrypt(nonce, data, associated)

    def _encrypt_into(self, nonce, data, associated, target):
        self.sealed.append((self._key, bytes(nonce)))
        return self._aead.encrypt_into(nonce, data, associated, target)

    def decrypt(self, nonce, data, associated):
        return self._aead.decrypt(nonce, data, associated)


@pytest.fixture
def recorded_nonces(monkeypatch):
    RecordingAESGCM.sealed = []
    monkeypatch.setattr(streamcrypt, "AESGCM", RecordingAESGCM)
    return RecordingAESGCM.sealed


def sha1(data: bytes) -> str:
    return "sha1 " + base64.b64encode(hashlib.sha1(data, usedforsecurity=False).digest()).decode()


def test_a_retried_append_never_reuses_a_nonce_and_the_file_decrypts(personas, consultation, recorded_nonces):
    """A checksum mismatch rolls back a chunk that was already sealed; its retry seals the same chunk index
    with other bytes. Every sealing under the file key gets its own nonce, and the file decrypts."""
    client = personas["member"]
    data = ledger(int(3.5 * MIB))
    url = create(client, len(data), metadata("ledger.csv", consultation.slug))["Location"]
    first = int(1.5 * MIB)
    second = first + int(1.2 * MIB)
    assert patch(client, url, 0, data[:first]).status_code == 204
    garbled = bytearray(data[first:second])
    garbled[100] ^= 0x20  # damaged in transit: the checksum (of the right bytes) does not match
    mismatch = patch(client, url, first, bytes(garbled), **{"Upload-Checksum": sha1(data[first:second])})
    assert (mismatch.status_code, mismatch["Upload-Offset"] if "Upload-Offset" in mismatch else None) == (460, None)
    assert client.head(url, headers=TUS)["Upload-Offset"] == str(first)
    retry = patch(client, url, first, data[first:second], **{"Upload-Checksum": sha1(data[first:second])})
    assert (retry.status_code, retry["Upload-Offset"]) == (204, str(second))
    last = patch(client, url, second, data[second:])
    attachment = Attachment.objects.get()
    assert (last.status_code, last["Comity-Attachment-Id"]) == (204, str(attachment.pk))
    file_key = storage.unwrap(attachment.wrapped_key, attachment.key_fingerprint)
    under_file_key = [nonce for key, nonce in recorded_nonces if key == file_key]
    # chunk 0; chunk 1 sealed, rolled back, sealed again; chunks 2 and 3 (final)
    assert len(under_file_key) == 5
    assert len(set(under_file_key)) == 5
    assert len(set(recorded_nonces)) == len(recorded_nonces)  # the tails' keys too
    with open(storage.object_path(attachment.storage_name), "rb") as stored:
        on_disk = streamcrypt.chunk_nonces(stored)
    assert len(on_disk) == 4
    assert set(on_disk) <= set(under_file_key)
    assert [nonce[-4:] for nonce in on_disk] == [index.to_bytes(4, "big") for index in range(4)]
    body = b"".join(client.get(f"/api/v1/attachments/{attachment.pk}/download/").streaming_content)
    assert hashlib.sha256(body).hexdigest() == hashlib.sha256(data).hexdigest() == attachment.sha256


def test_an_upload_started_in_the_first_format_is_restarted_not_continued(users, consultation, file_root):
    member = users["member"]
    data = ledger(2 * CHUNK)
    upload = services.upload_create(actor=member, space=consultation, length=len(data), filename="a.csv")
    part = storage.part_path(upload.temp_name)
    header = bytearray(part.read_bytes())
    header[4] = streamcrypt.LEGACY_VERSION  # as the previous release wrote it
    part.write_bytes(bytes(header))
    assert services.upload_offset(upload) == 0
    with pytest.raises(services.UploadExpired) as info:
        services.upload_append(actor=member, upload=upload, offset=0, stream=io.BytesIO(data[:10]))
    assert info.value.message == "This upload was started before a server update and cannot be continued; start again."
    assert (Upload.objects.count(), stored_files(file_root)) == (0, [])


class Clock:
    """The file services' clock, moved by the test (the session and the pages keep the real one)."""

    def __init__(self) -> None:
        self.at = timezone.now().replace(microsecond=0)

    def now(self) -> dt.datetime:
        return self.at


def test_progress_moves_the_expiry_forward(personas, consultation, settings, monkeypatch):
    settings.COMITY_UPLOAD_EXPIRY_HOURS = 72
    clock = Clock()
    monkeypatch.setattr(resumable, "timezone", clock)
    client = personas["member"]
    start = clock.at
    response = create(client, 100, metadata("a.txt", consultation.slug))
    url = response["Location"]
    assert response["Upload-Expires"] == http_date((start + dt.timedelta(hours=72)).timestamp())
    clock.at = later = start + dt.timedelta(hours=70)
    progress = patch(client, url, 0, b"hello ")
    renewed = later + dt.timedelta(hours=72)
    assert (progress.status_code, progress["Upload-Expires"]) == (204, http_date(renewed.timestamp()))
    assert Upload.objects.get().expires_at == renewed
    # Past the first expiry the upload is still there: the purge leaves it.
    clock.at = start + dt.timedelta(hours=100)
    assert services.uploads_purge()["expired"] == 0
    # Asking where it stands brings no data and does not renew it.
    clock.at = start + dt.timedelta(hours=101)
    state = client.head(url, headers=TUS)
    assert (state.status_code, state["Upload-Offset"], state["Upload-Expires"]) == (
        200,
        "6",
        http_date(renewed.timestamp()),
    )
    # Once it is really past, it is gone.
    clock.at = renewed + dt.timedelta(seconds=1)
    assert services.uploads_purge()["expired"] == 1
    assert Upload.objects.count() == 0


def test_purge_leaves_an_upload_that_is_receiving_data(users, consultation, file_root):
    """The purge takes the same lock as an append: an expired upload whose data is arriving is left for the
    next run, and one that is idle is removed."""
    member = users["member"]
    busy = services.upload_create(actor=member, space=consultation, length=100, filename="busy.txt")
    idle = services.upload_create(actor=member, space=consultation, length=100, filename="idle.txt")
    services.upload_append(actor=member, upload=busy, offset=0, stream=io.BytesIO(b"abc"))
    Upload.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with storage.upload_lock(busy.temp_name):
        assert services.uploads_purge() == {"expired": 1, "busy": 1, "orphan_files": 0, "orphan_objects": 0}
        assert storage.part_path(busy.temp_name).exists()
    assert list(Upload.objects.values_list("pk", flat=True)) == [busy.pk]
    assert not storage.part_path(idle.temp_name).exists()
    assert services.uploads_purge() == {"expired": 1, "busy": 0, "orphan_files": 0, "orphan_objects": 0}
    assert (Upload.objects.count(), stored_files(file_root)) == (0, [])


def test_objects_left_by_a_crash_before_the_commit_are_swept(users, consultation, file_root, monkeypatch):
    """A crash between moving a finished upload into the object store and committing its attachment leaves
    an object nothing refers to; the purge removes it once it is older than a day, and only it."""
    member = users["member"]
    kept = services.attachment_create(actor=member, space=consultation, filename="kept.pdf", content=[pdf(b"kept")])

    def crash(**kwargs):
        raise SystemExit("the process died")

    monkeypatch.setattr(Attachment.objects, "create", crash)
    with pytest.raises(SystemExit):
        services.attachment_create(actor=member, space=consultation, filename="lost.pdf", content=[pdf(b"lost")])
    monkeypatch.undo()
    # The service removes its object when the transaction fails; a dead process does not. Put one back.
    orphan = storage.object_path("ab" * 20)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"sealed bytes of an upload whose commit never happened")
    kept_path = storage.object_path(kept.storage_name)
    assert services.uploads_purge()["orphan_objects"] == 0  # too recent: its commit may be under way
    old = (timezone.now() - dt.timedelta(days=2)).timestamp()
    os.utime(orphan, (old, old))
    os.utime(kept_path, (old, old))
    assert services.uploads_purge() == {"expired": 0, "busy": 0, "orphan_files": 0, "orphan_objects": 1}
    assert stored_files(file_root) == [kept_path]
    assert b"".join(services.attachment_download(actor=member, attachment=kept)) == pdf(b"kept")


def test_a_deleted_attachment_whose_removal_never_ran_is_swept(users, consultation, file_root):
    member = users["member"]
    gone = services.attachment_create(actor=member, space=consultation, filename="gone.pdf", content=[pdf()])
    services.attachment_delete(actor=member, attachment=gone)  # on_commit never runs in this test transaction
    path = storage.object_path(gone.storage_name)
    assert path.exists()
    old = (timezone.now() - dt.timedelta(days=2)).timestamp()
    os.utime(path, (old, old))
    assert services.uploads_purge()["orphan_objects"] == 1
    assert stored_files(file_root) == []


class SlowStream:
    """A request body that delivers its first piece, then waits until the test lets it go on."""

    def __init__(self, first: bytes, rest: bytes) -> None:
        self.pieces = [first, rest]
        self.started = threading.Event()
        self.resume = threading.Event()

    def read(self, size: int) -> bytes:
        if not self.pieces:
            return b""
        if len(self.pieces) == 1:
            self.started.set()
            assert self.resume.wait(timeout=30)
        return self.pieces.pop(0)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="an append and a purge in two connections need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_purge_running_during_an_append_leaves_it_intact(users, consultation, file_root):
    member = users["member"]
    data = ledger(3 * CHUNK + 5)
    upload = services.upload_create(actor=member, space=consultation, length=len(data), filename="big.csv")
    stream = SlowStream(data[: CHUNK + 7], data[CHUNK + 7 : 2 * CHUNK + 11])
    results: list = []

    def append() -> None:
        try:
            results.append(services.upload_append(actor=member, upload=upload, offset=0, stream=stream))
        except BaseException as exc:  # reported below
            results.append(exc)
        finally:
            connections.close_all()

    worker = threading.Thread(target=append)
    worker.start()
    assert stream.started.wait(timeout=30)
    # The upload's time runs out while its data is arriving, and the daily purge runs.
    Upload.objects.filter(pk=upload.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    purged = services.uploads_purge()
    stream.resume.set()
    worker.join(timeout=60)
    assert purged == {"expired": 0, "busy": 1, "orphan_files": 0, "orphan_objects": 0}
    assert len(results) == 1
    assert isinstance(results[0], services.AppendResult), results[0]
    assert results[0].received == 2 * CHUNK + 11
    stored = Upload.objects.get(pk=upload.pk)
    assert stored.offset == 2 * CHUNK + 11
    assert stored.expires_at > timezone.now() + dt.timedelta(hours=71)
    assert services.uploads_purge()["expired"] == 0
    done = services.upload_append(
        actor=member, upload=stored, offset=stored.offset, stream=io.BytesIO(data[stored.offset :])
    )
    assert b"".join(services.attachment_download(actor=member, attachment=done.attachment)) == data


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two appends in two connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_appends_at_the_same_time_one_wins_and_the_file_is_whole(users, consultation, file_root):
    """Two requests append to one upload at once (a client retrying while its first request still runs):
    one holds the lock and stores its bytes, the other is told the upload is busy and stores nothing."""
    member = users["member"]
    data = ledger(2 * CHUNK + 99)
    upload = services.upload_create(actor=member, space=consultation, length=len(data), filename="race.csv")
    slow = SlowStream(data[:CHUNK], data[CHUNK : CHUNK + 500])
    results: list = []

    def append(stream) -> None:
        try:
            mine = Upload.objects.get(pk=upload.pk)
            results.append(services.upload_append(actor=member, upload=mine, offset=0, stream=stream))
        except BaseException as exc:  # reported below
            results.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=append, args=(slow,))
    first.start()
    assert slow.started.wait(timeout=30)
    second = threading.Thread(target=append, args=(io.BytesIO(data[: CHUNK + 500]),))
    second.start()
    second.join(timeout=60)
    slow.resume.set()
    first.join(timeout=60)
    assert len(results) == 2
    busy, done = results
    assert isinstance(busy, services.UploadBusy), busy
    assert busy.message == "Another request is sending data to this upload; try again when it ends."
    assert isinstance(done, services.AppendResult), done
    assert done.received == CHUNK + 500
    assert Upload.objects.get(pk=upload.pk).offset == CHUNK + 500
    final = services.upload_append(
        actor=member,
        upload=Upload.objects.get(pk=upload.pk),
        offset=CHUNK + 500,
        stream=io.BytesIO(data[CHUNK + 500 :]),
    )
    assert b"".join(services.attachment_download(actor=member, attachment=final.attachment)) == data
