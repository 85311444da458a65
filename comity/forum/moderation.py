"""Moderation, retention and export: every write here is checked, audited, and done in one transaction.

Who moderates: `permissions.can_moderate` (the space's moderators; the secretariat and global moderators in every
space but private consultations), and only in spaces they can read. Views answer 404 to everyone else, so a
moderation URL never reveals that a thread exists.

Decisions (which of these actions are audited, and why: docs/adr/0009-audited-forum-actions.md):
- A thread in a private consultation cannot be moved out: its participants were told that only they read it. A
  thread may be moved into a private consultation by someone who moderates both spaces.
- Retention deletes posts older than the space's `retention_months`, never in a thread under legal hold. A thread
  stays while any post of it remains (even when its opening post was deleted) and goes with its last post.
- Hidden posts are left out of exports and search results, for everyone.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.forum import hooks, permissions, services
from comity.forum.models import TLP, Flag, Post, Space, SpaceKind, SpaceMember, Thread

MAX_FLAG_REASON = 500
MAX_HIDE_REASON = 300
MAX_HOLD_REASON = 300
MAX_RETENTION_MONTHS = 1200
PURGE_BATCH = 500


def _country(user) -> str:
    return user.country.iso2 if getattr(user, "country_id", None) else ""


# --- reads used by the moderation views --------------------------------------------------------------------------


def visible_thread(user, pk) -> Thread:
    """A thread the user can read, with its space; 404 for missing and hidden alike."""
    thread = permissions.threads_visible_to(user).select_related("space").filter(pk=pk).first()
    if thread is None:
        raise Http404
    return thread


def visible_post(user, pk) -> Post:
    """A post the user can read (hidden posts only for its moderators), with thread and space; 404 otherwise."""
    post = permissions.posts_visible_to(user).select_related("thread__space", "author").filter(pk=pk).first()
    if post is None:
        raise Http404
    return post


def moderated_thread(user, pk) -> Thread:
    """A thread whose space the user moderates; 404 for everyone else."""
    thread = visible_thread(user, pk)
    if not permissions.can_moderate(user, thread.space):
        raise Http404
    return thread


def moderated_flag(user, pk) -> Flag:
    """A flag on a post the user can read, in a space they moderate; 404 for everyone else."""
    flag = (
        Flag.objects.filter(pk=pk, post__in=permissions.posts_visible_to(user))
        .select_related("post__thread__space")
        .first()
    )
    if flag is None or not permissions.can_moderate(user, flag.post.thread.space):
        raise Http404
    return flag


def moderated_spaces(user) -> QuerySet[Space]:
    """Spaces the user can read and moderate."""
    if not permissions.is_member(user):
        return Space.objects.none()
    visible = permissions.spaces_visible_to(user)
    if user.role in permissions.GLOBAL_MODERATORS:
        explicit = SpaceMember.objects.filter(user=user, is_moderator=True, state=SpaceMember.State.MEMBER)
        return visible.filter(~Q(kind=SpaceKind.PRIVATE) | Q(pk__in=explicit.values("space_id")))
    return visible.filter(
        memberships__user=user, memberships__is_moderator=True, memberships__state=SpaceMember.State.MEMBER
    )


def flag_queue(*, user, space: Space | None = None) -> QuerySet[Flag]:
    """Open flags in the spaces the user moderates, oldest first, with what the queue page shows."""
    flags = Flag.objects.filter(status=Flag.Status.OPEN, post__thread__space__in=moderated_spaces(user))
    if space is not None:
        flags = flags.filter(post__thread__space=space)
    return flags.select_related("post__thread__space", "post__author__country", "reporter").order_by("created_at", "pk")


# --- flags, hiding, restoring ------------------------------------------------------------------------------------


def _require_reader(actor, post: Post) -> None:
    if not permissions.posts_visible_to(actor).filter(pk=post.pk).exists():
        raise PermissionDenied


def _require_moderator(actor, space: Space) -> None:
    if (
        not permissions.can_moderate(actor, space)
        or not permissions.spaces_visible_to(actor).filter(pk=space.pk).exists()
    ):
        raise PermissionDenied


def _clean_reason(reason: str, *, limit: int, required: bool = True, field: str = "reason") -> str:
    text = " ".join((reason or "").split())
    if required and not text:
        raise ValidationError({field: [_("Give a reason.")]})
    if len(text) > limit:
        raise ValidationError({field: [_("At most %(max)s characters.") % {"max": limit}]})
    return text


def _post_details(post: Post) -> dict:
    return {"post": post.pk, "thread": post.thread_id, "space": post.thread.space_id}


def _audit_text(space: Space, text: str) -> str:
    """Free text for an audit event's details, empty in a private consultation: its words can reveal a case, and
    the audit log is read by people outside it (the actor's coordinators, the secretariat), so it keeps ids only."""
    return "" if space.kind == SpaceKind.PRIVATE else text


def post_flag(*, actor, post: Post, reason: str) -> Flag:
    """Any reader reports a post to the space's moderators. One open flag per reader and post."""
    if not permissions.is_member(actor):
        raise PermissionDenied
    _require_reader(actor, post)
    reason = _clean_reason(reason, limit=MAX_FLAG_REASON)
    if Flag.objects.filter(post=post, reporter=actor, status=Flag.Status.OPEN).exists():
        raise ValidationError({"reason": [_("You have already flagged this post; the moderators will look at it.")]})
    with transaction.atomic():
        flag = Flag.objects.create(post=post, reporter=actor, reason=reason)
        audit_log(
            action=AuditAction.POST_FLAGGED,
            actor=actor,
            target=post,
            country=_country(actor),
            details={**_post_details(post), "flag": flag.pk},
        )
    return flag


def _resolve_flags(post: Post, *, actor, status: str) -> list[int]:
    ids = list(Flag.objects.filter(post=post, status=Flag.Status.OPEN).order_by("pk").values_list("pk", flat=True))
    if ids:
        Flag.objects.filter(pk__in=ids).update(status=status, resolved_by=actor, resolved_at=timezone.now())
    return ids


def post_hide(*, actor, post: Post, reason: str) -> Post:
    """Hide a post from readers (its moderators still see it); its open flags are resolved as hidden."""
    _require_moderator(actor, post.thread.space)
    reason = _clean_reason(reason, limit=MAX_HIDE_REASON)
    with transaction.atomic():
        # Conditional on the stored state, so two moderators hiding at once write one event; the post's row stays
        # locked until the end, so an answer being accepted at the same moment sees the post hidden or is withdrawn.
        if not Post.objects.filter(pk=post.pk, is_hidden=False).update(
            is_hidden=True, hidden_reason=reason, hidden_by=actor
        ):
            raise ValidationError({"reason": [_("This post is already hidden.")]})
        post.is_hidden, post.hidden_reason, post.hidden_by = True, reason, actor
        flags = _resolve_flags(post, actor=actor, status=Flag.Status.HIDDEN)
        audit_log(
            action=AuditAction.POST_HIDDEN,
            actor=actor,
            target=post,
            country=_country(actor),
            details={
                **_post_details(post),
                "reason": _audit_text(post.thread.space, reason),
                "flags_resolved": flags,
            },
        )
        services.answer_withdraw_hidden(actor=actor, post=post)
    return post


def post_restore(*, actor, post: Post) -> Post:
    """Show a hidden post again; flags still open on it are dismissed."""
    _require_moderator(actor, post.thread.space)
    with transaction.atomic():
        if not Post.objects.filter(pk=post.pk, is_hidden=True).update(
            is_hidden=False, hidden_reason="", hidden_by=None
        ):
            raise ValidationError(_("This post is not hidden."))
        post.is_hidden, post.hidden_reason, post.hidden_by = False, "", None
        flags = _resolve_flags(post, actor=actor, status=Flag.Status.DISMISSED)
        audit_log(
            action=AuditAction.POST_RESTORED,
            actor=actor,
            target=post,
            country=_country(actor),
            details={**_post_details(post), "flags_resolved": flags},
        )
    return post


def flag_dismiss(*, actor, flag: Flag) -> None:
    """The moderator keeps the post as it is: every open flag on it is dismissed.

    There is no audit action for a dismissal yet; it is recorded as POST_RESTORED with `"dismissed": true`
    (the decision "this post stays visible"), so that every moderation decision is in the log.
    """
    post = flag.post
    _require_moderator(actor, post.thread.space)
    if flag.status != Flag.Status.OPEN:
        raise ValidationError(_("This flag was already handled."))
    if post.is_hidden:
        raise ValidationError(_("The post is hidden; restore it instead."))
    with transaction.atomic():
        flags = _resolve_flags(post, actor=actor, status=Flag.Status.DISMISSED)
        audit_log(
            action=AuditAction.POST_RESTORED,
            actor=actor,
            target=post,
            country=_country(actor),
            details={**_post_details(post), "dismissed": True, "flags_resolved": flags},
        )


# --- threads -----------------------------------------------------------------------------------------------------


def _thread_toggle(*, actor, thread: Thread, field: str, value: bool, action: AuditAction, already: str) -> Thread:
    _require_moderator(actor, thread.space)
    with transaction.atomic():
        # Conditional on the stored value: two moderators doing the same at once write one event.
        if not Thread.objects.filter(pk=thread.pk).exclude(**{field: value}).update(**{field: value}):
            raise ValidationError(already)
        setattr(thread, field, value)
        audit_log(
            action=action, actor=actor, target=thread, country=_country(actor), details={"space": thread.space_id}
        )
    return thread


def thread_lock(*, actor, thread: Thread) -> Thread:
    """Readers can no longer post; moderators still can."""
    return _thread_toggle(
        actor=actor,
        thread=thread,
        field="is_locked",
        value=True,
        action=AuditAction.THREAD_LOCKED,
        already=_("The thread is already locked."),
    )


def thread_unlock(*, actor, thread: Thread) -> Thread:
    return _thread_toggle(
        actor=actor,
        thread=thread,
        field="is_locked",
        value=False,
        action=AuditAction.THREAD_UNLOCKED,
        already=_("The thread is not locked."),
    )


def thread_pin(*, actor, thread: Thread) -> Thread:
    """Pinned threads come first in their space."""
    return _thread_toggle(
        actor=actor,
        thread=thread,
        field="is_pinned",
        value=True,
        action=AuditAction.THREAD_PINNED,
        already=_("The thread is already pinned."),
    )


def thread_unpin(*, actor, thread: Thread) -> Thread:
    return _thread_toggle(
        actor=actor,
        thread=thread,
        field="is_pinned",
        value=False,
        action=AuditAction.THREAD_UNPINNED,
        already=_("The thread is not pinned."),
    )


def move_targets(user, thread: Thread) -> QuerySet[Space]:
    """Spaces a moderator may move this thread to: others they moderate, not archived; none out of private."""
    if thread.space.kind == SpaceKind.PRIVATE:
        return Space.objects.none()
    return moderated_spaces(user).filter(is_archived=False).exclude(pk=thread.space_id).order_by("name", "pk")


def thread_move(*, actor, thread: Thread, to_space: Space) -> Thread:
    """Move a thread to another space the moderator moderates. Threads never leave a private consultation."""
    from_space = thread.space
    _require_moderator(actor, from_space)
    if from_space.kind == SpaceKind.PRIVATE:
        raise ValidationError(
            {
                "space": [
                    _(
                        "A thread of a private consultation cannot be moved: only the consultation's participants "
                        "may read "
                        "it."
                    )
                ]
            }
        )
    if to_space is not None and thread.tlp == TLP.RED and to_space.kind != SpaceKind.PRIVATE:
        raise ValidationError(
            {"space": [_("A TLP:RED thread cannot be moved to a wider space: its readers were chosen for it.")]}
        )
    if to_space is None or not move_targets(actor, thread).filter(pk=to_space.pk).exists():
        raise ValidationError({"space": [_("Choose another open space that you moderate.")]})
    with transaction.atomic():
        thread.space = to_space
        thread.save(update_fields=["space"])
        hooks.thread_moved(thread=thread, to_space=to_space)
        audit_log(
            action=AuditAction.THREAD_MOVED,
            actor=actor,
            target=thread,
            country=_country(actor),
            details={"from": from_space.pk, "to": to_space.pk},
        )
    return thread


def can_set_legal_hold(user, thread: Thread) -> bool:
    """The secretariat (every space it reads) and the space's moderators."""
    return (
        permissions.can_moderate(user, thread.space)
        and permissions.spaces_visible_to(user).filter(pk=thread.space_id).exists()
    )


def thread_legal_hold_set(*, actor, thread: Thread, reason: str) -> Thread:
    """Keep every post of the thread whatever the space's retention (e.g. a case in court)."""
    if not can_set_legal_hold(actor, thread):
        raise PermissionDenied
    reason = _clean_reason(reason, limit=MAX_HOLD_REASON)
    with transaction.atomic():
        if not Thread.objects.filter(pk=thread.pk, legal_hold=False).update(legal_hold=True):
            raise ValidationError({"reason": [_("The thread is already under legal hold.")]})
        thread.legal_hold = True
        audit_log(
            action=AuditAction.LEGAL_HOLD_SET,
            actor=actor,
            target=thread,
            country=_country(actor),
            details={"space": thread.space_id, "reason": _audit_text(thread.space, reason)},
        )
    return thread


def thread_legal_hold_release(*, actor, thread: Thread, reason: str = "") -> Thread:
    if not can_set_legal_hold(actor, thread):
        raise PermissionDenied
    reason = _clean_reason(reason, limit=MAX_HOLD_REASON, required=False)
    with transaction.atomic():
        if not Thread.objects.filter(pk=thread.pk, legal_hold=True).update(legal_hold=False):
            raise ValidationError({"reason": [_("The thread is not under legal hold.")]})
        thread.legal_hold = False
        audit_log(
            action=AuditAction.LEGAL_HOLD_RELEASED,
            actor=actor,
            target=thread,
            country=_country(actor),
            details={"space": thread.space_id, "reason": _audit_text(thread.space, reason)},
        )
    return thread


# --- retention ---------------------------------------------------------------------------------------------------


def space_retention_set(*, actor, space: Space, months: int | None) -> Space:
    """Keep posts forever (None) or delete those older than N months (1 to 1200) with `purge_forum`."""
    if (
        not permissions.can_manage_space(actor, space)
        or not permissions.spaces_visible_to(actor).filter(pk=space.pk).exists()
    ):
        raise PermissionDenied
    if months is not None and (
        isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= MAX_RETENTION_MONTHS
    ):
        raise ValidationError(
            {
                "retention_months": [
                    _("Give a whole number of months from 1 to %(max)s, or keep posts forever.")
                    % {"max": MAX_RETENTION_MONTHS}
                ]
            }
        )
    if space.retention_months == months:
        return space
    with transaction.atomic():
        previous = space.retention_months
        space.retention_months = months
        space.save(update_fields=["retention_months"])
        audit_log(
            action=AuditAction.SPACE_UPDATED,
            actor=actor,
            target=space,
            country=_country(actor),
            details={"retention_months": {"from": previous, "to": months}},
        )
    return space


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same wall-clock moment N calendar months earlier (the 31st becomes the month's last day)."""
    year, month_index = divmod(moment.month - 1 - months, 12)
    year += moment.year
    month = month_index + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass
class SpacePurge:
    """What the retention purge deleted (or, on a dry run, would delete) in one space."""

    space_id: int
    slug: str
    retention_months: int
    cutoff: dt.datetime
    posts: int
    threads: int
    private: bool = False

    @property
    def label(self) -> str:
        """How reports and logs name the space: a private consultation by its id only (its slug is its name)."""
        return f"space {self.space_id}" if self.private else self.slug


def _delete_post_attachments(post_ids: list[int]) -> None:
    """The files app deletes the encrypted files of purged posts (the file log keeps their hashes)."""
    hooks.posts_purging(post_ids=post_ids, reason="retention")


def posts_purge(*, now: dt.datetime | None = None, dry_run: bool = False) -> list[SpacePurge]:
    """Apply every space's retention rule. Idempotent; one POSTS_PURGED audit event per space affected."""
    now = now or timezone.now()
    report: list[SpacePurge] = []
    spaces = Space.objects.filter(retention_months__isnull=False, retention_months__gt=0).order_by("slug", "pk")
    for space in spaces:
        cutoff = months_before(now, space.retention_months)
        with transaction.atomic():
            threads = Thread.objects.filter(space=space, legal_hold=False)
            if not dry_run:
                # Lock the threads so a legal hold set meanwhile is seen before anything is deleted.
                threads = threads.select_for_update()
            old = Post.objects.filter(thread__in=list(threads.values_list("pk", flat=True)), created_at__lt=cutoff)
            rows = list(old.values_list("pk", "thread_id"))
            if not rows:
                continue
            thread_ids = sorted({thread_id for _pk, thread_id in rows})
            emptied = list(
                Thread.objects.filter(pk__in=thread_ids)
                .annotate(recent=Count("posts", filter=Q(posts__created_at__gte=cutoff)))
                .filter(recent=0)
                .values_list("pk", flat=True)
            )
            entry = SpacePurge(
                space_id=space.pk,
                slug=space.slug,
                private=space.kind == SpaceKind.PRIVATE,
                retention_months=space.retention_months,
                cutoff=cutoff,
                posts=len(rows),
                threads=len(emptied),
            )
            report.append(entry)
            if dry_run:
                continue
            post_ids = [pk for pk, _thread in rows]
            for start in range(0, len(post_ids), PURGE_BATCH):
                batch = post_ids[start : start + PURGE_BATCH]
                _delete_post_attachments(batch)
                Post.objects.filter(pk__in=batch).delete()
            Thread.objects.filter(pk__in=emptied).delete()
            remaining = Thread.objects.filter(pk__in=thread_ids).annotate(
                n=Count("posts"), last_id=Max("posts__pk"), last_at=Max("posts__created_at")
            )
            for thread in remaining:
                Thread.objects.filter(pk=thread.pk).update(
                    post_count=thread.n, last_post_id_cache=thread.last_id, last_post_at=thread.last_at
                )
            audit_log(
                action=AuditAction.POSTS_PURGED,
                target=space,
                details={
                    "posts": entry.posts,
                    "threads": entry.threads,
                    "cutoff": cutoff,
                    "retention_months": space.retention_months,
                },
            )
    return report


# --- export (the TLP rule: RED never leaves the platform) --------------------------------------------------------

EXPORT_FORMATS = ("markdown", "text")


def tlp_definition(tlp: str) -> str:
    """FIRST TLP 2.0's one-line definition of each mark."""
    return {
        TLP.CLEAR: _("Recipients can spread this to the world; there is no limit on disclosure."),
        TLP.GREEN: _("Limited disclosure: recipients can spread this within their community, not publicly."),
        TLP.AMBER: _(
            "Limited disclosure: recipients can only spread this on a need-to-know basis within their "
            "organization and its clients."
        ),
        TLP.AMBER_STRICT: _(
            "Limited disclosure: recipients can only spread this on a need-to-know basis within their organization."
        ),
        TLP.RED: _("For the eyes and ears of individual recipients only; no further disclosure."),
    }[TLP(tlp)]


def can_export(thread: Thread) -> bool:
    return thread.tlp != TLP.RED


@dataclass
class ThreadExport:
    filename: str
    content_type: str
    chunks: Iterator[str]


def _export_lines(thread: Thread, fmt: str, exported_by: str, at: dt.datetime) -> Iterator[str]:
    mark = TLP(thread.tlp).label
    banner = f"{mark}: {tlp_definition(thread.tlp)}"
    markdown_format = fmt == "markdown"
    yield (f"**{banner}**\n\n" if markdown_format else f"{banner}\n\n")
    yield (f"# {thread.title}\n\n" if markdown_format else f"{thread.title}\n{'=' * len(thread.title)}\n\n")
    yield (
        _("Space: %(space)s. Exported by %(person)s on %(time)s (UTC).")
        % {"space": thread.space.name, "person": exported_by, "time": at.strftime("%Y-%m-%d %H:%M")}
        + "\n\n"
    )
    posts = Post.objects.filter(thread=thread).select_related("author__country").order_by("created_at", "pk")
    for post in posts.iterator(chunk_size=500):
        country = f" ({post.author.country.iso2})" if post.author.country_id else ""
        heading = _("%(author)s%(country)s, %(time)s UTC, language: %(language)s") % {
            "author": post.author.display_name,
            "country": country,
            "time": post.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M"),
            "language": post.language,
        }
        yield "---\n\n"
        yield (f"### {heading}\n\n" if markdown_format else f"{heading}\n\n")
        body = _("[This post was hidden by a moderator.]") if post.is_hidden else post.body.strip()
        yield body + "\n\n"
    yield "---\n\n"
    yield (f"**{banner}**\n" if markdown_format else f"{banner}\n")


def thread_export(*, actor, thread: Thread, fmt: str) -> ThreadExport:
    """The thread as Markdown or plain text with its TLP mark at the top and bottom; audited. RED: refused."""
    if not permissions.threads_visible_to(actor).filter(pk=thread.pk).exists():
        raise PermissionDenied
    if fmt not in EXPORT_FORMATS:
        raise ValidationError({"format": [_("Choose Markdown or plain text.")]})
    if not can_export(thread):
        raise ValidationError(
            _(
                "TLP:RED threads cannot be exported: their content is for the eyes and ears of "
                "the participants only and never leaves Comity."
            )
        )
    at = timezone.now()
    audit_log(
        action=AuditAction.THREAD_EXPORTED,
        actor=actor,
        target=thread,
        country=_country(actor),
        details={"space": thread.space_id, "format": fmt, "tlp": thread.tlp, "posts": thread.post_count},
    )
    extension = "md" if fmt == "markdown" else "txt"
    name = slugify(thread.title)[:60] or "thread"
    content_type = "text/markdown; charset=utf-8" if fmt == "markdown" else "text/plain; charset=utf-8"
    return ThreadExport(
        filename=f"comity-thread-{thread.pk}-{name}.{extension}",
        content_type=content_type,
        chunks=_export_lines(thread, fmt, actor.display_name, at),
    )
