"""Every write of the file exchange: uploads (resumable or in one request), downloads, deletions, the file log
and master-key rotation. Each upload, download and deletion writes a FileEvent and an audit event.

Data flow of an upload: plaintext arrives in pieces -> SealedWriter encrypts whole chunks to a temporary
.part file with the file's own key (nothing is ever written in clear) -> on the last byte the content is
classified against the allow-list, the .part file is renamed into the object store and the Attachment row
is created. The SHA-256 is computed while the bytes stream in; when an upload was resumed across requests,
it is computed by one decrypting pass over the stored file at completion (which also re-verifies it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import ipaddress
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core import context, crypto
from comity.files import permissions, sniff, storage, streamcrypt
from comity.files.models import Attachment, FileEvent, Upload

logger = logging.getLogger("comity.files")

READ_SIZE = 256 * 1024
CHECKSUM_ALGORITHMS = ("sha1", "sha256", "md5")


# --- errors the web layer turns into status codes -------------------------------------------------------------


class FileError(Exception):
    code = "file_error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class FileTooLarge(FileError):
    code = "too_large"


class OffsetMismatch(FileError):
    code = "offset_mismatch"

    def __init__(self, offset: int) -> None:
        super().__init__(_("The upload is at byte %(offset)s; send the data from there.") % {"offset": offset})
        self.offset = offset


class UploadExpired(FileError):
    code = "expired"


class ChecksumMismatch(FileError):
    code = "checksum_mismatch"


class UploadBusy(FileError):
    code = "locked"


class DownloadFailed(FileError):
    """The stored file (or its key) failed an integrity check; the failure is logged."""

    code = "integrity_error"


# --- helpers ---------------------------------------------------------------------------------------------------


def _country(user) -> str:
    return user.country.iso2 if getattr(user, "country_id", None) else ""


def _ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _event(*, action: str, space, actor, attachment: Attachment | None = None, ctx=None,
           detail: str = "") -> FileEvent:
    ctx = ctx or context.current()
    user = actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None
    return FileEvent.objects.create(
        space=space, attachment=attachment, user=user, user_label=getattr(user, "email", "") if user else "",
        action=action, filename=attachment.filename if attachment else "",
        sha256=attachment.sha256 if attachment else "", size=attachment.size if attachment else None,
        ip=_ip(ctx.ip), request_id=(ctx.request_id or "")[:64], detail=detail[:300])


def _audit_details(attachment: Attachment) -> dict:
    """The audit log is read by people who may not read the space (secretariat, coordinators): for a private
    consultation it keeps ids, hash and size (custody) but not the name, which can reveal a case."""
    from comity.forum.models import SpaceKind

    if attachment.space.kind == SpaceKind.PRIVATE:
        return {"space": attachment.space_id, "post": attachment.post_id, "attachment": attachment.pk,
                "sha256": attachment.sha256, "size": attachment.size}
    return {"space": attachment.space.slug, "post": attachment.post_id, "filename": attachment.filename,
            "sha256": attachment.sha256, "size": attachment.size, "content_type": attachment.content_type}


def _too_large_message(limit: int) -> str:
    return _("The file is larger than the limit of %(limit)s MiB.") % {"limit": f"{limit / 1024**2:,.0f}"}


def _check_space_and_post(*, actor, space, post) -> None:
    if post is not None and post.thread.space_id != space.pk:
        raise ValidationError({"post": [_("This post is not in that space.")]})
    if not permissions.can_upload(actor, space, post):
        raise PermissionDenied


def _finalize(*, actor, space, post, filename: str, sealed_path, key: bytes, wrapped_key: str,
              key_fingerprint: str, inspector: sniff.Inspector, upload: Upload | None = None) -> Attachment:
    """Classify the sealed plaintext, move it into the object store and record it. Raises sniff.Rejected
    (the caller removes the temporary file) or PermissionDenied."""
    with contextlib.ExitStack() as stack:
        def open_plaintext():
            handle = stack.enter_context(open(sealed_path, "rb"))  # noqa: SIM115 - closed by the stack
            return streamcrypt.RandomAccessReader(handle, key, inspector.size)

        file_type, name = sniff.classify(inspector, filename, open_plaintext)
    if not permissions.can_upload(actor, space, post):
        raise PermissionDenied
    storage_name = storage.new_name()
    target = storage.install_object(sealed_path, storage_name)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                space=space, post=post, filename=name, content_type=file_type.content_type, size=inspector.size,
                sha256=inspector.sha256.hexdigest(), storage_name=storage_name, wrapped_key=wrapped_key,
                key_fingerprint=key_fingerprint, uploaded_by=actor)
            if upload is not None:
                # The key now lives on the attachment only (so deleting it destroys the last copy).
                Upload.objects.filter(pk=upload.pk).update(attachment=attachment, offset=upload.length,
                                                           wrapped_key="")
                upload.attachment = attachment
                upload.offset = upload.length
            _event(action=FileEvent.Action.UPLOAD, space=space, actor=actor, attachment=attachment)
            audit_log(action=AuditAction.FILE_UPLOADED, actor=actor, target=attachment, country=_country(actor),
                      details=_audit_details(attachment))
    except BaseException:
        storage.remove(target)
        raise
    return attachment


# --- uploads in one request (the no-JavaScript form, demo data, scripts) ------------------------------------------


class SealedTemp:
    """A file encrypted to a temporary file as it streams in, checked against the allow-list as soon as its
    first bytes arrive. `close()` removes whatever was not turned into an attachment."""

    def __init__(self, *, max_bytes: int | None = None) -> None:
        self.key, self.wrapped_key, self.key_fingerprint = storage.new_file_key()
        self.temp_name = storage.new_name()
        self.path = storage.part_path(self.temp_name)
        self.max_bytes = storage.max_upload_bytes() if max_bytes is None else max_bytes
        self._handle = storage.create_private(self.path)
        self._writer = streamcrypt.SealedWriter(self._handle, self.key)
        self.inspector = sniff.Inspector()
        self.head_checked = False
        self.finished = False

    @property
    def size(self) -> int:
        return self.inspector.size

    def write(self, data: bytes) -> None:
        if self.inspector.size + len(data) > self.max_bytes:
            raise FileTooLarge(_too_large_message(self.max_bytes))
        self._writer.write(data)
        self.inspector.feed(data)
        if not self.head_checked and self.inspector.head_ready:
            sniff.check_head(self.inspector.head)
            self.head_checked = True

    def finish(self) -> None:
        if not self.head_checked:
            sniff.check_head(self.inspector.head, complete=True)
            self.head_checked = True
        self._writer.finish()
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        self.finished = True

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()
        storage.remove(self.path)


def attachment_create_from_sealed(*, actor, space, filename: str, sealed: SealedTemp, post=None) -> Attachment:
    """Turn a finished SealedTemp into an attachment; the temporary file is gone afterwards either way."""
    try:
        _check_space_and_post(actor=actor, space=space, post=post)
        if not sealed.finished:
            sealed.finish()
        return _finalize(actor=actor, space=space, post=post, filename=sniff.sanitize_filename(filename),
                         sealed_path=sealed.path, key=sealed.key, wrapped_key=sealed.wrapped_key,
                         key_fingerprint=sealed.key_fingerprint, inspector=sealed.inspector)
    finally:
        sealed.close()


def attachment_create(*, actor, space, filename: str, content: Iterable[bytes] | object, post=None) -> Attachment:
    """Store a file given as an iterable of byte strings or a binary stream (`read(n)`)."""
    _check_space_and_post(actor=actor, space=space, post=post)
    sealed = SealedTemp()
    try:
        if hasattr(content, "read"):
            while data := content.read(READ_SIZE):  # type: ignore[attr-defined]
                sealed.write(data)
        else:
            for data in content:  # type: ignore[attr-defined]
                sealed.write(data)
    except BaseException:
        sealed.close()
        raise
    return attachment_create_from_sealed(actor=actor, space=space, post=post, filename=filename, sealed=sealed)


# --- resumable uploads (tus 1.0) -------------------------------------------------------------------------------


def upload_create(*, actor, space, length: int, filename: str, post=None,
                  metadata: dict | list | None = None) -> Upload:
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
        raise sniff.Rejected(_("Files ending in .%(ext)s cannot be shared here. Accepted: %(accepted)s.")
                             % {"ext": extension, "accepted": sniff.accepted_list()}, code="extension_not_allowed")
    key, wrapped, key_fingerprint = storage.new_file_key()
    del key  # the key is unwrapped again for each request that appends
    temp_name = storage.new_name()
    storage.start_upload_file(temp_name)
    try:
        return Upload.objects.create(
            user=actor, space=space, post=post, length=length, filename=name, metadata=metadata or {},
            temp_name=temp_name, wrapped_key=wrapped, key_fingerprint=key_fingerprint,
            expires_at=timezone.now() + dt.timedelta(hours=storage.upload_expiry_hours()))
    except BaseException:
        storage.remove_upload_files(temp_name)
        raise


def upload_offset(upload: Upload) -> int:
    """The number of bytes safely stored (from the files; the database value may lag after a crash)."""
    if upload.is_complete:
        return upload.length
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
        return writer.pending[:sniff.HEAD_BYTES]
    handle.flush()
    with open(handle.name, "rb") as reader:
        first = streamcrypt.read_chunk(reader, key, 0, plain_length=writer.chunk_size, final=False)
    return first[:sniff.HEAD_BYTES]


@dataclass
class AppendResult:
    upload: Upload
    received: int
    attachment: Attachment | None = None
    interrupted: bool = False


def upload_append(*, actor, upload: Upload, offset: int, stream, content_length: int | None = None,
                  checksum: tuple[str, bytes] | None = None) -> AppendResult:
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
            return _append_locked(actor=actor, upload=upload, offset=offset, stream=stream,
                                  content_length=content_length, checksum=checksum)
    except storage.UploadBusy as exc:
        raise UploadBusy(_("Another request is sending data to this upload; try again when it ends.")) from exc


def _append_locked(*, actor, upload: Upload, offset: int, stream, content_length: int | None,
                   checksum: tuple[str, bytes] | None) -> AppendResult:
    upload.refresh_from_db()
    if upload.is_complete:
        raise OffsetMismatch(upload.length)
    state = storage.read_state(upload.temp_name, repair=True)
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
        if digest is not None and (interrupted or not hmac.compare_digest(digest.digest(), checksum[1])):
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
            storage.write_tail(upload.temp_name, streamcrypt.seal_tail(key, upload_id, writer.chunks_written,
                                                                       writer.pending))
    Upload.objects.filter(pk=upload.pk).update(offset=new_offset, head_checked=upload.head_checked)
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
        attachment = _finalize(actor=actor, space=upload.space, post=upload.post, filename=upload.filename,
                               sealed_path=part, key=key, wrapped_key=upload.wrapped_key,
                               key_fingerprint=upload.key_fingerprint, inspector=inspector, upload=upload)
    except streamcrypt.IntegrityError as exc:
        logger.error("upload %s: stored data failed its integrity check (%s); upload discarded", upload.pk, exc)
        _discard_upload(upload)
        raise DownloadFailed(_("The stored data of this upload was damaged; start the upload again.")) from exc
    except (sniff.Rejected, PermissionDenied):
        _discard_upload(upload)
        raise
    storage.remove(storage.tail_path(upload.temp_name))
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
    """Remove expired uploads, and temporary files no upload refers to (after a crash) older than a day."""
    now = now or timezone.now()
    expired = 0
    for upload in Upload.objects.filter(expires_at__lte=now).only("pk", "temp_name"):
        storage.remove_upload_files(upload.temp_name)
        upload.delete()
        expired += 1
    orphans = 0
    directory = storage.uploads_dir()
    if directory.exists():
        known = set(Upload.objects.filter(attachment__isnull=True).values_list("temp_name", flat=True))
        limit = (now - orphan_age).timestamp()
        for path in directory.iterdir():
            name = path.name.split(".", 1)[0]
            if name not in known and path.stat().st_mtime < limit:
                storage.remove(path)
                orphans += 1
    return {"expired": expired, "orphan_files": orphans}


# --- downloads -------------------------------------------------------------------------------------------------


def _integrity_failed(*, actor, attachment: Attachment, reason: str, ctx) -> None:
    logger.error("file %s (%s) in space %s failed its integrity check for %s: %s", attachment.pk,
                 attachment.storage_name, attachment.space_id, getattr(actor, "email", "?"), reason)
    _event(action=FileEvent.Action.INTEGRITY_FAILED, space=attachment.space, actor=actor, attachment=attachment,
           ctx=ctx, detail=reason)


def attachment_download(*, actor, attachment: Attachment) -> Iterator[bytes]:
    """The plaintext as a stream of chunks, each verified before it is handed out. The attachment must come
    from selectors.attachment_get_for (permission checked on every request).

    The first chunk is verified before anything is logged or returned: a damaged file raises DownloadFailed
    here. Damage further in raises DownloadFailed while streaming (the response is cut short). Both are
    logged as an integrity failure in the file log."""
    ctx = context.current()
    try:
        key = storage.unwrap(attachment.wrapped_key, attachment.key_fingerprint)
        handle = open(storage.object_path(attachment.storage_name), "rb")  # noqa: SIM115 - closed by the stream
    except (storage.KeyUnavailable, OSError, ValueError) as exc:
        _integrity_failed(actor=actor, attachment=attachment, reason=str(exc) or exc.__class__.__name__, ctx=ctx)
        raise DownloadFailed(_("This file cannot be decrypted; the incident has been logged.")) from exc
    chunks = streamcrypt.iter_plaintext(handle, key, attachment.size)
    try:
        first = next(chunks)
    except streamcrypt.IntegrityError as exc:
        handle.close()
        _integrity_failed(actor=actor, attachment=attachment, reason=str(exc), ctx=ctx)
        raise DownloadFailed(_("This file failed its integrity check and was not sent; the incident has been "
                               "logged.")) from exc
    with transaction.atomic():
        _event(action=FileEvent.Action.DOWNLOAD, space=attachment.space, actor=actor, attachment=attachment, ctx=ctx)
        audit_log(action=AuditAction.FILE_DOWNLOADED, actor=actor, target=attachment, country=_country(actor),
                  details=_audit_details(attachment))

    def stream() -> Iterator[bytes]:
        try:
            yield first
            yield from chunks
        except streamcrypt.IntegrityError as exc:
            _integrity_failed(actor=actor, attachment=attachment, reason=str(exc), ctx=ctx)
            raise DownloadFailed(f"file {attachment.pk} failed its integrity check while streaming") from exc
        finally:
            handle.close()

    return stream()


# --- deletion --------------------------------------------------------------------------------------------------


def _soft_delete(*, actor, attachment: Attachment, detail: str = "") -> None:
    """Destroy the bytes and the wrapped key (so that backups cannot be decrypted either); keep the row."""
    Attachment.objects.filter(pk=attachment.pk).update(deleted_at=timezone.now(), deleted_by=actor,
                                                       wrapped_key="")
    _event(action=FileEvent.Action.DELETE, space=attachment.space, actor=actor, attachment=attachment, detail=detail)
    audit_log(action=AuditAction.FILE_DELETED, actor=actor, target=attachment,
              country=_country(actor) if actor is not None else "",
              details={**_audit_details(attachment), **({"reason": detail} if detail else {})})
    path = storage.object_path(attachment.storage_name)
    transaction.on_commit(lambda: storage.remove(path))


def attachment_delete(*, actor, attachment: Attachment) -> None:
    """By the uploader or a moderator of the space; refused while the thread is under legal hold."""
    if not permissions.can_delete(actor, attachment):
        raise PermissionDenied
    if attachment.post_id is not None and attachment.post.thread.legal_hold:
        raise ValidationError(_("This thread is under legal hold; its files cannot be deleted."))
    with transaction.atomic():
        current = Attachment.objects.select_for_update().get(pk=attachment.pk)
        if current.deleted_at is not None:
            return
        _soft_delete(actor=actor, attachment=attachment)
    attachment.deleted_at = timezone.now()
    attachment.deleted_by = actor
    attachment.wrapped_key = ""


def attachments_purge_for_posts(*, posts, actor=None, reason: str = "retention") -> int:
    """Delete the files of posts about to be deleted (retention purge) and detach them, so the posts can go.

    Call inside the purge's transaction, before deleting the posts; the file log keeps every file's hash."""
    deleted = 0
    with transaction.atomic():
        for attachment in Attachment.objects.filter(post__in=posts, deleted_at__isnull=True).select_related(
                "space").select_for_update(of=("self",)):
            _soft_delete(actor=actor, attachment=attachment, detail=f"{reason}: post {attachment.post_id} deleted")
            deleted += 1
        Attachment.objects.filter(post__in=posts).update(post=None)
    return deleted


# --- the file log ---------------------------------------------------------------------------------------------


def file_log_export_record(*, actor, space) -> FileEvent:
    """Record an export of the space's file log (before the first row is sent); it is part of the export."""
    if not permissions.can_read_space(actor, space):
        raise PermissionDenied
    with transaction.atomic():
        event = _event(action=FileEvent.Action.LOG_EXPORT, space=space, actor=actor)
        audit_log(action=AuditAction.FILE_LOG_EXPORTED, actor=actor, target=space, country=_country(actor),
                  details={"space": space.slug, "format": "csv", "through_event": event.pk})
    return event


# --- master key rotation ----------------------------------------------------------------------------------------


@dataclass
class RotationResult:
    old_fingerprint: str
    new_fingerprint: str
    attachments: int = 0
    uploads: int = 0
    already: int = 0
    failed: int = 0
    failed_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"old_fingerprint": self.old_fingerprint, "new_fingerprint": self.new_fingerprint,
                "attachments": self.attachments, "uploads": self.uploads, "already": self.already,
                "failed": self.failed, "failed_ids": self.failed_ids[:50]}


def master_key_rotate(*, old_key: bytes, new_key: bytes, batch_size: int = 500, actor=None) -> RotationResult:
    """Re-wrap every file key (attachments and uploads in progress) from the old master key to the new one,
    in batches, each in a transaction. Rows already under the new key are skipped, so running it again
    after an interruption (or after a restart that left a few uploads under the old key) finishes the job.
    The files are not touched. Deleted attachments have no key left to re-wrap."""
    result = RotationResult(storage.fingerprint(old_key), storage.fingerprint(new_key))
    if result.old_fingerprint == result.new_fingerprint:
        raise ValidationError(_("The old and the new master key are the same."))
    for model, counter in ((Attachment, "attachments"), (Upload, "uploads")):
        base = model.objects.exclude(wrapped_key="")
        result.already += base.filter(key_fingerprint=result.new_fingerprint).count()
        last_pk = None
        while True:
            with transaction.atomic():
                query = base.exclude(key_fingerprint=result.new_fingerprint).order_by("pk")
                if last_pk is not None:
                    query = query.filter(pk__gt=last_pk)
                rows = list(query.select_for_update()[:batch_size])
                if not rows:
                    break
                changed = []
                for row in rows:
                    last_pk = row.pk
                    if row.key_fingerprint != result.old_fingerprint:
                        result.failed += 1
                        result.failed_ids.append(f"{model._meta.model_name}:{row.pk}")
                        continue
                    try:
                        row.wrapped_key = crypto.rewrap_key(row.wrapped_key, old_key, new_key)
                    except crypto.DecryptionError:
                        result.failed += 1
                        result.failed_ids.append(f"{model._meta.model_name}:{row.pk}")
                        continue
                    row.key_fingerprint = result.new_fingerprint
                    changed.append(row)
                model.objects.bulk_update(changed, ["wrapped_key", "key_fingerprint"])
                setattr(result, counter, getattr(result, counter) + len(changed))
    audit_log(action=AuditAction.MASTER_KEY_ROTATED, actor=actor, details=result.as_dict())
    return result
