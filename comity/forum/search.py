"""Search over the posts and thread titles a user can read, in every script.

Matching is by folded substring (`comity.core.search.fold`: case, accents and Arabic letter variants ignored): each
term of the query must appear in the post's text (`Post.search_text`, stored folded when the post is written) or,
for a thread's opening post, in the post's text or the thread's title (`Thread.title_search`, the title stored folded
whenever it is written; results highlight the title as written). Substrings work for scripts without spaces
between words (Chinese) and for Arabic and Cyrillic alike.

Both tests go through an index (`comity.core.search`): a trigram index on `search_text` and on `title_search`
(PostgreSQL), an FTS5 trigram table on each (SQLite). The opening posts whose thread title matches are found
from the threads whose title holds a term, one index probe per such thread, in a subquery that runs once; no
subquery runs per post.

Only readable spaces are searched (`permissions.posts_visible_to`), and hidden posts are left out for everyone,
so neither a hit nor a count ever comes from a space or post the user cannot read.
"""

from __future__ import annotations

import datetime as dt
import html
import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.html import strip_tags
from markupsafe import Markup

from comity.core.search import (
    MAX_QUERY,
    MAX_TERMS,
    SNIPPET_CHARS,
    Casefold,
    TextIndex,
    fold,
    highlight,
    in_subquery,
    snippet,
    terms_of,
)
from comity.forum import permissions
from comity.forum.models import Post

__all__ = [
    "MAX_QUERY",
    "MAX_TERMS",
    "POST_TEXT",
    "SNIPPET_CHARS",
    "THREAD_TITLE",
    "Casefold",
    "Hit",
    "SearchFilters",
    "fold",
    "highlight",
    "hits",
    "post_plain_text",
    "post_search",
    "snippet",
    "terms_of",
]

# Created by migrations forum 0002_post_search_index (posts) and 0006_thread_title_search (folded titles).
POST_TEXT = TextIndex(table="forum_post", column="search_text", name="forum_post_search")
THREAD_TITLE = TextIndex(table="forum_thread", column="title_search", name="forum_thread_title_search")


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


def _matching(user, terms: list[str], space_id: int | None) -> Q:
    """Every term in the post's text; or, for a thread's opening post, each term in its text or its thread's title.

    Such a thread's title holds at least one term (otherwise the text alone matches), so the opening posts to
    consider are those of the readable threads whose title holds any term, found through the title index: one
    probe of the (thread, created_at) index per such thread, in a subquery that runs once, before the posts are
    read. No subquery runs per post.
    """
    titled = permissions.threads_visible_to(user).filter(
        reduce(operator.or_, (THREAD_TITLE.contains([t]) for t in terms))
    )
    if space_id is not None:
        titled = titled.filter(space_id=space_id)
    first = Post.objects.filter(thread=OuterRef("pk")).order_by("created_at", "pk").values("pk")[:1]
    openings = titled.annotate(opening=Subquery(first)).values("opening")
    in_text_or_title = (POST_TEXT.exact(term) | THREAD_TITLE.exact(term, through="thread") for term in terms)
    # `thread IN titled` is a hashed test, so a post whose thread title holds no term is dismissed before the array
    # of opening posts is searched; that array test is linear in its length, and a scan would pay it for every row.
    opening = Q(thread__in=titled.values("pk")) & in_subquery("pk", openings)
    return POST_TEXT.contains(terms) | (opening & reduce(operator.and_, in_text_or_title))


def post_search(*, user, terms: list[str], filters: SearchFilters | None = None) -> QuerySet[Post]:
    """Posts matching every term (see the module docstring), newest first, with what a result row shows."""
    filters = filters or SearchFilters()
    posts = permissions.posts_visible_to(user).filter(is_hidden=False)
    if terms:
        posts = posts.filter(_matching(user, terms, filters.space_id))
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


# --- results -----------------------------------------------------------------------------------------------------


_BLOCK_TAG = re.compile(r"<(/?(?:p|br|li|h[1-6]|blockquote|pre|tr|td|th|hr|ul|ol|table)\b[^>]*)>", re.IGNORECASE)


def post_plain_text(post: Post) -> str:
    """The post's text as a reader sees it (from its stored sanitized HTML), on one line."""
    spaced = _BLOCK_TAG.sub(r" <\1>", post.body_html)  # blocks are separated by a space, inline tags are not
    return " ".join(html.unescape(strip_tags(spaced)).split())


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
