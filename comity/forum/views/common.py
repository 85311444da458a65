"""Helpers shared by the forum pages: the clock, service errors on forms, and addresses of threads and posts."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from comity.core.i18n import language_name
from comity.forum import language as post_language
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
    for key, errors in exc.message_dict.items():
        target = mapping.get(key, key)
        form.add_error(target if target in form.fields else None, errors)


def thread_url(thread_id: int, *, page: int | None = None, anchor: str = "") -> str:
    url = reverse("forum:thread_detail", args=[thread_id])
    if page and page > 1:
        url += "?" + urlencode({"page": page})
    return url + (f"#{anchor}" if anchor else "")


def post_url(post) -> str:
    """The thread page showing this post, scrolled to it."""
    return thread_url(post.thread_id, page=selectors.post_page(post), anchor=f"post-{post.pk}")


def detected_language(form) -> str:
    """The language to record: the writer's choice if they made one, else what the text is detected to be when the
    detector is confident, else the default the form offered."""
    chosen = form.cleaned_data["language"]
    if form.cleaned_data.get("language_chosen") == "1":
        return chosen
    return post_language.detect(form.cleaned_data["body"]) or chosen


def language_note(request, *, chosen: str, used: str) -> None:
    if used != chosen:
        messages.info(
            request,
            _("The text was recognised as %(language)s, so the post is marked as such; correct it by editing the post.")
            % {"language": language_name(used, translation.get_language() or "en")},
        )
