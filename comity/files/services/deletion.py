"""Deletion of files: by the uploader or a moderator, and with their posts in a retention purge."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.files import permissions, storage
from comity.files.models import Attachment, FileEvent
from comity.files.services._common import _audit_details, _country, _event


def _soft_delete(*, actor, attachment: Attachment, detail: str = "") -> None:
    """Destroy the bytes and the wrapped key (so that backups cannot be decrypted either); keep the row."""
    Attachment.objects.filter(pk=attachment.pk).update(deleted_at=timezone.now(), deleted_by=actor, wrapped_key="")
    _event(action=FileEvent.Action.DELETE, space=attachment.space, actor=actor, attachment=attachment, detail=detail)
    audit_log(
        action=AuditAction.FILE_DELETED,
        actor=actor,
        target=attachment,
        country=_country(actor) if actor is not None else "",
        details={**_audit_details(attachment), **({"reason": detail} if detail else {})},
    )
    name = attachment.storage_name
    transaction.on_commit(lambda: storage.objects().delete(name))


def attachment_delete(*, actor, attachment: Attachment) -> None:
    """By the uploader or a moderator of the space; refused while the thread is under legal hold."""
    if not permissions.can_delete(actor, attachment):
        raise PermissionDenied
    if attachment.post is not None and attachment.post.thread.legal_hold:
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
        for attachment in (
            Attachment.objects.filter(post__in=posts, deleted_at__isnull=True)
            .select_related("space")
            .select_for_update(of=("self",))
        ):
            _soft_delete(actor=actor, attachment=attachment, detail=f"{reason}: post {attachment.post_id} deleted")
            deleted += 1
        Attachment.objects.filter(post__in=posts).update(post=None)
    return deleted
