"""Every write to the forum: validated, audited where it matters, side effects after commit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.db.models import Case, Exists, F, OuterRef, Value, When
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core.i18n import UI_LANGUAGES, is_language_code
from comity.forum import hooks, markdown, permissions
from comity.forum.models import (
    TLP,
    Draft,
    Mention,
    NotifyLevel,
    Post,
    PostRevision,
    ReadMarker,
    Space,
    SpaceAuthority,
    SpaceKind,
    SpaceMember,
    Thread,
    ThreadSubscription,
)

MAX_BODY = 50_000


def _country(user) -> str:
    return user.country.iso2 if getattr(user, "country_id", None) else ""


def _clean_language(language: str) -> str:
    code = (language or "").strip()
    if code in UI_LANGUAGES or is_language_code(code):
        return code
    raise ValidationError({"language": [_("Unknown language code %(code)s.") % {"code": code}]})


def _clean_body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": [_("Write something first.")]})
    if len(text) > MAX_BODY:
        raise ValidationError({"body": [_("A post can have at most %(max)s characters.") % {"max": MAX_BODY}]})
    return text


def _clean_text_and_language(body: str, language: str, errors: dict[str, list[str]]) -> tuple[str, str]:
    """Validate a post's text and language, adding any error to `errors` (so all errors show at once)."""
    try:
        body = _clean_body(body)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        language = _clean_language(language)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    return body, language


# --- spaces -----------------------------------------------------------------------------------------------


def space_create(
    *,
    actor,
    kind: str,
    name: str,
    slug: str = "",
    description: str = "",
    region_m49: str = "",
    network=None,
    default_tlp: str = TLP.GREEN,
    invite_users=(),
    invite_authorities=(),
    retention_months: int | None = None,
) -> Space:
    """Plenary, regional, network and thematic spaces: secretariat. Private consultations: any member."""
    if not permissions.can_open_consultation(actor):
        raise PermissionDenied
    if kind != SpaceKind.PRIVATE and not actor.is_secretariat:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if kind not in SpaceKind.values:
        errors["kind"] = [_("Unknown kind of space.")]
    if not (name or "").strip():
        errors["name"] = [_("Give the space a name.")]
    if kind == SpaceKind.REGIONAL and not region_m49:
        errors["region_m49"] = [_("A regional space needs an M49 region.")]
    if kind == SpaceKind.NETWORK and network is None:
        errors["network"] = [_("A network space needs a network.")]
    if default_tlp not in TLP.values:
        errors["default_tlp"] = [_("Unknown handling mark.")]
    slug = slugify(slug or name)[:70] or "space"
    base, index = slug, 2
    while Space.objects.filter(slug=slug).exists():
        slug = f"{base}-{index}"
        index += 1
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        space = Space.objects.create(
            kind=kind,
            name=name.strip(),
            slug=slug,
            description=description,
            region_m49=region_m49,
            network=network,
            default_tlp=default_tlp,
            created_by=actor,
            retention_months=retention_months,
        )
        level = default_space_level(space)
        if kind in (SpaceKind.PRIVATE, SpaceKind.THEMATIC):
            SpaceMember.objects.create(
                space=space, user=actor, is_moderator=kind == SpaceKind.PRIVATE, added_by=actor, notify_level=level
            )
        for user in invite_users:
            SpaceMember.objects.update_or_create(
                space=space,
                user=user,
                defaults={"state": SpaceMember.State.MEMBER, "added_by": actor},
                create_defaults={"state": SpaceMember.State.MEMBER, "added_by": actor, "notify_level": level},
            )
        for authority in invite_authorities:
            SpaceAuthority.objects.get_or_create(space=space, authority=authority, defaults={"added_by": actor})
        # A private consultation's name can reveal a case: the audit log, read by people outside it, keeps ids.
        audit_log(
            action=AuditAction.SPACE_CREATED,
            actor=actor,
            target=space,
            country=_country(actor),
            details={
                "kind": kind,
                "name": space.name if kind != SpaceKind.PRIVATE else "",
                "users": [u.pk for u in invite_users],
                "authorities": [a.pk for a in invite_authorities],
            },
        )
    permissions.forget(actor)
    return space


def space_member_add(*, actor, space: Space, user=None, authority=None) -> None:
    if not permissions.can_manage_space(actor, space):
        raise PermissionDenied
    with transaction.atomic():
        if user is not None:
            SpaceMember.objects.update_or_create(
                space=space,
                user=user,
                defaults={"state": SpaceMember.State.MEMBER, "added_by": actor},
                create_defaults={
                    "state": SpaceMember.State.MEMBER,
                    "added_by": actor,
                    "notify_level": default_space_level(space),
                },
            )
            permissions.forget(user)
        if authority is not None:
            SpaceAuthority.objects.get_or_create(space=space, authority=authority, defaults={"added_by": actor})
        audit_log(
            action=AuditAction.SPACE_MEMBER_ADDED,
            actor=actor,
            target=space,
            country=_country(actor),
            details={"user": getattr(user, "pk", None), "authority": getattr(authority, "pk", None)},
        )


def space_member_remove(*, actor, space: Space, user=None, authority=None) -> None:
    """An explicit removal overrides the space's rule (e.g. someone from the region who must not read)."""
    if not permissions.can_manage_space(actor, space):
        raise PermissionDenied
    with transaction.atomic():
        if user is not None:
            SpaceMember.objects.update_or_create(
                space=space,
                user=user,
                defaults={"state": SpaceMember.State.REMOVED, "is_moderator": False, "added_by": actor},
            )
            permissions.forget(user)
        if authority is not None:
            SpaceAuthority.objects.filter(space=space, authority=authority).delete()
        audit_log(
            action=AuditAction.SPACE_MEMBER_REMOVED,
            actor=actor,
            target=space,
            country=_country(actor),
            details={"user": getattr(user, "pk", None), "authority": getattr(authority, "pk", None)},
        )


def space_close(*, actor, space: Space) -> Space:
    """Close a space (a consultation whose work is done): it stays readable to its readers, and nobody can write in
    it any more. Its managers (a consultation's moderators). Audited with ids only. One conditional UPDATE, so two
    managers closing at once write one event."""
    if not permissions.can_manage_space(actor, space):
        raise PermissionDenied
    with transaction.atomic():
        if not Space.objects.filter(pk=space.pk, is_archived=False).update(is_archived=True):
            raise ValidationError(_("This space is already closed."))
        audit_log(
            action=AuditAction.SPACE_UPDATED,
            actor=actor,
            target=space,
            country=_country(actor),
            details={"archived": {"from": False, "to": True}},
        )
    space.is_archived = True
    return space


def space_join(*, actor, space: Space) -> None:
    """Opt into a thematic space."""
    if space.kind != SpaceKind.THEMATIC or not permissions.joinable_spaces(actor).filter(pk=space.pk).exists():
        raise PermissionDenied
    SpaceMember.objects.update_or_create(space=space, user=actor, defaults={"state": SpaceMember.State.MEMBER})
    permissions.forget(actor)


def space_leave(*, actor, space: Space) -> None:
    if space.kind != SpaceKind.THEMATIC:
        raise PermissionDenied
    SpaceMember.objects.filter(space=space, user=actor, state=SpaceMember.State.MEMBER).delete()
    permissions.forget(actor)


def default_space_level(space: Space) -> str:
    """Everyone in a private consultation watches it until they choose otherwise (few people, each post matters);
    elsewhere the level is normal (mentions, questions to one's country, replies)."""
    return NotifyLevel.WATCHING if space.kind == SpaceKind.PRIVATE else NotifyLevel.NORMAL


# --- threads and posts ---------------------------------------------------------------------------------------


def _watch_thread(*, user_id: int, thread_id: int) -> None:
    """Whoever starts or writes in a thread watches it, unless they already chose a level for it (kept)."""
    ThreadSubscription.objects.get_or_create(
        user_id=user_id, thread_id=thread_id, defaults={"level": NotifyLevel.WATCHING}
    )


def _apply_mentions(post: Post) -> None:
    from comity.accounts.models import User
    from comity.reference.models import Country

    handles, codes = markdown.mentions(post.body)
    rows: list[Mention] = []
    if handles:
        from functools import reduce
        from operator import or_

        from django.db.models import Q

        match = reduce(or_, (Q(email__istartswith=f"{handle}@") for handle in handles))
        people = {}
        for user in User.objects.filter(match, is_active=True).only("pk", "email", "full_name"):
            rows.append(Mention(post=post, user=user))
            people[user.email.split("@", 1)[0].lower()] = (user.pk, user.display_name)
        linked = markdown.link_mentions(post.body_html, people)
        if linked != post.body_html:
            post.body_html = linked
            Post.objects.filter(pk=post.pk).update(body_html=linked)
    if codes:
        rows.extend(Mention(post=post, country=c) for c in Country.objects.filter(iso2__in=codes))
    Mention.objects.filter(post=post).delete()
    Mention.objects.bulk_create(rows)


def thread_create(
    *,
    actor,
    space: Space,
    title: str,
    body: str,
    tlp: str | None = None,
    kind: str = Thread.Kind.DISCUSSION,
    addressed_countries=(),
    language: str = "en",
) -> Thread:
    if not permissions.can_start_thread(actor, space):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the thread a title.")]
    tlp = tlp or space.default_tlp
    if tlp not in TLP.values:
        errors["tlp"] = [_("Unknown handling mark.")]
    if kind not in Thread.Kind.values:
        errors["kind"] = [_("Unknown kind of thread.")]
    addressed_countries = list(addressed_countries)
    if kind == Thread.Kind.QUESTION and not addressed_countries:
        errors["addressed_countries"] = [_("A question must be addressed to at least one country.")]
    body, language = _clean_text_and_language(body, language, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        now = timezone.now()
        thread = Thread.objects.create(
            space=space,
            title=title.strip()[:200],
            author=actor,
            tlp=tlp,
            kind=kind,
            created_at=now,
            last_post_at=now,
            language=language,
        )
        thread.addressed_countries.set(addressed_countries)
        _post_insert(actor=actor, thread=thread, body=body, language=language)
        Draft.objects.filter(user=actor, key=draft_key(space=space)).delete()
        audit_log(
            action=AuditAction.THREAD_CREATED,
            actor=actor,
            target=thread,
            country=_country(actor),
            details={
                "space": space.pk,
                "tlp": tlp,
                "kind": kind,
                "addressed": sorted(c.iso2 for c in addressed_countries),
            },
        )
    thread.refresh_from_db()
    return thread


def _post_insert(*, actor, thread: Thread, body: str, language: str, quote_of: Post | None = None) -> Post:
    """Write a post with the next number of its thread. Runs inside the caller's transaction.

    The UPDATE that counts the post takes the thread's row lock, so a concurrent writer in the same thread waits
    for this transaction to end before it reads the counter: numbers follow one another without gaps or repeats,
    and the clock is read after the lock, so numbers also follow the posts' times."""
    counted = Thread.objects.filter(pk=thread.pk)
    counted.update(post_count=F("post_count") + 1, last_post_number=F("last_post_number") + 1)
    number = counted.values_list("last_post_number", flat=True).get()
    now = timezone.now()
    post = Post.objects.create(
        thread=thread,
        author=actor,
        body=body,
        body_html=markdown.render(body),
        language=language,
        quote_of=quote_of,
        created_at=now,
        search_text=markdown.plain_text(body),
        number=number,
    )
    # Conditional, so the pointer only moves forward even if a caller ever runs this outside one transaction.
    counted.filter(last_post_number=number).update(last_post_at=now, last_post_id_cache=post.pk)
    _read_marker_forward(user_id=actor.pk, thread_id=thread.pk, post_id=post.pk, number=number, at=now)
    _watch_thread(user_id=actor.pk, thread_id=thread.pk)
    _apply_mentions(post)
    # robust: whatever a receiver does, the post is committed and the request that wrote it must succeed.
    transaction.on_commit(lambda: hooks.post_created(post_id=post.pk), robust=True)
    return post


def post_numbers_fill() -> int:
    """Number the posts that the release before post numbers wrote during a rolling deploy, after the numbered
    posts of their thread and in the order they were written; returns how many. Idempotent. Run once when every
    process runs this release (`manage.py forum_number_posts`); until then such posts are on no page."""
    filled = 0
    thread_ids = Post.objects.filter(number__isnull=True).order_by().values_list("thread_id", flat=True).distinct()
    for thread_id in list(thread_ids):
        with transaction.atomic():
            locked = Thread.objects.select_for_update().filter(pk=thread_id)
            last = locked.values_list("last_post_number", flat=True).first()
            if last is None:
                continue
            unnumbered = Post.objects.filter(thread_id=thread_id, number__isnull=True).order_by("created_at", "pk")
            for number, pk in enumerate(unnumbered.values_list("pk", flat=True), start=last + 1):
                Post.objects.filter(pk=pk).update(number=number)
                last, filled = number, filled + 1
            locked.update(last_post_number=last)
    return filled


def post_create(*, actor, thread: Thread, body: str, language: str = "en", quote_of: Post | None = None) -> Post:
    if not permissions.can_post(actor, thread):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    body, language = _clean_text_and_language(body, language, errors)
    if quote_of is not None and quote_of.thread_id != thread.pk:
        errors["quote_of"] = [_("You can only quote a post of the same thread.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        post = _post_insert(actor=actor, thread=thread, body=body, language=language, quote_of=quote_of)
        Draft.objects.filter(user=actor, key=draft_key(thread=thread)).delete()
        if (
            thread.kind == Thread.Kind.QUESTION
            and actor.country_id
            and thread.addressed_countries.filter(pk=actor.country_id).exists()
        ):
            # Conditional on the stored status, not on this (possibly stale) object: an answer never takes a
            # question that was resolved meanwhile back to "answered".
            Thread.objects.filter(pk=thread.pk, status=Thread.Status.OPEN).update(status=Thread.Status.ANSWERED)
    return post


def post_edit(*, actor, post: Post, body: str, language: str | None = None) -> Post:
    """Authors edit their own posts; the previous text is kept as a revision readers can see. The language can be
    corrected at the same time (alone, it changes no text and makes no revision)."""
    if not permissions.can_edit_post(actor, post):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    body, language = _clean_text_and_language(body, language or post.language, errors)
    if errors:
        raise ValidationError(errors)
    if language != post.language:
        post.language = language
        Post.objects.filter(pk=post.pk).update(language=language)
    if body == post.body:
        return post
    with transaction.atomic():
        PostRevision.objects.create(post=post, body=post.body, edited_by=actor)
        post.body = body
        post.body_html = markdown.render(body)
        post.search_text = markdown.plain_text(body)
        post.edited_at = timezone.now()
        Post.objects.filter(pk=post.pk).update(
            body=post.body,
            body_html=post.body_html,
            search_text=post.search_text,
            edited_at=post.edited_at,
            revision_count=F("revision_count") + 1,
        )
        post.revision_count += 1  # as stored, unless another edit was saved at the same moment
        _apply_mentions(post)
    return post


def _read_marker_forward(*, user_id: int, thread_id: int, post_id: int, number: int, at) -> None:
    """Insert a user's read marker, or move it forward to `number` if it is behind: one statement, so whatever the
    order in which two tabs, a poll and a post arrive, the marker never moves back.

    Django's ORM has no upsert with a condition, hence SQL; it is the same on PostgreSQL and SQLite (3.24+)."""
    connection = connections[ReadMarker.objects.db]
    quote = connection.ops.quote_name
    table = quote(ReadMarker._meta.db_table)
    fields = {field.name: field for field in ReadMarker._meta.concrete_fields}
    user_col, thread_col, post_col, number_col, at_col = (
        quote(fields[name].column) for name in ("user", "thread", "last_read_post_id", "last_read_number", "updated_at")
    )
    stamp = fields["updated_at"].get_db_prep_save(at, connection)
    sql = (
        f"INSERT INTO {table} ({user_col}, {thread_col}, {post_col}, {number_col}, {at_col}) "  # noqa: S608
        f"VALUES (%s, %s, %s, %s, %s) "
        f"ON CONFLICT ({user_col}, {thread_col}) DO UPDATE SET {post_col} = EXCLUDED.{post_col}, "
        f"{number_col} = EXCLUDED.{number_col}, {at_col} = EXCLUDED.{at_col} "
        f"WHERE {table}.{number_col} < EXCLUDED.{number_col}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, thread_id, post_id, number, stamp])


def mark_read(*, user, thread: Thread, up_to_post_id: int, up_to_number: int | None = None) -> None:
    """Move the user's read marker forward to a post (never back), with one conditional upsert.

    `up_to_number` is the post's number; it is looked up when not given."""
    if up_to_number is None:
        found = Post.objects.filter(pk=up_to_post_id, thread=thread).values_list("number", flat=True).first()
        if found is None:
            return
        up_to_number = found
    _read_marker_forward(
        user_id=user.pk, thread_id=thread.pk, post_id=up_to_post_id, number=up_to_number, at=timezone.now()
    )


# --- questions: the accepted answer ------------------------------------------------------------------------------


def _answer_details(thread: Thread, post_id: int | None, **extra) -> dict:
    """Ids only: a question in a private consultation must not reach the audit log by its words."""
    return {"thread": thread.pk, "space": thread.space_id, "post": post_id, **extra}


def _status_without_answer(thread: Thread) -> Case:
    """A question's status once it has no accepted answer, evaluated by the UPDATE that withdraws the answer (so a
    reply committed meanwhile counts): answered if an addressed country replied, else open."""
    replied = Exists(
        Post.objects.filter(thread_id=OuterRef("pk"), author__country__in=thread.addressed_countries.all()).exclude(
            number=1
        )
    )
    return Case(When(replied, then=Value(Thread.Status.ANSWERED)), default=Value(Thread.Status.OPEN))


def question_accept_answer(*, actor, thread: Thread, post: Post) -> None:
    """The asker (or a moderator) accepts an answer; the question becomes resolved. Audited.

    A hidden post is no answer anyone else can read, so it can never be the accepted one: the post's row is locked
    while it is checked, so a moderator hiding it at the same moment either waits and then withdraws it
    (`answer_withdraw_hidden`), or hides it first and this refuses it."""
    if thread.kind != Thread.Kind.QUESTION or post.thread_id != thread.pk or post.number == 1:
        raise ValidationError(_("Only an answer in this question can be accepted."))
    # The rest of permissions.is_answer_candidate (not hidden) is checked below, on the locked row.
    if not permissions.can_accept_answer(actor, thread):
        raise PermissionDenied
    with transaction.atomic():
        answerable = (
            Post.objects.select_for_update()
            .filter(pk=post.pk, thread_id=thread.pk, is_hidden=False)
            .values_list("pk", flat=True)
            .first()
        )
        if answerable is None:
            raise ValidationError(_("Choose an answer in this question."))
        locked = Thread.objects.select_for_update().filter(pk=thread.pk)
        previous = locked.values_list("accepted_post_id", flat=True).get()
        if previous == post.pk:
            return
        locked.update(accepted_post=post, status=Thread.Status.RESOLVED)
        audit_log(
            action=AuditAction.ANSWER_ACCEPTED,
            actor=actor,
            target=thread,
            country=_country(actor),
            details=_answer_details(thread, post.pk, previous=previous),
        )
    thread.accepted_post, thread.status = post, Thread.Status.RESOLVED


def question_unaccept_answer(*, actor, thread: Thread) -> None:
    """The asker (or a moderator) withdraws the accepted answer; the question is answered or open again. Audited."""
    if not permissions.can_accept_answer(actor, thread):
        raise PermissionDenied
    with transaction.atomic():
        locked = Thread.objects.select_for_update().filter(pk=thread.pk)
        current = locked.values_list("accepted_post_id", flat=True).get()
        if current is None:
            raise ValidationError(_("This question has no accepted answer."))
        locked.update(accepted_post=None, status=_status_without_answer(thread))
        audit_log(
            action=AuditAction.ANSWER_UNACCEPTED,
            actor=actor,
            target=thread,
            country=_country(actor),
            details=_answer_details(thread, current, cause="withdrawn"),
        )
    thread.accepted_post = None
    thread.status = Thread.objects.filter(pk=thread.pk).values_list("status", flat=True).get()


def answer_withdraw_hidden(*, actor, post: Post) -> bool:
    """When a moderator hides the accepted answer, it stops being the answer (in the hiding transaction, after the
    post's row was updated). One conditional UPDATE; True if it was the accepted answer."""
    thread = post.thread
    withdrawn = Thread.objects.filter(pk=thread.pk, accepted_post_id=post.pk).update(
        accepted_post=None, status=_status_without_answer(thread)
    )
    if withdrawn:
        audit_log(
            action=AuditAction.ANSWER_UNACCEPTED,
            actor=actor,
            target=thread,
            country=_country(actor),
            details=_answer_details(thread, post.pk, cause="hidden"),
        )
    return bool(withdrawn)


# --- notification levels (subscriptions) -------------------------------------------------------------------

# A reader who follows a space by its rule (plenary, region, network, the secretariat's role) and sets a
# notification level gets a SpaceMember row in this state. It only carries settings: spaces_visible_to grants
# access for state MEMBER and denies for REMOVED, and ignores this state, so the row can never keep someone in
# a space after the rule stops applying to them (a new country, a network that lost a member, a new role).
# Invariant: rows granting access (MEMBER) are created only by invitation, opt-in (thematic) and creation,
# never as a side effect of choosing a notification level.
SETTINGS_ONLY = "settings"


def space_notify_level_set(*, actor, space: Space, level: str) -> SpaceMember:
    """Watching, normal or muted for a whole space; only for people who can read it."""
    if not permissions.is_member(actor) or not permissions.spaces_visible_to(actor).filter(pk=space.pk).exists():
        raise PermissionDenied
    if level not in NotifyLevel.values:
        raise ValidationError({"level": [_("Unknown notification level.")]})
    with transaction.atomic():
        membership, created = SpaceMember.objects.get_or_create(
            space=space, user=actor, defaults={"state": SETTINGS_ONLY, "notify_level": level}
        )
        if not created and membership.notify_level != level:
            membership.notify_level = level
            membership.save(update_fields=["notify_level"])
    permissions.forget(actor)
    return membership


def space_notify_level(*, user, space: Space) -> str:
    """The level a reader chose for a space (watching in a private consultation, else normal, when they never
    chose)."""
    row = permissions.membership(user, space)
    level = row[2] if row is not None and row[0] != SpaceMember.State.REMOVED else None
    return level or default_space_level(space)


def thread_subscription_set(*, actor, thread: Thread, level: str) -> ThreadSubscription | None:
    """Watching, normal or muted for one thread; an empty level goes back to the space's level."""
    if not permissions.is_member(actor) or not permissions.threads_visible_to(actor).filter(pk=thread.pk).exists():
        raise PermissionDenied
    if level and level not in NotifyLevel.values:
        raise ValidationError({"level": [_("Unknown notification level.")]})
    if not level:
        ThreadSubscription.objects.filter(user=actor, thread=thread).delete()
        return None
    subscription, _created = ThreadSubscription.objects.update_or_create(
        user=actor, thread=thread, defaults={"level": level}
    )
    return subscription


# --- drafts and the language of a post --------------------------------------------------------------------------


def draft_key(*, thread: Thread | None = None, space: Space | None = None) -> str:
    return f"reply:{thread.pk}" if thread is not None else f"thread:{space.pk}"  # type: ignore[union-attr]


def draft_save(
    *, actor, space: Space, thread: Thread | None = None, body: str, title: str = "", language: str = ""
) -> Draft | None:
    """Keep what someone is writing (a reply or a new thread) on the server; an empty text drops the draft.
    Only where they may write; a draft is private to its writer and not audited (nothing is published)."""
    allowed = permissions.can_post(actor, thread) if thread is not None else permissions.can_start_thread(actor, space)
    if not allowed:
        raise PermissionDenied
    key = draft_key(thread=thread, space=space)
    body = (body or "")[:MAX_BODY]
    if not body.strip() and not (title or "").strip():
        Draft.objects.filter(user=actor, key=key).delete()
        return None
    if language and not (language in UI_LANGUAGES or is_language_code(language)):
        language = ""
    draft, _created = Draft.objects.update_or_create(
        user=actor,
        key=key,
        defaults={
            "space": space,
            "thread": thread,
            "body": body,
            "title": (title or "")[:200],
            "language": language,
            "updated_at": timezone.now(),
        },
    )
    return draft


def draft_discard(*, actor, space: Space, thread: Thread | None = None) -> None:
    Draft.objects.filter(user=actor, key=draft_key(thread=thread, space=space)).delete()
