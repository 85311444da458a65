"""Search over the posts and thread titles a user can read, in every script.

Matching is by case-folded substring: each term of the query must appear in the post's text (`Post.search_text`,
stored case-folded when the post is written) or, for a thread's opening post, in the post's text or the thread's
title. Substrings work for scripts without spaces between words (Chinese) and for Arabic and Cyrillic alike. On
SQLite the title is case-folded by a Python function registered on the connection (SQLite's own lower() knows
only ASCII); on PostgreSQL by LOWER(), which follows the database's Unicode ctype.

Only readable spaces are searched (`permissions.posts_visible_to`), and hidden posts are left out for everyone,
so neither a hit nor a count ever comes from a space or post the user cannot read.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass

from django.db.models import F, Func, OuterRef, Q, QuerySet, Subquery, TextField
from django.utils import timezone
from django.utils.html import strip_tags
from markupsafe import Markup, escape

from comity.forum import permissions
from comity.forum.models import Post

MAX_TERMS = 10
MAX_QUERY = 200
SNIPPET_CHARS = 240


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


class Casefold(Func):
    """Unicode case folding in the database: LOWER() on PostgreSQL, a Python function on SQLite."""

    function = "LOWER"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_function("comity_casefold", 1, _casefold, deterministic=True)
        return super().as_sql(compiler, connection, function="comity_casefold", **extra_context)


def terms_of(text: str) -> list[str]:
    """Distinct case-folded words of the query, in order, at most MAX_TERMS."""
    terms: list[str] = []
    for word in (text or "")[:MAX_QUERY].casefold().split():
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


@dataclass
class SearchFilters:
    space_id: int | None = None
    country: str = ""  # ISO alpha-2 of the author's country
    author: str = ""  # a user id, or part of a name or e-mail address
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    tlp: str = ""


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def post_search(*, user, terms: list[str], filters: SearchFilters | None = None) -> QuerySet[Post]:
    """Posts matching every term (see the module docstring), newest first, with what a result row shows."""
    filters = filters or SearchFilters()
    posts = permissions.posts_visible_to(user).filter(is_hidden=False)
    if terms:
        opening = Post.objects.filter(thread=OuterRef("thread")).order_by("created_at", "pk").values("pk")[:1]
        posts = posts.annotate(title_folded=Casefold(F("thread__title")))
        in_text = Q()
        in_text_or_title = Q()
        for term in terms:
            in_text &= Q(search_text__contains=term)
            in_text_or_title &= Q(search_text__contains=term) | Q(title_folded__contains=term)
        posts = posts.filter(in_text | (in_text_or_title & Q(pk=Subquery(opening))))
    if filters.space_id is not None:
        posts = posts.filter(thread__space_id=filters.space_id)
    if filters.country:
        posts = posts.filter(author__country__iso2=filters.country)
    if filters.author:
        if filters.author.isdigit():
            posts = posts.filter(author_id=int(filters.author))
        else:
            posts = posts.filter(
                Q(author__full_name__icontains=filters.author) | Q(author__email__icontains=filters.author)
            )
    if filters.date_from:
        posts = posts.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        posts = posts.filter(created_at__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    if filters.tlp:
        posts = posts.filter(thread__tlp=filters.tlp)
    return posts.select_related("thread__space", "author__country").order_by("-created_at", "-pk")


# --- snippets ----------------------------------------------------------------------------------------------------


def _pattern(terms: list[str]) -> re.Pattern | None:
    if not terms:
        return None
    alternatives = sorted({re.escape(term) for term in terms}, key=len, reverse=True)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def highlight(text: str, terms: list[str]) -> Markup:
    """The text, HTML-escaped, with each occurrence of a term wrapped in <mark>."""
    pattern = _pattern(terms)
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(Markup("<mark>%s</mark>") % match.group(0))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


_BLOCK_TAG = re.compile(r"<(/?(?:p|br|li|h[1-6]|blockquote|pre|tr|td|th|hr|ul|ol|table)\b[^>]*)>", re.IGNORECASE)


def post_plain_text(post: Post) -> str:
    """The post's text as a reader sees it (from its stored sanitized HTML), on one line."""
    spaced = _BLOCK_TAG.sub(r" <\1>", post.body_html)  # blocks are separated by a space, inline tags are not
    return " ".join(html.unescape(strip_tags(spaced)).split())


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> Markup:
    """About `width` characters around the first match (or the start), escaped, matches in <mark>."""
    pattern = _pattern(terms)
    match = pattern.search(text) if pattern else None
    start = 0
    if match and match.start() > width // 3:
        start = match.start() - width // 3
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= start - 20 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start + width // 2, end)
        end = space if space > 0 else end
    piece = highlight(text[start:end], terms)
    prefix = Markup("… ") if start > 0 else Markup("")
    suffix = Markup(" …") if end < len(text) else Markup("")
    return prefix + piece + suffix


@dataclass
class Hit:
    post: Post
    title: Markup
    snippet: Markup


def hits(posts, terms: list[str]) -> list[Hit]:
    return [
        Hit(post=post, title=highlight(post.thread.title, terms), snippet=snippet(post_plain_text(post), terms))
        for post in posts
    ]
