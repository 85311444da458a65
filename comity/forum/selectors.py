"""Reads of the forum: spaces with unread counts, threads, posts by page, reading position, addressees.

Every read starts from the user-restricted querysets of `permissions`; single objects come from the
`*_get_for` helpers, which answer 404 for "does not exist" and "not allowed" alike. List reads aggregate in
the database (unread counts per space and per thread are one query each), so pages keep a constant number of
queries however many spaces, threads or posts there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from comity.core.permissions import get_visible_or_404
from comity.forum import permissions
from comity.forum.models import (
    NotifyLevel,
    Post,
    ReadMarker,
    Space,
    SpaceAuthority,
    SpaceKind,
    SpaceMember,
    Thread,
    ThreadSubscription,
)
from comity.forum.services import SETTINGS_ONLY

POSTS_PER_PAGE = 50
THREADS_PER_PAGE = 25
KIND_ORDER = [SpaceKind.PLENARY, SpaceKind.REGIONAL, SpaceKind.NETWORK, SpaceKind.THEMATIC, SpaceKind.PRIVATE]


def _read_up_to(user) -> Coalesce:
    """The id of the last post the user has read in the outer thread (0 when never opened)."""
    marker = ReadMarker.objects.filter(user=user, thread=OuterRef("pk")).values("last_read_post_id")[:1]
    return Coalesce(Subquery(marker, output_field=IntegerField()), Value(0))


# --- spaces ------------------------------------------------------------------------------------------------------


@dataclass
class SpaceGroup:
    kind: str
    label: str
    spaces: list[Space] = field(default_factory=list)


def space_get_for(*, user, slug: str) -> Space:
    return get_visible_or_404(permissions.spaces_visible_to(user).select_related("network"), slug=slug)


def unread_threads_by_space(*, user, space_ids) -> dict[int, int]:
    """{space id: number of threads with posts newer than the user's read marker}, in one query."""
    rows = (
        Thread.objects.filter(space_id__in=space_ids)
        .annotate(read_up_to=_read_up_to(user))
        .filter(last_post_id_cache__gt=F("read_up_to"))
        .order_by()
        .values("space_id")
        .annotate(unread=Count("pk"))
        .values_list("space_id", "unread")
    )
    return dict(rows)


def space_groups_for(*, user) -> list[SpaceGroup]:
    """The spaces a member reads, grouped by kind (plenary first), each with thread and unread counts."""
    spaces = list(permissions.spaces_visible_to(user).annotate(thread_count=Count("threads")).order_by())
    unread = unread_threads_by_space(user=user, space_ids=[space.pk for space in spaces])
    groups: dict[str, SpaceGroup] = {kind: SpaceGroup(kind, str(SpaceKind(kind).label)) for kind in KIND_ORDER}
    for space in spaces:  # attributes for the template, set on the rows shown (not model fields)
        space.unread_count = unread.get(space.pk, 0)  # type: ignore[attr-defined]
        space.display_name = space.localized_name()  # type: ignore[attr-defined]
        groups[space.kind].spaces.append(space)
    for group in groups.values():
        group.spaces.sort(key=lambda s: (s.is_archived, s.display_name.casefold()))  # type: ignore[attr-defined]
    return [group for group in groups.values() if group.spaces]


def joinable_spaces_for(*, user) -> list[Space]:
    spaces = list(permissions.joinable_spaces(user).order_by())
    for space in spaces:
        space.display_name = space.localized_name()  # type: ignore[attr-defined]
    return sorted(spaces, key=lambda s: s.display_name.casefold())  # type: ignore[attr-defined]


def membership_of(*, user, space: Space) -> SpaceMember | None:
    """The user's own row for a space (invitation, opt-in, settings or removal), if any."""
    return SpaceMember.objects.filter(space=space, user=user).first()


@dataclass
class SpaceRoster:
    members: list[SpaceMember]
    removed: list[SpaceMember]
    authorities: Sequence[SpaceAuthority]


def space_roster(*, space: Space) -> SpaceRoster:
    """Who was invited to a space explicitly: people, removed people, and authorities with their contacts."""
    from comity.directory.models import Contact

    rows = list(
        SpaceMember.objects.filter(space=space)
        .exclude(state=SETTINGS_ONLY)
        .select_related("user", "user__country")
        .order_by("user__full_name", "pk")
    )
    contacts = Prefetch(
        "authority__contacts",
        to_attr="current_holders",
        queryset=Contact.objects.filter(end_date__isnull=True, user__isnull=False, user__is_active=True)
        .select_related("user")
        .order_by("name"),
    )
    authorities = list(
        SpaceAuthority.objects.filter(space=space)
        .select_related("authority", "authority__country")
        .prefetch_related(contacts)
        .order_by("authority__country__name_en", "authority__official_name")
    )
    return SpaceRoster(
        members=[row for row in rows if row.state == SpaceMember.State.MEMBER],
        removed=[row for row in rows if row.state == SpaceMember.State.REMOVED],
        authorities=authorities,
    )


# --- threads -----------------------------------------------------------------------------------------------------


def thread_list(*, user, space: Space) -> QuerySet[Thread]:
    """A space's threads, pinned first then by last activity, each with the viewer's unread count."""
    unread = (
        Post.objects.filter(thread=OuterRef("pk"), pk__gt=OuterRef("read_up_to"))
        .order_by()
        .values("thread")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        permissions.threads_visible_to(user)
        .filter(space=space)
        .select_related("author")
        .prefetch_related("addressed_countries")
        .annotate(read_up_to=_read_up_to(user))
        .annotate(unread_count=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))
        .order_by("-is_pinned", "-last_post_at", "-pk")
    )


def thread_get_for(*, user, pk) -> Thread:
    qs = (
        permissions.threads_visible_to(user)
        .select_related("space", "space__network", "author", "accepted_post", "accepted_post__author")
        .prefetch_related("addressed_countries")
    )
    return get_visible_or_404(qs, pk=pk)


def read_marker(*, user, thread: Thread) -> int:
    return ReadMarker.objects.filter(user=user, thread=thread).values_list("last_read_post_id", flat=True).first() or 0


def thread_subscription_level(*, user, thread: Thread) -> str:
    """The user's level for this thread, or "" when it follows the space's level."""
    return ThreadSubscription.objects.filter(user=user, thread=thread).values_list("level", flat=True).first() or ""


# --- posts -------------------------------------------------------------------------------------------------------


def thread_posts(*, thread: Thread) -> QuerySet[Post]:
    """Every post of an already authorized thread, in reading order, with what a page shows of each.

    Hidden posts stay in the list (the page shows a placeholder to non-moderators), so pages, anchors and
    the read position are the same for every reader."""
    return (
        Post.objects.filter(thread=thread)
        .select_related("author", "author__country")
        .annotate(revision_count=Count("revisions"))
        .order_by("created_at", "pk")
    )


def post_get_for(*, user, pk) -> Post:
    """A post the user may read (hidden posts only for moderators), with its thread and space."""
    qs = permissions.posts_visible_to(user).select_related("thread", "thread__space", "author", "author__country")
    return get_visible_or_404(qs, pk=pk)


def post_in_thread_for(*, user, thread: Thread, pk) -> Post | None:
    """A readable post of this thread (e.g. the one being quoted), or None."""
    try:
        return permissions.posts_visible_to(user).select_related("author").get(thread=thread, pk=int(pk))
    except (Post.DoesNotExist, TypeError, ValueError):
        return None


def post_number(post: Post) -> int:
    """The post's place in its thread in reading order (the first post is 1)."""
    return (
        Post.objects.filter(thread_id=post.thread_id)
        .filter(Q(created_at__lt=post.created_at) | Q(created_at=post.created_at, pk__lt=post.pk))
        .count()
        + 1
    )


def post_page(post: Post) -> int:
    """The page of the thread on which a post appears (pages of POSTS_PER_PAGE in reading order)."""
    return (post_number(post) - 1) // POSTS_PER_PAGE + 1


@dataclass(frozen=True)
class Position:
    post_id: int
    page: int


def first_unread(*, user, thread: Thread, read_up_to: int | None = None) -> Position | None:
    """Where the first post after the user's read marker is: its id and its page (None when all is read)."""
    if read_up_to is None:
        read_up_to = read_marker(user=user, thread=thread)
    post = (
        Post.objects.filter(thread=thread, pk__gt=read_up_to)
        .order_by("created_at", "pk")
        .only("pk", "created_at", "thread_id")
        .first()
    )
    if post is None:
        return None
    return Position(post.pk, post_page(post))


def new_posts_after(*, thread: Thread, after: int, limit: int = POSTS_PER_PAGE) -> list[Post]:
    return list(thread_posts(thread=thread).filter(pk__gt=after)[:limit])


def last_post_position(*, thread: Thread) -> Position | None:
    post = Post.objects.filter(thread=thread).order_by("-created_at", "-pk").only("pk", "created_at").first()
    if post is None:
        return None
    total = Post.objects.filter(thread=thread).count()
    return Position(post.pk, max(1, (total - 1) // POSTS_PER_PAGE + 1))


def post_revisions(*, post: Post):
    return post.revisions.select_related("edited_by").order_by("-created_at", "-pk")


# --- questions: who is asked, and are they in now? -------------------------------------------------------------


@dataclass
class Addressee:
    """An addressed country with the authorities that should answer, each with its availability now."""

    country: object
    authorities: list = field(default_factory=list)  # [(authority, availability)]


def addressees(*, user, thread: Thread, at: dt.datetime | None = None) -> list[Addressee]:
    """For a question: each addressed country's MLA central authorities (or all its authorities when it has
    none designated), with local time and whether they are in the office now. Three queries in all."""
    from comity.directory import selectors as directory
    from comity.directory.models import Competence

    countries = sorted(thread.addressed_countries.all(), key=lambda c: c.name)
    if not countries:
        return []
    at = at or timezone.now()
    by_country: dict[int, list] = {country.pk: [] for country in countries}
    for authority in directory.authority_list(user=user).filter(country_id__in=list(by_country)):
        by_country[authority.country_id].append(authority)
    result = []
    for country in countries:
        authorities = by_country[country.pk]
        central = [a for a in authorities if any(c.code == Competence.MLA_CENTRAL for c in a.competences.all())]
        chosen = central or authorities
        result.append(Addressee(country, [(a, directory.authority_availability(a, at)) for a in chosen]))
    return result


def notify_level_label(level: str) -> str:
    return str(NotifyLevel(level).label) if level in NotifyLevel.values else ""


# --- people and authorities to invite ---------------------------------------------------------------------------


def members_by_email(emails) -> dict:
    """{e-mail: active user} for the addresses that belong to active members."""
    from comity.accounts.models import User

    return {user.email: user for user in User.objects.filter(email__in=list(emails), is_active=True)}


def authorities_of(*, user, countries) -> list:
    """The directory's authorities of some countries, as the user may see them, sorted by country and name."""
    from comity.directory import selectors as directory

    codes = [getattr(country, "iso2", country) for country in countries]
    if not codes:
        return []
    return list(directory.authority_list(user=user).filter(country__iso2__in=codes))


def countries_with_authorities(*, user) -> list:
    """Countries that have at least one authority the user can see, sorted by localized name."""
    from comity.directory import permissions as directory_permissions
    from comity.reference import selectors as reference

    ids = directory_permissions.authorities_visible_to(user).values("country_id")
    return reference.sorted_by_name(reference.country_list().filter(pk__in=ids))


def all_countries() -> list:
    from comity.reference import selectors as reference

    return reference.sorted_by_name(reference.country_list())
