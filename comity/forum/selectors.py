"""Reads of the forum: spaces with unread counts, threads, posts by page, reading position, addressees.

Every read starts from the user-restricted querysets of `permissions`; single objects come from the
`*_get_for` helpers, which answer 404 for "does not exist" and "not allowed" alike. List reads aggregate in
the database (unread counts per space and per thread are one query each), so pages keep a constant number of
queries however many spaces, threads or posts there are. Nothing counts a thread's posts: unread counts, pages and
positions come from post numbers (`Post.number`, `Thread.last_post_number`, `ReadMarker.last_read_number`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property

from comity.core import fragments
from comity.core.permissions import get_visible_or_404
from comity.forum import permissions
from comity.forum.models import (
    Draft,
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
from comity.forum.readerfacts import reader_facts
from comity.forum.services import SETTINGS_ONLY
from comity.reference.models import Country
from comity.reference.selectors import GENERATION as REFERENCE_GENERATION

POSTS_PER_PAGE = 50
THREADS_PER_PAGE = 25
KIND_ORDER = [SpaceKind.PLENARY, SpaceKind.REGIONAL, SpaceKind.NETWORK, SpaceKind.THEMATIC, SpaceKind.PRIVATE]


# The generation (comity.core.generations) of what a page of posts shows; bumped by forum writes (apps.py).
GENERATION = "forum"


def _read_number(user) -> Coalesce:
    """The number of the last post the user has read in the outer thread (0 when never opened)."""
    marker = ReadMarker.objects.filter(user=user, thread=OuterRef("pk")).values("last_read_number")[:1]
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
        .annotate(read_number=_read_number(user))
        .filter(last_post_number__gt=F("read_number"))
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


def _unread_count(user) -> Greatest:
    """Posts after the reader's marker, from the thread's counters and the marker alone: the last number minus the
    number read, but never more than the posts the thread has (purged numbers are not unread posts)."""
    behind = F("last_post_number") - _read_number(user)
    return Greatest(Least(behind, F("post_count"), output_field=IntegerField()), Value(0))


def thread_list(*, user, space: Space) -> QuerySet[Thread]:
    """A space's threads, pinned first then by last activity, each with the viewer's unread count."""
    return (
        permissions.threads_visible_to(user)
        .filter(space=space)
        .select_related("author")
        .prefetch_related("addressed_countries")
        .annotate(unread_count=_unread_count(user))
        .order_by("-is_pinned", "-last_post_at", "-pk")
    )


# What a thread page shows of a thread besides its posts, loaded with it.
THREAD_RELATED = ("space", "space__network", "author", "accepted_post", "accepted_post__author")


def _with_addressed_countries(thread: Thread) -> Thread:
    """Only a question is addressed to countries: other threads skip the query (their list stays empty)."""
    if thread.kind == Thread.Kind.QUESTION:
        prefetch_related_objects([thread], "addressed_countries")
    else:
        thread._prefetched_objects_cache = {"addressed_countries": Country.objects.none()}  # type: ignore[attr-defined]
    return thread


def thread_get_for(*, user, pk) -> Thread:
    qs = permissions.threads_visible_to(user).select_related(*THREAD_RELATED)
    return _with_addressed_countries(get_visible_or_404(qs, pk=pk))


FACTS = ("read", "first_pk", "first_number", "level", "state", "moderator", "notify", "draft")


def _load_thread(pk: int) -> Thread | int:
    thread = (
        Thread.objects.select_related(*THREAD_RELATED)
        .defer("author__password", "accepted_post__author__password")
        .filter(pk=pk)
        .first()
    )
    if thread is None:
        return 0  # kept as "no such thread" (None means "not kept")
    return _with_addressed_countries(thread)


def thread_page_get_for(*, user, pk) -> Thread:
    """`thread_get_for` for the thread page: the thread (with its space, network, author and accepted answer) is
    kept in the shared cache until the forum, the people or the reference data change, and checked against the
    reader's readable spaces; what the page asks about its reader (read marker, first post after it, level for
    the thread, row of the space, whether a draft of a reply waits) comes in one plain query (`_facts`)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    kept = fragments.cached(
        "forum-thread",
        (pk,),
        lambda: _load_thread(pk),
        generation_names=(GENERATION, permissions.MEMBERS_GENERATION, REFERENCE_GENERATION),
        localized=False,
    )
    if not isinstance(kept, Thread) or kept.space_id not in permissions.visible_space_ids(user):
        raise Http404
    thread = kept
    row = dict(zip(FACTS, reader_facts(user, thread), strict=True))
    row["moderator"] = bool(row["moderator"])
    thread.reader_facts = {"user": user.pk, **row}  # type: ignore[attr-defined]
    memberships = user.__dict__.setdefault("_forum_memberships", {})
    memberships[thread.space_id] = (row["state"], row["moderator"], row["notify"]) if row["state"] else None
    return thread


def _facts(user, thread: Thread) -> dict | None:
    facts = getattr(thread, "reader_facts", None)
    return facts if facts is not None and facts["user"] == user.pk else None


def read_marker(*, user, thread: Thread) -> int | None:
    """The number of the last post the user has read in the thread; None when they never opened it."""
    facts = _facts(user, thread)
    if facts is not None:
        return facts["read"]
    return ReadMarker.objects.filter(user=user, thread=thread).values_list("last_read_number", flat=True).first()


def thread_subscription_level(*, user, thread: Thread) -> str:
    """The user's level for this thread, or "" when it follows the space's level."""
    facts = _facts(user, thread)
    if facts is not None:
        return facts["level"] or ""
    return ThreadSubscription.objects.filter(user=user, thread=thread).values_list("level", flat=True).first() or ""


# --- posts -------------------------------------------------------------------------------------------------------
#
# A thread's pages are ranges of post numbers: page k holds the numbers after `missing + (k - 1) * 50` up to
# `missing + k * 50`, where `missing` counts the numbers a purge left unused (nearly always the first ones). So a
# page, a post's page and the first unread post are each one walk of the (thread, number) index, whatever the
# thread's length: nothing counts the thread's posts or skips rows with OFFSET. The first page starts at 1 and the
# last ends at the thread's last number, so a post left below `missing` by a purge that was not a prefix is still
# shown (the first page then holds more than 50).


def thread_posts(*, thread: Thread) -> QuerySet[Post]:
    """The posts of an already authorized thread, in reading order, with what a page shows of each.

    Hidden posts stay in the list (the page shows a placeholder to non-moderators), so pages, anchors and
    the read position are the same for every reader."""
    return (
        Post.objects.filter(thread=thread, number__isnull=False)
        .select_related("author", "author__country")
        .defer("body", "search_text")
        .order_by("number")
    )


def page_count(thread: Thread) -> int:
    return max(1, -(-thread.post_count // POSTS_PER_PAGE))


def page_of_number(thread: Thread, number: int | None) -> int:
    """The page of the thread on which the post with this number appears. A post without a number yet (see
    Post.number) is on no page; the last page is the closest."""
    if number is None:
        return page_count(thread)
    return min(max(1, (number - thread.missing_numbers - 1) // POSTS_PER_PAGE + 1), page_count(thread))


class ThreadPaginator(Paginator):
    """A Django paginator over a thread's posts that counts from the thread's counters and fetches a page as a
    range of post numbers (the templates' pagination and `Page` work unchanged)."""

    def __init__(self, thread: Thread):
        self.thread = thread
        self.posts = thread_posts(thread=thread)
        super().__init__(self.posts, POSTS_PER_PAGE)

    @cached_property
    def count(self) -> int:
        return self.thread.post_count

    def page_number(self, number) -> int:
        """The page `get_page(number)` would give: the first for a bad number, the last for one past the end."""
        try:
            return self.validate_number(number)
        except PageNotAnInteger:
            return 1
        except EmptyPage:
            return self.num_pages

    def number_range(self, number: int) -> tuple[int, int]:
        """The post numbers on a page: greater than the first, up to the second."""
        missing = self.thread.missing_numbers
        low = missing + (number - 1) * POSTS_PER_PAGE if number > 1 else 0
        high = missing + number * POSTS_PER_PAGE if number < self.num_pages else self.thread.last_post_number
        return low, high

    def without_posts(self, number: int) -> Page:
        """A page for the pagination links only (its posts were not fetched)."""
        return Page([], number, self)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        low, high = self.number_range(number)
        # The range holds at most high - low numbers, so the limit drops nothing; it makes the planner read the
        # (thread, number) index in order and stop, where it would otherwise misjudge the range of a long thread
        # and filter all its posts.
        posts = self.posts.filter(number__gt=low, number__lte=high)[: max(0, high - low)]
        return Page(list(posts), number, self)


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


def post_page(post: Post, thread: Thread | None = None) -> int:
    """The page of the thread on which a post appears (`thread` when the caller has it, else the post's)."""
    return page_of_number(thread or post.thread, post.number)


@dataclass(frozen=True)
class Position:
    post_id: int
    page: int


def first_unread(*, user, thread: Thread, read_number: int | None = None) -> Position | None:
    """Where the first post after the user's read marker is: its id and its page (None when all is read)."""
    if read_number is None:
        read_number = read_marker(user=user, thread=thread) or 0
    if read_number >= thread.last_post_number:
        return None
    facts = _facts(user, thread)
    if facts is not None and (facts["read"] or 0) == read_number:
        if facts["first_pk"] is None:
            return None
        return Position(facts["first_pk"], page_of_number(thread, facts["first_number"]))
    found = (
        Post.objects.filter(thread=thread, number__gt=read_number)
        .order_by("number")
        .values_list("pk", "number")
        .first()
    )
    if found is None:
        return None
    return Position(found[0], page_of_number(thread, found[1]))


def new_posts_after(*, thread: Thread, after: int, limit: int = POSTS_PER_PAGE) -> list[Post]:
    """Up to `limit` posts that come after the post with id `after` in the thread (by number, on the index)."""
    exact = Post.objects.filter(pk=after, thread=thread).order_by().values("number")[:1]
    # The post shown last may have been purged since: start after the highest number below its id.
    earlier = (
        Post.objects.filter(thread=thread, pk__lte=after, number__isnull=False).order_by("-number").values("number")[:1]
    )
    position = Coalesce(
        Subquery(exact, output_field=IntegerField()), Subquery(earlier, output_field=IntegerField()), Value(0)
    )
    return list(thread_posts(thread=thread).filter(number__gt=position)[:limit])


def last_post_position(*, thread: Thread) -> Position | None:
    found = (
        Post.objects.filter(thread=thread, number__isnull=False).order_by("-number").values_list("pk", "number").first()
    )
    if found is None:
        return None
    return Position(found[0], page_of_number(thread, found[1]))


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


# --- drafts, languages, people to mention, private participants ---------------------------------------------------


def draft_for(*, user, thread: Thread | None = None, space: Space | None = None) -> Draft | None:
    from comity.forum.services import draft_key

    facts = _facts(user, thread) if thread is not None else None
    if facts is not None and facts["draft"] is None:
        return None
    return Draft.objects.filter(user=user, key=draft_key(thread=thread, space=space)).first()


def last_language_of(*, user) -> str | None:
    """The language of the user's latest post (their last choice), if they wrote any."""
    return Post.objects.filter(author=user).order_by("-pk").values_list("language", flat=True).first()


def thread_language(*, thread: Thread) -> str | None:
    """The language of a thread: kept from its first post (read from that post for older threads)."""
    if thread.language:
        return thread.language

    def first_post_language() -> str:
        first = Post.objects.filter(thread=thread).order_by("number", "pk").values_list("language", flat=True).first()
        return first or ""

    kept = fragments.cached(
        "forum-thread-language", (thread.pk,), first_post_language, generation_names=(GENERATION,), localized=False
    )
    return kept or None


def default_reply_language(*, user, thread: Thread) -> str:
    return thread_language(thread=thread) or last_language_of(user=user) or user.preferred_language or "en"


def default_thread_language(*, user) -> str:
    return last_language_of(user=user) or user.preferred_language or "en"


MENTION_SUGGESTIONS = 8


def mention_handle(email: str) -> str:
    """What follows @ to mention someone: the part of their e-mail address before the @ (see markdown.MENTION)."""
    return (email or "").split("@", 1)[0].lower()


def people_to_mention(*, user, space: Space, query: str, limit: int = MENTION_SUGGESTIONS) -> list:
    """Active members who can read the space, whose name or address starts a word with `query` (at least two
    characters), for suggestions as one types @... Readers of the space only: a mention of someone who cannot
    read it would tell them nothing."""
    from django.db.models import Q

    from comity.accounts.models import User

    query = (query or "").strip().lstrip("@")
    if len(query) < 2 or not permissions.spaces_visible_to(user).filter(pk=space.pk).exists():
        return []
    match = Q(full_name__istartswith=query) | Q(full_name__icontains=f" {query}") | Q(email__istartswith=query)
    readers = permissions.readers_of(space).values("pk")
    people = list(
        User.objects.filter(match, pk__in=readers).select_related("country").order_by("full_name", "pk")[:limit]
    )
    for person in people:
        person.mention_handle = mention_handle(person.email)  # type: ignore[attr-defined]
    return people


def person_get_for(*, user, pk):
    """Another member as the forum shows them (name, country): any member may see who writes in the forum."""
    from django.http import Http404

    from comity.accounts.models import User

    if not permissions.is_member(user):
        raise Http404
    person = User.objects.filter(pk=pk, is_active=True).select_related("country").first()
    if person is None:
        raise Http404
    return person


def private_participant_ids(*, space: Space) -> set[int]:
    """Who takes part in a private consultation: invited people, and the current contact points (with an active
    account) of invited authorities, minus anyone removed."""
    from comity.directory.models import Contact

    if space.kind != SpaceKind.PRIVATE:
        return set()
    members = set(
        SpaceMember.objects.filter(space=space, state=SpaceMember.State.MEMBER).values_list("user_id", flat=True)
    )
    authorities = SpaceAuthority.objects.filter(space=space).values("authority_id")
    holders = set(
        Contact.objects.filter(
            authority_id__in=authorities, end_date__isnull=True, user__isnull=False, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    removed = set(
        SpaceMember.objects.filter(space=space, state=SpaceMember.State.REMOVED).values_list("user_id", flat=True)
    )
    return (members | holders) - removed
