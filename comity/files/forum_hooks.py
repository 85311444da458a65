"""How files take part in forum actions, through the forum's hooks (registered in FilesConfig.ready)."""

from __future__ import annotations

from comity.files import selectors, services
from comity.files.models import Attachment
from comity.forum import hooks
from comity.forum.models import Post


def attachments_follow_thread(*, thread, to_space) -> None:
    """Attachments follow their thread, so that the new space's readers (and only they) can open them."""
    Attachment.objects.filter(post__thread=thread).update(space=to_space)


def attachments_purge(*, post_ids: list[int], reason: str) -> None:
    """Delete the encrypted files of purged posts (the file log keeps their hashes)."""
    services.attachments_purge_for_posts(posts=Post.objects.filter(pk__in=post_ids), reason=reason)


def attachments_shown(*, user, post_ids: list[int]) -> dict[int, list]:
    """The files of a page of posts; each carries `duplicate_of`, an earlier file of the space with the same
    content (or None), so that a second upload of the same document is pointed out where it is shown."""
    shown = selectors.attachments_for_posts(user=user, post_ids=post_ids)
    duplicates = selectors.duplicates_for_posts(user=user, attachments=shown)
    for items in shown.values():
        for attachment in items:
            attachment.duplicate_of = duplicates.get(attachment.pk)
    return shown


def register() -> None:
    hooks.thread_moved.register(attachments_follow_thread)
    hooks.posts_purging.register(attachments_purge)
    hooks.post_attachments.register(attachments_shown)
