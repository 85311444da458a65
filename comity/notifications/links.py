"""Links that leave the platform in e-mail: absolute URLs and signed one-click unsubscribe tokens.

A token is signed with django.core.signing under a salt used for nothing else, so it cannot be replayed as
any other kind of token, and names exactly one action: mute a thread, mute a space, or stop a digest.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import NoReverseMatch, reverse

UNSUBSCRIBE_SALT = "comity.notifications.unsubscribe.v1"
SCOPES = ("thread", "space", "daily", "weekly")

# The forum's thread page (`forum:thread_detail`, with the thread's id).
THREAD_URL_NAME = "forum:thread_detail"


@dataclass(frozen=True)
class UnsubscribeRequest:
    user_id: int
    scope: str
    object_id: int


def absolute(path: str) -> str:
    return settings.COMITY_BASE_URL.rstrip("/") + path


def thread_path(thread_id: int, post=None) -> str:
    """The thread page, on the page showing `post` and scrolled to it; the notification centre if the forum's
    pages are not installed."""
    try:
        path = reverse(THREAD_URL_NAME, args=[thread_id])
    except NoReverseMatch:
        return reverse("notifications:list")
    if post is None:
        return path
    from comity.forum import selectors as forum_selectors

    page = forum_selectors.post_page(post)
    return path + (f"?page={page}" if page > 1 else "") + f"#post-{post.pk}"


def unsubscribe_token(*, user_id: int, scope: str, object_id: int = 0) -> str:
    if scope not in SCOPES:
        raise ValueError(scope)
    return signing.dumps({"u": user_id, "s": scope, "o": object_id}, salt=UNSUBSCRIBE_SALT, compress=False)


def read_unsubscribe_token(token: str) -> UnsubscribeRequest:
    """The request a token carries; raises signing.BadSignature for anything not made by unsubscribe_token."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or data.get("s") not in SCOPES:
        raise signing.BadSignature("unknown scope")
    user_id, object_id = data.get("u"), data.get("o")
    if not isinstance(user_id, int) or not isinstance(object_id, int) or isinstance(user_id, bool):
        raise signing.BadSignature("malformed")
    return UnsubscribeRequest(user_id=user_id, scope=data["s"], object_id=object_id)


def unsubscribe_url(*, user_id: int, scope: str, object_id: int = 0) -> str:
    token = unsubscribe_token(user_id=user_id, scope=scope, object_id=object_id)
    return absolute(reverse("notifications:unsubscribe", kwargs={"token": token}))


def list_unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 List-Unsubscribe with RFC 8058 one-click POST."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
