"""Who may see, upload and delete files. Deny by default; a file in a space or post you cannot read is 404.

- Read (list, download, file log): readers of the space (forum.permissions.spaces_visible_to) and, for a
  file on a post, readers of that post (posts_visible_to: a hidden post's files only for moderators).
- Upload: on a post, its author while they may post in its thread; directly in a space, only in a private
  consultation, by its readers who may start threads there (not observers, not in archived spaces).
- Delete: the uploader or a moderator of the space, unless the thread is under legal hold.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from comity.files.models import Attachment, FileEvent
from comity.forum import permissions as forum
from comity.forum.models import Post, Space, SpaceKind


def attachments_visible_to(user, *, post_ids: list[int] | None = None) -> QuerySet[Attachment]:
    """Attachments (not deleted) the user may read, in pages and API alike.

    `post_ids` narrows the answer to the files of those posts (and the check of the posts to them), which lets the
    database look up a page's posts by key instead of listing every post the user may read."""
    if not forum.is_member(user):
        return Attachment.objects.none()
    if post_ids is not None:
        posts = forum.posts_visible_to(user).filter(pk__in=post_ids)
        return Attachment.objects.filter(
            deleted_at__isnull=True, space__in=forum.spaces_visible_to(user), post__in=posts
        )
    return Attachment.objects.filter(deleted_at__isnull=True, space__in=forum.spaces_visible_to(user)).filter(
        Q(post__isnull=True) | Q(post__in=forum.posts_visible_to(user))
    )


def can_read_space(user, space: Space) -> bool:
    return forum.is_member(user) and forum.spaces_visible_to(user).filter(pk=space.pk).exists()


def can_upload(user, space: Space, post: Post | None = None) -> bool:
    if not forum.is_member(user) or user.is_observer or space.is_archived:
        return False
    if post is None:
        return space.kind == SpaceKind.PRIVATE and forum.can_start_thread(user, space)
    if post.thread.space_id != space.pk or post.author_id != user.pk:
        return False
    return forum.posts_visible_to(user).filter(pk=post.pk).exists() and forum.can_post(user, post.thread)


def can_delete(user, attachment: Attachment) -> bool:
    if not forum.is_member(user) or attachment.is_deleted:
        return False
    return attachment.uploaded_by_id == user.pk or forum.can_moderate(user, attachment.space)


def deletable_in(user, space: Space):
    """A predicate for many files of one space, asking whether the user moderates it only once."""
    moderator = forum.can_moderate(user, space)

    def deletable(attachment: Attachment) -> bool:
        if attachment.is_deleted or (attachment.post is not None and attachment.post.thread.legal_hold):
            return False
        return moderator or attachment.uploaded_by_id == user.pk

    return deletable


def file_events_visible_to(user, space: Space) -> QuerySet[FileEvent]:
    if not can_read_space(user, space):
        return FileEvent.objects.none()
    # Events about a file on a post the user cannot read (a hidden post) are left out.
    return FileEvent.objects.filter(space=space).filter(
        Q(attachment__isnull=True)
        | Q(attachment__post__isnull=True)
        | Q(attachment__post__in=forum.posts_visible_to(user))
    )
