"""A synthetic forum at scale for benchmarks: `manage.py seed_forum --posts N` (refused in production).

The posts form one endless, deterministic stream: post k (k = 0, 1, ...) depends only on the seed and on k, so
topping up from 10,000 to 1,000,000 posts gives exactly what seeding 1,000,000 at once gives, and a database of
10,000 posts is the first part of one with a million. The stream, in time order (one post every ~90 s from
2022-01-03, so a million posts end in late 2024, before any demo post):

1. the comparison thread (index 1, plenary): `comparison` posts (54 by default), then no more;
2. the openings of every other thread (indices 2 .. threads-1), interleaved evenly with the `long` posts of the
   long thread (index 0, plenary; 5,000 by default), which then gets no more posts either;
3. replies to threads 2 .. threads-1 for ever, each thread drawn with a log-normal weight (sigma 1), so thread
   lengths are skewed: at a million posts the median thread has about 300 posts and the longest about 4,200.

A thread's space (weighted towards the plenary, about 5 % in the private consultation), language (en 40 %,
es/fr/pt 12 % each, ru/ar/zh-hans 8 % each; a reply keeps its thread's language three times in four), title and
author come from the seed. Authors are demo users who may start a thread in the space. Bodies are ~25 fixed
Markdown texts (lists, quotes, links, bold), each rendered once with `markdown.render()`/`plain_text()` exactly
as `services._post_insert` does, and reused. One post in 5,000 carries the rare word "kittiwake"; one in 1,000
is hidden by the demo moderator; one in 100 was edited once (a `PostRevision`).

Read markers: each demo user has read about 30 % of the synthetic threads they can read, half of them to the
end and half part of the way (50-100 %). Markers are set from the final thread lengths on every run, so they
too are the same whichever way the database was grown.

Rows are written with `bulk_create` in blocks of 10,000 posts, one transaction per block (thread counters
included), so an interrupted run leaves a consistent prefix that the next run continues. Model fields added
later are filled when present: `Post.number` (1-based place in the thread), `Post.revision_count`, and integer
fields with "number" in their name on `ReadMarker` (the marker's place) and `Thread` (its last post's place);
older models without them work too (the benchmark seeds older commits with this module).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models import Count, F, Max, Window
from django.db.models.functions import RowNumber

try:
    from comity.core.search import fold
except ImportError:  # an older tree (the benchmark's "before" version) has neither fold() nor Thread.title_search
    fold = None
from comity.forum.demo_scale.plan import (
    BLOCK,
    DEFAULTS,
    EDITED_EVERY,
    HIDDEN_EVERY,
    RARE_EVERY,
    READ_SHARE,
    REPLY_KEEPS_LANGUAGE,
    TITLE_SUFFIX,
    DemoDataMissing,
    Rendered,
    Stream,
    ThreadPlan,
    build_plan,
    demo_spaces,
    demo_users,
    language_for,
    post_time,
    rendered_bodies,
)
from comity.forum.demo_scale.texts import HIDDEN_REASON, REVISION_BODY
from comity.forum.models import Post, PostRevision, ReadMarker, Thread

__all__ = ["DEFAULTS", "DemoDataMissing", "Fields", "ForumScaleResult", "PlanMismatch", "forum_scale_seed"]


class PlanMismatch(ImproperlyConfigured):
    """The synthetic threads in the database were made with other parameters."""


@dataclass
class ThreadState:
    pk: int
    count: int
    last_number: int
    last_post_at: dt.datetime | None
    last_post_id: int


@dataclass
class ForumScaleResult:
    wanted: int  # posts wanted in the database (all posts, demo ones included)
    existing: int  # synthetic posts before this run
    posts_created: int = 0
    threads_created: int = 0
    markers: int = 0
    seconds: float = 0.0
    longest: list[tuple[int, int]] = field(default_factory=list)  # (thread pk, posts) of the longest threads


@dataclass(frozen=True)
class Fields:
    """Which optional columns the installed models have."""

    post_number: bool
    post_revision_count: bool
    marker_numbers: tuple[str, ...]
    thread_numbers: tuple[str, ...]

    @classmethod
    def detect(cls) -> Fields:
        def integer_fields(model, word: str) -> tuple[str, ...]:
            return tuple(
                f.name
                for f in model._meta.concrete_fields
                if word in f.name and isinstance(f, models.IntegerField) and not f.primary_key
            )

        post = {f.name for f in Post._meta.concrete_fields}
        return cls(
            post_number="number" in post,
            post_revision_count="revision_count" in post,
            marker_numbers=integer_fields(ReadMarker, "number"),
            thread_numbers=integer_fields(Thread, "number"),
        )


# --- seeding -----------------------------------------------------------------------------------------------------


def _existing(plan: list[ThreadPlan], fields: Fields) -> dict[int, ThreadState]:
    by_title = {thread.title: thread.index for thread in plan}
    states: dict[int, ThreadState] = {}
    rows = Thread.objects.filter(title__contains=" (synthetic ").values_list(
        "pk", "title", "space_id", "last_post_at", "last_post_id_cache"
    )
    for pk, title, space_id, last_post_at, last_post_id in rows:
        match = TITLE_SUFFIX.search(title)
        if match is None:
            continue
        index = by_title.get(title)
        if index is None or plan[index].space.pk != space_id:
            raise PlanMismatch(
                f"Synthetic thread {title!r} does not match this seed and --threads; "
                "seed again with the same parameters, or start from a fresh database."
            )
        states[index] = ThreadState(pk, 0, 0, last_post_at, last_post_id)
    if states:
        aggregates = {"n": Count("pk")}
        if fields.post_number:
            aggregates["top"] = Max("number")
        by_pk = {state.pk: state for state in states.values()}
        for row in Post.objects.filter(thread_id__in=list(by_pk)).values("thread_id").annotate(**aggregates):
            state = by_pk[row["thread_id"]]
            state.count = row["n"]
            state.last_number = row.get("top") or row["n"]
    return states


def forum_scale_seed(
    *,
    posts: int,
    seed: int = DEFAULTS["seed"],
    threads: int = DEFAULTS["threads"],
    long: int = DEFAULTS["long"],
    comparison: int = DEFAULTS["comparison"],
    progress: Callable[[int, int, float], None] | None = None,
) -> ForumScaleResult:
    """Top the forum up to `posts` posts in all (demo posts included) with the synthetic stream."""
    from comity.directory.demo import refuse_in_production

    refuse_in_production()
    if threads < 3 or long < 1 or comparison < 1:
        raise ImproperlyConfigured("--threads must be at least 3, --long-thread and --comparison-thread at least 1.")
    started = time.perf_counter()
    fields = Fields.detect()
    users = demo_users()
    plan = build_plan(seed=seed, threads=threads, users=users, spaces=demo_spaces())
    stream = Stream(plan, long=long, comparison=comparison)
    states = _existing(plan, fields)
    existing = sum(state.count for state in states.values())
    others = Post.objects.count() - existing
    target = max(existing, posts - others)
    result = ForumScaleResult(wanted=posts, existing=existing)
    if target > existing:
        moderator = next((user.pk for user in users if user.email.startswith("moderator@")), users[0].pk)
        bodies, rare = rendered_bodies()
        position = existing
        while position < target:
            block_end = min((position // BLOCK + 1) * BLOCK, target)
            created = _write_block(
                position, block_end, seed=seed, plan=plan, stream=stream, states=states, fields=fields,
                bodies=bodies, rare=rare, moderator=moderator,
            )  # fmt: skip
            result.threads_created += created
            result.posts_created += block_end - position
            position = block_end
            if progress is not None:
                progress(position, target, time.perf_counter() - started)
    result.markers = _read_markers(seed=seed, plan=plan, users=users, states=states, fields=fields)
    if result.posts_created:
        from comity.audit.models import AuditAction
        from comity.audit.services import audit_log

        audit_log(
            action=AuditAction.DEMO_SEEDED,
            details={
                "synthetic_posts_created": result.posts_created,
                "synthetic_threads_created": result.threads_created,
                "seed": seed,
            },
        )
    result.longest = sorted(((state.pk, state.count) for state in states.values()), key=lambda row: -row[1])[:3]
    result.seconds = time.perf_counter() - started
    return result


def _write_block(
    start: int,
    end: int,
    *,
    seed: int,
    plan: list[ThreadPlan],
    stream: Stream,
    states: dict[int, ThreadState],
    fields: Fields,
    bodies: dict[str, list[Rendered]],
    rare: Rendered,
    moderator: int,
) -> int:
    """Write stream positions [start, end) (inside one random block) in one transaction; returns threads made."""
    block = start // BLOCK
    rng = random.Random(f"{seed}:posts:{block}")  # noqa: S311 - reproducible test data, not a secret
    rows = []
    for k in range(block * BLOCK, end):
        values = (rng.random(), rng.random(), rng.random(), rng.random(), rng.random())
        if k >= start:
            rows.append((k, values))
    owners = [stream.thread_of(k, values[0]) for k, values in rows]
    with transaction.atomic():
        new_threads: dict[int, Thread] = {}
        for (k, values), index in zip(rows, owners, strict=True):
            if index not in states and index not in new_threads:
                at = post_time(k, values[4])
                thread = plan[index]
                folded = {"title_search": fold(thread.title)} if fold else {}  # bulk_create does not call save()
                new_threads[index] = Thread(
                    space=thread.space,
                    title=thread.title,
                    author_id=thread.author_id,
                    tlp=thread.space.default_tlp,
                    created_at=at,
                    last_post_at=at,
                    **folded,
                )
        Thread.objects.bulk_create(list(new_threads.values()))
        for index, thread in new_threads.items():
            states[index] = ThreadState(thread.pk, 0, 0, None, 0)
        posts = []
        for (k, (_thread_value, author_value, language_value, body_value, jitter)), index in zip(
            rows, owners, strict=True
        ):
            thread, state = plan[index], states[index]
            first = state.count == 0
            author = thread.author_id if first else thread.poster_ids[int(author_value * len(thread.poster_ids))]
            if k % RARE_EVERY == 1000:
                text = rare
            else:
                language = thread.language
                if not first and language_value >= REPLY_KEEPS_LANGUAGE:
                    language = language_for((language_value - REPLY_KEEPS_LANGUAGE) / (1 - REPLY_KEEPS_LANGUAGE))
                choices = bodies[language]
                text = choices[int(body_value * len(choices))]
            at = post_time(k, jitter)
            hidden = k % HIDDEN_EVERY == 500 and not first
            edited = k % EDITED_EVERY == 7
            state.count += 1
            state.last_number += 1
            post = Post(
                thread_id=state.pk,
                author_id=author,
                body=text.body,
                body_html=text.body_html,
                language=text.language,
                created_at=at,
                edited_at=at + dt.timedelta(hours=1) if edited else None,
                is_hidden=hidden,
                hidden_reason=HIDDEN_REASON if hidden else "",
                hidden_by_id=moderator if hidden else None,
                search_text=text.search_text,
            )
            if fields.post_number:
                post.number = state.last_number
            if fields.post_revision_count and edited:
                post.revision_count = 1
            posts.append(post)
        Post.objects.bulk_create(posts)
        PostRevision.objects.bulk_create(
            [
                PostRevision(post=post, body=REVISION_BODY, edited_by_id=post.author_id, created_at=post.edited_at)
                for post in posts
                if post.edited_at is not None
            ]
        )
        touched: dict[int, ThreadState] = {}
        for post, index in zip(posts, owners, strict=True):
            state = states[index]
            state.last_post_at, state.last_post_id = post.created_at, post.pk
            touched[index] = state
        _update_threads(list(touched.values()), fields)
    return len(new_threads)


def _update_threads(states: list[ThreadState], fields: Fields) -> None:
    """Set the counters of many threads in one statement per 500 (bulk_update's CASE per row is far slower)."""
    quote = connection.ops.quote_name
    meta = Thread._meta
    names = ["post_count", "last_post_at", "last_post_id_cache", *fields.thread_numbers]
    assignments = ", ".join(
        f"{quote(meta.get_field(name).column)} = v.column{position}" for position, name in enumerate(names, start=2)
    )
    with connection.cursor() as cursor:
        for chunk in range(0, len(states), 500):
            part = states[chunk : chunk + 500]
            values, params = [], []
            for state in part:
                values.append("(" + ", ".join(["%s"] * (len(names) + 1)) + ")")
                at = meta.get_field("last_post_at").get_db_prep_save(state.last_post_at, connection)
                params += [state.pk, state.count, at, state.last_post_id]
                params += [state.last_number] * len(fields.thread_numbers)
            # Identifiers come from the model's meta and every value is a parameter.
            sql = (
                f"UPDATE {quote(meta.db_table)} SET {assignments} FROM (VALUES {', '.join(values)}) AS v "  # noqa: S608
                f"WHERE {quote(meta.db_table)}.{quote(meta.pk.column)} = v.column1"
            )
            cursor.execute(sql, params)


def _read_markers(
    *, seed: int, plan: list[ThreadPlan], users: list, states: dict[int, ThreadState], fields: Fields
) -> int:
    """Each demo user has read ~30 % of the synthetic threads they can read: half to the end, half part-way."""
    from comity.forum import permissions

    wanted: dict[tuple[int, int], int] = {}  # (user pk, plan index) -> position read up to
    for user in users:
        readable = set(permissions.spaces_visible_to(user).values_list("pk", flat=True))
        rng = random.Random(f"{seed}:read:{user.email}")  # noqa: S311 - reproducible test data, not a secret
        for thread in plan:
            chosen, whole, share = rng.random(), rng.random(), rng.random()
            state = states.get(thread.index)
            if chosen >= READ_SHARE or state is None or state.count == 0 or thread.space.pk not in readable:
                continue
            fraction = 1.0 if whole < 0.5 else 0.5 + 0.5 * share
            wanted[(user.pk, thread.index)] = max(1, math.floor(state.count * fraction))
    if not wanted:
        return 0
    post_at = _posts_at({(states[index].pk, place) for (_user, index), place in wanted.items()}, fields)
    markers = []
    for (user_pk, index), place in wanted.items():
        post_pk, at = post_at[(states[index].pk, place)]
        marker = ReadMarker(user_id=user_pk, thread_id=states[index].pk, last_read_post_id=post_pk, updated_at=at)
        for name in fields.marker_numbers:
            setattr(marker, name, place)
        markers.append(marker)
    with transaction.atomic():
        ReadMarker.objects.bulk_create(
            markers,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["user", "thread"],
            update_fields=["last_read_post_id", "updated_at", *fields.marker_numbers],
        )
    return len(markers)


def _posts_at(places: set[tuple[int, int]], fields: Fields) -> dict[tuple[int, int], tuple[int, dt.datetime]]:
    """{(thread pk, place in the thread): (post pk, created_at)} for the places asked for."""
    thread_ids = sorted({thread for thread, _place in places})
    numbers = sorted({place for _thread, place in places})
    found: dict[tuple[int, int], tuple[int, dt.datetime]] = {}
    for chunk in range(0, len(thread_ids), 200):
        ids = thread_ids[chunk : chunk + 200]
        if fields.post_number:
            rows = Post.objects.filter(thread_id__in=ids, number__in=numbers).values_list(
                "thread_id", "number", "pk", "created_at"
            )
        else:
            rows = (
                Post.objects.filter(thread_id__in=ids)
                .annotate(
                    place=Window(
                        RowNumber(), partition_by=[F("thread_id")], order_by=[F("created_at").asc(), F("pk").asc()]
                    )
                )
                .filter(place__in=numbers)
                .values_list("thread_id", "place", "pk", "created_at")
            )
        for thread_id, place, pk, created_at in rows:
            if (thread_id, place) in places:
                found[(thread_id, place)] = (pk, created_at)
    return found
