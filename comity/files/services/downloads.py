"""Downloads (each chunk verified before it is handed out) and the record of a file log export."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core import context
from comity.files import permissions, storage, streamcrypt
from comity.files.models import Attachment, FileEvent
from comity.files.services._common import _audit_details, _country, _event, logger, space_audit_ref
from comity.files.services.errors import DownloadFailed


def _integrity_failed(*, actor, attachment: Attachment, reason: str, ctx) -> None:
    logger.error(
        "file %s (%s) in space %s failed its integrity check for %s: %s",
        attachment.pk,
        attachment.storage_name,
        attachment.space_id,
        getattr(actor, "email", "?"),
        reason,
    )
    _event(
        action=FileEvent.Action.INTEGRITY_FAILED,
        space=attachment.space,
        actor=actor,
        attachment=attachment,
        ctx=ctx,
        detail=reason,
    )


def attachment_download(*, actor, attachment: Attachment) -> Iterator[bytes]:
    """The plaintext as a stream of chunks, each verified before it is handed out. The attachment must come
    from selectors.attachment_get_for (permission checked on every request).

    The first chunk is verified before anything is logged or returned: a damaged file raises DownloadFailed
    here. Damage further in raises DownloadFailed while streaming (the response is cut short). Both are
    logged as an integrity failure in the file log."""
    ctx = context.current()
    try:
        key = storage.unwrap(attachment.wrapped_key, attachment.key_fingerprint)
        handle = storage.objects().open(attachment.storage_name)  # closed by the stream
    except (storage.KeyUnavailable, OSError, ValueError) as exc:
        _integrity_failed(actor=actor, attachment=attachment, reason=str(exc) or exc.__class__.__name__, ctx=ctx)
        raise DownloadFailed(_("This file cannot be decrypted; the incident has been logged.")) from exc
    chunks = streamcrypt.iter_plaintext(handle, key, attachment.size)
    try:
        first = next(chunks)
    except streamcrypt.IntegrityError as exc:
        handle.close()
        _integrity_failed(actor=actor, attachment=attachment, reason=str(exc), ctx=ctx)
        raise DownloadFailed(
            _("This file failed its integrity check and was not sent; the incident has been logged.")
        ) from exc
    with transaction.atomic():
        _event(action=FileEvent.Action.DOWNLOAD, space=attachment.space, actor=actor, attachment=attachment, ctx=ctx)
        audit_log(
            action=AuditAction.FILE_DOWNLOADED,
            actor=actor,
            target=attachment,
            country=_country(actor),
            details=_audit_details(attachment),
        )

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


def file_log_export_record(*, actor, space) -> FileEvent:
    """Record an export of the space's file log (before the first row is sent); it is part of the export."""
    if not permissions.can_read_space(actor, space):
        raise PermissionDenied
    with transaction.atomic():
        event = _event(action=FileEvent.Action.LOG_EXPORT, space=space, actor=actor)
        audit_log(
            action=AuditAction.FILE_LOG_EXPORTED,
            actor=actor,
            target=space,
            country=_country(actor),
            details={"space": space_audit_ref(space), "format": "csv", "through_event": event.pk},
        )
    return event
