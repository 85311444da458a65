"""Helpers shared by the file services: the file log entry, audit details, upload checks and limits."""

from __future__ import annotations

import ipaddress
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from comity.core import context
from comity.files import permissions
from comity.files.models import Attachment, FileEvent

logger = logging.getLogger("comity.files")

READ_SIZE = 256 * 1024


def _country(user) -> str:
    return user.country.iso2 if getattr(user, "country_id", None) else ""


def _ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _event(*, action: str, space, actor, attachment: Attachment | None = None, ctx=None, detail: str = "") -> FileEvent:
    ctx = ctx or context.current()
    user = actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None
    return FileEvent.objects.create(
        space=space,
        attachment=attachment,
        user=user,
        user_label=getattr(user, "email", "") if user else "",
        action=action,
        filename=attachment.filename if attachment else "",
        sha256=attachment.sha256 if attachment else "",
        size=attachment.size if attachment else None,
        ip=_ip(ctx.ip),
        request_id=(ctx.request_id or "")[:64],
        detail=detail[:300],
    )


def _is_private(space) -> bool:
    from comity.forum.models import SpaceKind

    return space.kind == SpaceKind.PRIVATE


def space_audit_ref(space) -> int | str:
    """How a space is named in audit details: the audit log is read by people who may not read the space
    (the secretariat, the coordinators of the actor's country), so a private consultation is named by its id
    only; its slug comes from its title and can reveal who consults whom about what (security probe F1)."""
    return space.pk if _is_private(space) else space.slug


def _audit_details(attachment: Attachment) -> dict:
    """The audit log is read by people who may not read the space (secretariat, coordinators): for a private
    consultation it keeps ids, hash and size (custody) but not the names, which can reveal a case."""
    active = {"active_content": list(attachment.active_content)} if attachment.active_content else {}
    if _is_private(attachment.space):
        return {
            "space": attachment.space_id,
            "post": attachment.post_id,
            "attachment": attachment.pk,
            "sha256": attachment.sha256,
            "size": attachment.size,
            **active,
        }
    return {
        "space": attachment.space.slug,
        "post": attachment.post_id,
        "filename": attachment.filename,
        "sha256": attachment.sha256,
        "size": attachment.size,
        "content_type": attachment.content_type,
        **active,
    }


def _too_large_message(limit: int) -> str:
    return _("The file is larger than the limit of %(limit)s MiB.") % {"limit": f"{limit / 1024**2:,.0f}"}


def _check_space_and_post(*, actor, space, post) -> None:
    if post is not None and post.thread.space_id != space.pk:
        raise ValidationError({"post": [_("This post is not in that space.")]})
    if not permissions.can_upload(actor, space, post):
        raise PermissionDenied
