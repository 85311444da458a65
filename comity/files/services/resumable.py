"""Resumable uploads (tus 1.0): create, append at an offset, complete, terminate, and purge expired ones."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from comity.files import locks, permissions, sniff, storage, streamcrypt
from comity.files.models import Attachment, Upload
from comity.files.services._common import READ_SIZE, _check_space_and_post, _too_large_message, logger
from comity.files.services.errors import (
    ChecksumMismatch,
    DownloadFailed,
    FileTooLarge,
    OffsetMismatch,
    UploadBusy,
    UploadExpired,
)
from comity.files.services.finalize import _finalize

CHECKSUM_ALGORITHMS = ("sha1", "sha256", "md5")


def upload_create(
    *, actor, space, length: int, filename: str, post=None, metadata: dict | list | None = None
) -> Upload:
    """Start a resumable upload of `length` bytes. Raises PermissionDenied, FileTooLarge, ValidationError or
    sniff.Rejected (a filename extension that is never accepted is refused before any byte is sent)."""
    _check_space_and_post(actor=actor, space=space, post=post)
    limit = storage.max_upload_bytes()
    if length > limit:
        raise FileTooLarge(_too_large_message(limit))
    errors: dict[str, list[str]] = {}
    if not (filename or "").strip():
        errors["filename"] = [_("Give the file a name (the filename metadata).")]
    if length <= 0:
        errors["length"] = [_("The file is empty.")]
    if errors:
        raise ValidationError(errors)
    name = sniff.sanitize_filename(filename)
    extension = sniff.extension_of(name)
    if extension and extension not in sniff.ALLOWED_EXTENSIONS:
        raise sniff.Rejected(
            _("Files ending in .%(ext)s cannot be shared here. Accepted: %(accepted)s.")
            % {"ext": extension, "accepted": sniff.accepted_list()},
            code="extension_not_allowed",
        )
    key, wrapped, key_fingerprint = storage.new_file_key()
    del key  # the key is unwrapped again for each request that appends
    temp_name = storage.new_name()
    storage.start_upload_file(temp_name)
    try:
        return Upload.objects.create(
            user=actor,
            space=space,
            post=post,
            length=length,
            filename=name,
            metadata=metadata or {},
            temp_name=temp_name,
            wrapped_key=wrapped,
            key_fingerprint=key_fingerprint,
            expires_at=_new_expiry(),
        )
    except BaseException:
        storage.remove_upload_files(temp_name)
        raise


def _new_expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=storage.upload_expiry_hours())


def upload_offset(upload: Upload) -> int:
    """The number of bytes safely stored (from the files; the database value may lag after a crash)."""
    if upload.is_complete:
        return upload.length
    if storage.shared_uploads() is not None:
        # Shared by several hosts: this host's files may be behind; the database offset is written after the
        # shared copy (and corrected by the next append if a crash came between them).
        return upload.offset
    try:
        return storage.read_state(upload.temp_name).offset
    except FileNotFoundError:
        return upload.offset


def _discard_upload(upload: Upload) -> None:
    storage.remove_upload_files(upload.temp_name)
    Upload.objects.filter(pk=upload.pk).delete()


def _stored_head(handle, key: bytes, writer: streamcrypt.SealedWriter) -> bytes:
    """The first bytes of an upload, decrypted from its first sealed chunk (or taken from the tail)."""
    if writer.chunks_written == 0:
        return writer.pending[: sniff.HEAD_BYTES]
    handle.flush()
    with open(handle.name, "rb") as reader:
        first = streamcrypt.read_chunk(reader, key, 0, plain_length=writer.chunk_size, final=False)
    return first[: sniff.HEAD_BYTES]


@dataclass
class AppendResult:
    upload: Upload
    received: int
    attachment: Attachment | None = None
    interrupted: bool = False


def upload_append(
    *,
    actor,
    upload: Upload,
    offset: int,
    stream,
    content_length: int | None = None,
    checksum: tuple[str, bytes] | None = None,
) -> AppendResult:
    """Append the request body `stream` at `offset` (tus PATCH). Bytes are stored as they arrive, so an
    interrupted request keeps what it delivered; with a checksum the request's bytes are all kept or none.

    Raises OffsetMismatch, FileTooLarge, UploadExpired, UploadBusy, ChecksumMismatch, PermissionDenied or
    sniff.Rejected (the upload is then deleted)."""
    if upload.user_id != actor.pk:
        raise PermissionDenied
    if upload.is_complete:
        if offset == upload.length and not content_length:
            return AppendResult(upload=upload, received=0, attachment=upload.attachment)
        raise OffsetMismatch(upload.length)
    if upload.expires_at <= timezone.now():
        raise UploadExpired(_("This upload has expired; start again."))
    if not permissions.can_upload(actor, upload.space, upload.post):
        raise PermissionDenied
    try:
        with storage.upload_lock(upload.temp_name):
            return _append_locked(
                actor=actor,
                upload=upload,
                offset=offset,
                stream=stream,
                content_length=content_length,
                checksum=checksum,
            )
    except storage.UploadBusy as exc:
        raise UploadBusy(_("Another request is sending data to this upload; try again when it ends.")) from exc


def _append_locked(
    *, actor, upload: Upload, offset: int, stream, content_length: int | None, checksum: tuple[str, bytes] | None
) -> AppendResult:
    try:
        upload.refresh_from_db()
    except Upload.DoesNotExist as exc:  # purged (expired) or terminated while this request waited for the lock
        raise UploadExpired(_("This upload has expired; start again.")) from exc
    if upload.is_complete:
        raise OffsetMismatch(upload.length)
    if upload.expires_at <= timezone.now():
        raise UploadExpired(_("This upload has expired; start again."))
    storage.upload_sync_in(upload.temp_name)
    state = storage.read_state(upload.temp_name, repair=True)
    if state.version != streamcrypt.FORMAT_VERSION:
        # Started before the chunk format recorded a fresh nonce per append: continuing it could seal a
        # chunk index again under its old nonce, so it is dropped and the client starts again.
        _discard_upload(upload)
        raise UploadExpired(_("This upload was started before a server update and cannot be continued; start again."))
    if not state.tail_current:
        storage.remove(storage.tail_path(upload.temp_name))
    if state.offset != upload.offset:
        Upload.objects.filter(pk=upload.pk).update(offset=state.offset)
        upload.offset = state.offset
    if offset != state.offset:
        raise OffsetMismatch(state.offset)
    if content_length is not None and offset + content_length > upload.length:
        raise FileTooLarge(_("The data sent goes beyond the declared length of the upload."))
    key = storage.unwrap(upload.wrapped_key, upload.key_fingerprint)
    upload_id = upload.pk.bytes
    pending = b""
    if state.tail_current:
        _chunks, pending = streamcrypt.open_tail(key, upload_id, storage.tail_path(upload.temp_name).read_bytes())
    digest = hashlib.new(checksum[0], usedforsecurity=False) if checksum else None
    inspector = sniff.Inspector() if offset == 0 else None
    received = 0
    interrupted = False
    completed = False
    part = storage.part_path(upload.temp_name)
    with open(part, "r+b") as handle:
        header = handle.read(streamcrypt.HEADER_SIZE)
        start_size = handle.seek(0, os.SEEK_END)
        writer = streamcrypt.SealedWriter(handle, key, header=header, chunks_written=state.chunks, pending=pending)

        def rollback() -> None:
            handle.truncate(start_size)

        try:
            while True:
                try:
                    data = stream.read(READ_SIZE)
                except OSError:  # the client went away (UnreadablePostError is an OSError)
                    interrupted = True
                    break
                if not data:
                    break
                if offset + received + len(data) > upload.length:
                    raise FileTooLarge(_("The data sent goes beyond the declared length of the upload."))
                writer.write(data)
                received += len(data)
                locks.keep_alive()
                if digest is not None:
                    digest.update(data)
                if inspector is not None:
                    inspector.feed(data)
                    if not upload.head_checked and (inspector.head_ready or received == upload.length):
                        sniff.check_head(inspector.head, complete=received == upload.length)
                        upload.head_checked = True
        except sniff.Rejected:
            handle.close()
            _discard_upload(upload)
            raise
        except BaseException:
            rollback()
            raise
        if (
            digest is not None
            and checksum is not None
            and (interrupted or not hmac.compare_digest(digest.digest(), checksum[1]))
        ):
            rollback()
            raise ChecksumMismatch(_("The checksum of the data does not match; nothing was kept, send it again."))
        new_offset = offset + received
        if new_offset == upload.length:
            writer.finish()
            completed = True
        elif received and not upload.head_checked and new_offset >= min(upload.length, sniff.HEAD_BYTES):
            try:
                sniff.check_head(_stored_head(handle, key, writer))
            except sniff.Rejected:
                handle.close()
                _discard_upload(upload)
                raise
            upload.head_checked = True
        handle.flush()
        os.fsync(handle.fileno())
        if not completed and received:
            storage.write_tail(
                upload.temp_name, streamcrypt.seal_tail(key, upload_id, writer.chunks_written, writer.pending)
            )
    if received and not completed:
        try:
            storage.upload_sync_out(upload.temp_name, start_size)
        except Exception:
            # This host's copy is only a cache of the shared one: drop it, the next request rebuilds it.
            storage.remove(storage.part_path(upload.temp_name), storage.tail_path(upload.temp_name))
            raise
    if received:
        # Progress renews the expiry (tus expiration extension): a large file sent over a slow link over
        # several days is not purged while it is still arriving.
        upload.expires_at = max(upload.expires_at, _new_expiry())
    Upload.objects.filter(pk=upload.pk).update(
        offset=new_offset, head_checked=upload.head_checked, expires_at=upload.expires_at
    )
    upload.offset = new_offset
    result = AppendResult(upload=upload, received=received, interrupted=interrupted)
    del writer, pending  # release the chunk buffers before the completion pass
    if completed:
        result.attachment = _complete(actor=actor, upload=upload, key=key, inspector=inspector)
    return result


def _complete(*, actor, upload: Upload, key: bytes, inspector: sniff.Inspector | None) -> Attachment:
    part = storage.part_path(upload.temp_name)
    try:
        if inspector is None or inspector.size != upload.length:
            # Resumed across requests: hash and re-verify the whole stored file in one decrypting pass.
            inspector = sniff.Inspector()
            with open(part, "rb") as handle:
                for chunk in streamcrypt.iter_plaintext(handle, key, upload.length):
                    inspector.feed(chunk)
        attachment = _finalize(
            actor=actor,
            space=upload.space,
            post=upload.post,
            filename=upload.filename,
            sealed_path=part,
            key=key,
            wrapped_key=upload.wrapped_key,
            key_fingerprint=upload.key_fingerprint,
            inspector=inspector,
            upload=upload,
        )
    except streamcrypt.IntegrityError as exc:
        logger.error("upload %s: stored data failed its integrity check (%s); upload discarded", upload.pk, exc)
        _discard_upload(upload)
        raise DownloadFailed(_("The stored data of this upload was damaged; start the upload again.")) from exc
    except (sniff.Rejected, PermissionDenied):
        _discard_upload(upload)
        raise
    storage.remove(storage.tail_path(upload.temp_name))
    shared = storage.shared_uploads()
    if shared is not None:
        shared.delete_upload(upload.temp_name)
    return attachment


def upload_terminate(*, actor, upload: Upload) -> None:
    """tus termination: forget an upload in progress and its data."""
    if upload.user_id != actor.pk:
        raise PermissionDenied
    try:
        with storage.upload_lock(upload.temp_name):
            _discard_upload(upload)
    except storage.UploadBusy as exc:
        raise UploadBusy(_("Another request is sending data to this upload; try again when it ends.")) from exc


def uploads_purge(*, now: dt.datetime | None = None, orphan_age: dt.timedelta = dt.timedelta(days=1)) -> dict:
    """Remove expired uploads (each under the same lock as an append, so one that is receiving data is left
    alone), temporary upload files no upload refers to, and objects no attachment refers to (a crash between
    moving a finished upload into the object store and committing its attachment), the last two when older
    than `orphan_age`."""
    now = now or timezone.now()
    expired = busy = 0
    for upload in Upload.objects.filter(expires_at__lte=now).only("pk", "temp_name"):
        try:
            with storage.upload_lock(upload.temp_name):
                # Re-read under the lock: an append that just ended may have renewed the expiry.
                if not Upload.objects.filter(pk=upload.pk, expires_at__lte=now).exists():
                    continue
                storage.remove_upload_files(upload.temp_name)
                Upload.objects.filter(pk=upload.pk).delete()
        except storage.UploadBusy:
            busy += 1
            continue
        expired += 1
    limit = (now - orphan_age).timestamp()
    orphans = 0
    directory = storage.uploads_dir()
    if directory.exists():
        known = set(Upload.objects.filter(attachment__isnull=True).values_list("temp_name", flat=True))
        for path in directory.iterdir():
            name = path.name.split(".", 1)[0]
            if name not in known and _older_than(path, limit):
                storage.remove(path)
                orphans += 1
    return {"expired": expired, "busy": busy, "orphan_files": orphans, "orphan_objects": _sweep_objects(limit)}


def _older_than(path, limit: float) -> bool:
    try:
        return path.stat().st_mtime < limit
    except FileNotFoundError:  # removed meanwhile (an upload that just completed or was terminated)
        return False


def _sweep_objects(limit: float, batch_size: int = 500) -> int:
    """Remove stored objects older than `limit` that no live attachment refers to: left by a crash between
    installing into the object store and the commit, or by a deletion whose removal after commit never ran."""
    removed = 0
    store = storage.objects()
    for batch in store.iter_batches(batch_size):
        old = {item.name for item in batch if item.modified < limit}
        if not old:
            continue
        live = set(
            Attachment.objects.filter(storage_name__in=old, deleted_at__isnull=True).values_list(
                "storage_name", flat=True
            )
        )
        for name in sorted(old - live):
            store.delete(name)
            removed += 1
    return removed
