"""Who may read and write in the forum. Deny by default: hidden spaces, threads, posts answer 404.

A space's rule (plenary: every member; regional: members from its M49 region; network: members from the
network's countries and its liaisons) plus explicit memberships (thematic opt-in, private invitations,
authorities invited to a private consultation) minus explicit removals.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from comity.accounts.models import Role
from comity.core import fragments
from comity.forum.models import Post, Space, SpaceKind, SpaceMember, Thread
from comity.reference.selectors import GENERATION as REFERENCE_GENERATION

# The generation (comity.core.generations) of who reads which space and who is told of a reply: memberships,
# invitations, contact points, networks, people (apps.py connects the signals).
MEMBERS_GENERATION = "forum-members"

# Moderators of every space but private consultations.
GLOBAL_MODERATORS = (Role.SECRETARIAT, Role.MODERATOR)


def is_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _rule(user) -> Q:
    rule = Q(kind=SpaceKind.PLENARY)
    country = user.country if user.country_id else None
    if country is not None:
        regions = [
            code for code in (country.region_m49, country.subregion_m49, country.intermediate_region_m49) if code
        ]
        if regions:
            rule |= Q(kind=SpaceKind.REGIONAL, region_m49__in=regions)
        rule |= Q(kind=SpaceKind.NETWORK, network__memberships__country_id=country.pk)
    rule |= Q(kind=SpaceKind.NETWORK, network__liaisons=user)
    return rule


def spaces_visible_to(user) -> QuerySet[Space]:
    if not is_member(user):
        return Space.objects.none()
    return Space.objects.filter(pk__in=_space_ids(user))


def _space_ids(user) -> frozenset[int]:
    cached = user.__dict__.get("_forum_space_ids")
    if cached is None:
        # Kept in the shared cache per person (with what the rule reads of them) until memberships change.
        cached = fragments.cached(
            "forum-spaces",
            (user.pk, user.country_id, user.role, user.is_active),
            lambda: _visible_space_ids(user),
            generation_names=(MEMBERS_GENERATION, REFERENCE_GENERATION),  # regions and networks of countries
            localized=False,
        )
        user.__dict__["_forum_space_ids"] = cached
    return cached


def visible_space_ids(user) -> frozenset[int]:
    """The ids of `spaces_visible_to(user)`, without a query once known for the request."""
    if not is_member(user):
        return frozenset()
    return _space_ids(user)


def _visible_space_ids(user) -> frozenset[int]:
    from comity.directory.models import Contact

    explicit = SpaceMember.objects.filter(user=user, state=SpaceMember.State.MEMBER).values("space_id")
    removed = SpaceMember.objects.filter(user=user, state=SpaceMember.State.REMOVED).values("space_id")
    authorities = Contact.objects.filter(user=user, end_date__isnull=True).values("authority_id")
    condition = (
        _rule(user) | Q(pk__in=explicit) | Q(kind=SpaceKind.PRIVATE, invited_authorities__authority_id__in=authorities)
    )
    if user.is_secretariat:
        condition |= ~Q(kind=SpaceKind.PRIVATE)  # the secretariat reads every space except private ones
    return frozenset(Space.objects.filter(condition).exclude(pk__in=removed).values_list("pk", flat=True))


def readers_of(space: Space):
    """The active people who can read a space, as one queryset: the same rule as `spaces_visible_to`, read from the
    space's side (for lists of people, e.g. who a reply will reach, in one query however many there are)."""
    from comity.accounts.models import User
    from comity.directory.models import Contact

    explicit = SpaceMember.objects.filter(space=space, state=SpaceMember.State.MEMBER).values("user_id")
    removed = SpaceMember.objects.filter(space=space, state=SpaceMember.State.REMOVED).values("user_id")
    rule = Q(pk__in=explicit)
    if space.kind == SpaceKind.PLENARY:
        rule |= Q(pk__isnull=False)
    elif space.kind == SpaceKind.REGIONAL and space.region_m49:
        code = space.region_m49
        rule |= Q(country__region_m49=code) | Q(country__subregion_m49=code) | Q(country__intermediate_region_m49=code)
    elif space.kind == SpaceKind.NETWORK and space.network_id:
        rule |= Q(country__network_memberships__network_id=space.network_id) | Q(liaison_networks=space.network_id)
    elif space.kind == SpaceKind.PRIVATE:
        authorities = space.invited_authorities.values("authority_id")
        rule |= Q(pk__in=Contact.objects.filter(authority_id__in=authorities, end_date__isnull=True).values("user_id"))
    if space.kind != SpaceKind.PRIVATE:
        rule |= Q(role=Role.SECRETARIAT)
    return User.objects.filter(rule, is_active=True).exclude(pk__in=removed).distinct()


def forget(user) -> None:
    """Drop the per-request cache after a membership change."""
    user.__dict__.pop("_forum_space_ids", None)
    user.__dict__.pop("_forum_memberships", None)


def joinable_spaces(user) -> QuerySet[Space]:
    """Thematic spaces a member may opt into."""
    if not is_member(user):
        return Space.objects.none()
    removed = SpaceMember.objects.filter(user=user, state=SpaceMember.State.REMOVED).values("space_id")
    return (
        Space.objects.filter(kind=SpaceKind.THEMATIC, is_archived=False)
        .exclude(pk__in=spaces_visible_to(user).values("pk"))
        .exclude(pk__in=removed)
    )


def threads_visible_to(user) -> QuerySet[Thread]:
    return Thread.objects.filter(space__in=spaces_visible_to(user))


def posts_visible_to(user) -> QuerySet[Post]:
    """Posts in readable spaces; hidden posts only for the space's moderators (and global moderators)."""
    qs = Post.objects.filter(thread__space__in=spaces_visible_to(user))
    if not is_member(user):
        return qs
    if user.role in GLOBAL_MODERATORS:
        return qs
    moderated = SpaceMember.objects.filter(user=user, is_moderator=True, state=SpaceMember.State.MEMBER).values(
        "space_id"
    )
    return qs.filter(Q(is_hidden=False) | Q(thread__space_id__in=moderated))


def can_moderate(user, space: Space) -> bool:
    if not is_member(user):
        return False
    if user.role in GLOBAL_MODERATORS and space.kind != SpaceKind.PRIVATE:
        return True
    row = membership(user, space)
    return row is not None and row[0] == SpaceMember.State.MEMBER and row[1]


def membership(user, space: Space) -> tuple[str, bool, str] | None:
    """The user's row for the space as (state, is_moderator, notify_level), None without one: read once per space
    and request (a page asks several times); `forget` drops it."""
    rows = user.__dict__.setdefault("_forum_memberships", {})
    if space.pk not in rows:
        rows[space.pk] = (
            SpaceMember.objects.filter(space=space, user=user)
            .values_list("state", "is_moderator", "notify_level")
            .first()
        )
    return rows[space.pk]


def can_post(user, thread: Thread) -> bool:
    """Readers may post unless the thread is locked or they are observers."""
    if not is_member(user) or user.is_observer:
        return False
    if thread.space.is_archived:
        return False
    if thread.is_locked and not can_moderate(user, thread.space):
        return False
    return thread.space_id in visible_space_ids(user)


def why_cannot_post(user, thread: Thread) -> str:
    """Why a reader cannot reply in a thread, in words (empty when they can)."""
    if can_post(user, thread):
        return ""
    if is_member(user) and user.is_observer:
        return _("Observers can read the forum but cannot post.")
    if thread.space.is_archived:
        return _("This space is archived: it can be read but no longer written in.")
    if thread.is_locked:
        return _("A moderator has locked this thread: no new replies can be posted.")
    return _("You cannot post in this thread.")


def can_edit_post(user, post: Post, *, may_post: bool | None = None) -> bool:
    """Authors edit their own posts while they may post in the thread, unless a moderator hid the post.

    `may_post` is `can_post(user, post.thread)` when the caller already knows it (a page of posts of one thread)."""
    if not is_member(user) or post.author_id != user.pk or post.is_hidden:
        return False
    return can_post(user, post.thread) if may_post is None else may_post


def can_accept_answer(user, thread: Thread) -> bool:
    """Choose or withdraw a question's accepted answer: its asker or the space's moderators, never observers, not in
    an archived space, and in a locked thread only its moderators."""
    if not is_member(user) or user.is_observer or thread.kind != Thread.Kind.QUESTION or thread.space.is_archived:
        return False
    moderator = can_moderate(user, thread.space)
    if not moderator and (user.pk != thread.author_id or thread.is_locked):
        return False
    return spaces_visible_to(user).filter(pk=thread.space_id).exists()


def is_answer_candidate(thread: Thread, post: Post) -> bool:
    """A post that may become the question's accepted answer: a reply in that question (not the question itself),
    not hidden (a hidden post is no answer anyone else can read). No query."""
    in_question = thread.kind == Thread.Kind.QUESTION and post.thread_id == thread.pk
    return in_question and post.number != 1 and not post.is_hidden


def can_leave_space(user, space: Space, membership: SpaceMember | None) -> bool:
    """Only thematic spaces are opted into, so only they can be left, by those who joined."""
    return space.kind == SpaceKind.THEMATIC and membership is not None and membership.state == SpaceMember.State.MEMBER


def can_start_thread(user, space: Space) -> bool:
    if not is_member(user) or user.is_observer or space.is_archived:
        return False
    return spaces_visible_to(user).filter(pk=space.pk).exists()


def can_open_consultation(user) -> bool:
    """Any member may open a private consultation; observers only read."""
    return is_member(user) and not user.is_observer


def can_manage_space(user, space: Space) -> bool:
    """Invite and remove people, set retention: the space's moderators and the secretariat (not private)."""
    return can_moderate(user, space)
