"""Helpers shared by the forum pages: the clock, service errors on forms, and addresses of threads and posts."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from comity.forum import selectors


def now() -> dt.datetime:
    """The moment a page describes; one call per request so every row agrees (tests replace it)."""
    return timezone.now()


def bound(request):
    return request.POST if request.method == "POST" else None


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def apply_service_errors(form, exc, mapping: dict | None = None) -> None:
    """Attach a service ValidationError to the form field it names (or to the form as a whole)."""
    mapping = mapping or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, messages in exc.message_dict.items():
        target = mapping.get(key, key)
        form.add_error(target if target in form.fields else None, messages)


def thread_url(thread_id: int, *, page: int | None = None, anchor: str = "") -> str:
    url = reverse("forum:thread_detail", args=[thread_id])
    if page and page > 1:
        url += "?" + urlencode({"page": page})
    return url + (f"#{anchor}" if anchor else "")


def post_url(post) -> str:
    """The thread page showing this post, scrolled to it."""
    return thread_url(post.thread_id, page=selectors.post_page(post), anchor=f"post-{post.pk}")
