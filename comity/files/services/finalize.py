"""The last step of every upload: classify the sealed file, move it into the object store, record it."""

from __future__ import annotations

import contextlib

from django.core.exceptions import PermissionDenied
from django.db import transaction

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.files import permissions, sniff, storage, streamcrypt
from comity.files.models import Attachment, FileEvent, Upload
from comity.files.services._common import _audit_details, _country, _event


def _finalize(
    *,
    actor,
    space,
    post,
    filename: str,
    sealed_path,
    key: bytes,
    wrapped_key: str,
    key_fingerprint: str,
    inspector: sniff.Inspector,
    upload: Upload | None = None,
) -> Attachment:
    """Classify the sealed plaintext, move it into the object store and record it. Raises sniff.Rejected
    (the caller removes the temporary file) or PermissionDenied."""
    with contextlib.ExitStack() as stack:

        def open_plaintext():
            handle = stack.enter_context(open(sealed_path, "rb"))  # noqa: SIM115 - closed by the stack
            return streamcrypt.RandomAccessReader(handle, key, inspector.size)

        file_type, name = sniff.classify(inspector, filename, open_plaintext)
        active = sniff.active_content(inspector, open_plaintext)
    if active and storage.refuse_active_content():
        raise sniff.refused_active_content(active)
    if not permissions.can_upload(actor, space, post):
        raise PermissionDenied
    storage_name = storage.new_name()
    storage.install_object(sealed_path, storage_name)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                space=space,
                post=post,
                filename=name,
                content_type=file_type.content_type,
                size=inspector.size,
                sha256=inspector.sha256.hexdigest(),
                storage_name=storage_name,
                wrapped_key=wrapped_key,
                key_fingerprint=key_fingerprint,
                uploaded_by=actor,
                active_content=active,
            )
            if upload is not None:
                # The key now lives on the attachment only (so deleting it destroys the last copy).
                Upload.objects.filter(pk=upload.pk).update(attachment=attachment, offset=upload.length, wrapped_key="")
                upload.attachment = attachment
                upload.offset = upload.length
            _event(
                action=FileEvent.Action.UPLOAD,
                space=space,
                actor=actor,
                attachment=attachment,
                detail=f"active content: {', '.join(active)}" if active else "",
            )
            audit_log(
                action=AuditAction.FILE_UPLOADED,
                actor=actor,
                target=attachment,
                country=_country(actor),
                details=_audit_details(attachment),
            )
    except BaseException:
        storage.objects().delete(storage_name)
        raise
    return attachment
