"""Reads of files, uploads and file logs, always restricted by the user; hidden or missing answers 404."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from comity.files import permissions
from comity.files.models import Attachment, FileEvent, Upload
from comity.forum import permissions as forum
from comity.forum.models import TLP, Post, Space


def space_get_for(*, user, slug: str) -> Space:
    space = forum.spaces_visible_to(user).filter(slug=slug).first()
    if space is None:
        raise Http404
    return space


def space_get_for_ref(*, user, ref: str) -> Space:
    """A readable space named by its slug or, failing that, by its id (upload metadata may carry either)."""
    try:
        return space_get_for(user=user, slug=ref)
    except Http404:
        if not (ref.isascii() and ref.isdigit() and len(ref) <= 18):  # "²".isdigit() is True too
            raise
    space = forum.spaces_visible_to(user).filter(pk=int(ref)).first()
    if space is None:
        raise Http404
    return space


def post_get_for(*, user, pk) -> Post:
    try:
        post = forum.posts_visible_to(user).select_related("thread", "thread__space").get(pk=pk)
    except (Post.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    return post


def attachment_list(*, user, space: Space | None = None, post: Post | None = None) -> QuerySet[Attachment]:
    qs = permissions.attachments_visible_to(user).select_related("uploaded_by", "space", "post__thread")
    if space is not None:
        qs = qs.filter(space=space)
    if post is not None:
        qs = qs.filter(post=post)
    return qs.order_by("-created_at", "-pk")


def attachment_get_for(*, user, pk) -> Attachment:
    try:
        return (
            permissions.attachments_visible_to(user).select_related("space", "post__thread", "uploaded_by").get(pk=pk)
        )
    except (Attachment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def attachments_for_posts(*, user, post_ids: Iterable[int]) -> dict[int, list[Attachment]]:
    """The readable files of many posts in one query, for a thread page: {post id: [attachments]}."""
    grouped: dict[int, list[Attachment]] = defaultdict(list)
    ids = list(post_ids)
    if not ids:
        return {}
    # The visibility rule is narrowed to these posts: unnarrowed, PostgreSQL hashes every post the user may read
    # (12 ms at 10,000 posts, growing with the forum) to answer for a page of fifty.
    for attachment in (
        permissions.attachments_visible_to(user, post_ids=ids).filter(post_id__in=ids).order_by("created_at", "pk")
    ):
        if attachment.post_id is not None:
            grouped[attachment.post_id].append(attachment)
    return dict(grouped)


def same_content_in_space(*, user, attachment: Attachment, limit: int = 3) -> list[Attachment]:
    """Earlier readable files of the same space with the same content (SHA-256), newest first."""
    return list(
        permissions.attachments_visible_to(user)
        .filter(space_id=attachment.space_id, sha256=attachment.sha256)
        .exclude(pk=attachment.pk)
        .select_related("post__thread")
        .order_by("-created_at", "-pk")[:limit]
    )


def duplicates_for_posts(*, user, attachments: dict[int, list[Attachment]]) -> dict[int, Attachment]:
    """{attachment id: the earliest other readable file of its space with the same content}, in one query."""
    found = [a for items in attachments.values() for a in items]
    if not found:
        return {}
    hashes = {a.sha256 for a in found}
    earliest: dict[tuple[int, str], list[Attachment]] = defaultdict(list)
    for other in (
        permissions.attachments_visible_to(user)
        .filter(sha256__in=hashes, space_id__in={a.space_id for a in found})
        .select_related("post__thread")
        .order_by("created_at", "pk")
    ):
        earliest[(other.space_id, other.sha256)].append(other)
    result = {}
    for attachment in found:
        others = [o for o in earliest.get((attachment.space_id, attachment.sha256), []) if o.pk != attachment.pk]
        if others and (others[0].created_at, others[0].pk) < (attachment.created_at, attachment.pk):
            result[attachment.pk] = others[0]
    return result


def upload_get_for(*, user, pk) -> Upload:
    """An upload in progress, for the user who started it only."""
    if not forum.is_member(user):
        raise Http404
    try:
        return Upload.objects.select_related("space", "post__thread").get(pk=pk, user=user)
    except (Upload.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


def file_event_list(*, user, space: Space) -> QuerySet[FileEvent]:
    return (
        permissions.file_events_visible_to(user, space)
        .select_related("attachment__post__thread", "user")
        .order_by("-created_at", "-pk")
    )


def tlp_of(attachment: Attachment | None, space: Space) -> str:
    """The handling mark that governs a file: its thread's, or the space's default for a direct file."""
    if attachment is not None and attachment.post is not None:
        return attachment.post.thread.tlp
    return space.default_tlp


def tlp_label(value: str) -> str:
    return TLP(value).label
