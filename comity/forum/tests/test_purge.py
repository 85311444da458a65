"""Retention purge: old posts go, threads under legal hold stay, emptied threads go, one audit event per space."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comity.audit.models import AuditAction, AuditEvent
from comity.forum import moderation, services
from comity.forum.models import Flag, Post, SpaceKind, Thread

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 31, 12, 0, tzinfo=dt.UTC)


def _age(post: Post, days: int) -> None:
    Post.objects.filter(pk=post.pk).update(created_at=NOW - dt.timedelta(days=days))


@pytest.fixture
def spaces(users):
    secretariat = users["secretariat"]
    kept = services.space_create(actor=secretariat, kind=SpaceKind.PLENARY, name="Forever", slug="forever")
    short = services.space_create(
        actor=secretariat, kind=SpaceKind.PLENARY, name="Short", slug="short", retention_months=12
    )
    other = services.space_create(
        actor=secretariat, kind=SpaceKind.PLENARY, name="Other", slug="other", retention_months=1
    )
    return kept, short, other


def _thread(users, space, title, ages):
    """A thread whose posts are `ages` days old, in order."""
    thread = services.thread_create(actor=users["member"], space=space, title=title, body="first")
    posts = [thread.posts.get()]
    for index in range(1, len(ages)):
        posts.append(services.post_create(actor=users["member_other"], thread=thread, body=f"reply {index}"))
    for post, age in zip(posts, ages, strict=True):
        _age(post, age)
    return thread, posts


def test_months_before_follows_the_calendar():
    assert moderation.months_before(NOW, 1) == dt.datetime(2026, 2, 28, 12, 0, tzinfo=dt.UTC)
    assert moderation.months_before(NOW, 12) == dt.datetime(2025, 3, 31, 12, 0, tzinfo=dt.UTC)
    assert moderation.months_before(dt.datetime(2024, 3, 31, tzinfo=dt.UTC), 1) == dt.datetime(
        2024, 2, 29, tzinfo=dt.UTC
    )
    assert moderation.months_before(dt.datetime(2026, 1, 15, tzinfo=dt.UTC), 3) == dt.datetime(
        2025, 10, 15, tzinfo=dt.UTC
    )


def test_purge_honours_retention_and_legal_hold(users, spaces):
    kept, short, other = spaces
    forever, _posts = _thread(users, kept, "Kept forever", [900, 800])
    emptied, emptied_posts = _thread(users, short, "All old", [500, 400])
    mixed, mixed_posts = _thread(users, short, "Old start, recent end", [600, 30, 10])
    held, _held_posts = _thread(users, short, "Under legal hold", [700, 650])
    moderation.thread_legal_hold_set(actor=users["secretariat"], thread=held, reason="Case 7")
    Flag.objects.create(post=emptied_posts[0], reporter=users["coordinator"], reason="old flag")
    Thread.objects.filter(pk=mixed.pk).update(accepted_post=mixed_posts[0])
    recent_other, _ = _thread(users, other, "Recent", [5])
    before = AuditEvent.objects.count()

    report = moderation.posts_purge(now=NOW)

    assert [(entry.slug, entry.posts, entry.threads) for entry in report] == [("short", 3, 1)]
    assert not Thread.objects.filter(pk=emptied.pk).exists()
    assert Flag.objects.count() == 0
    mixed.refresh_from_db()
    assert list(mixed.posts.values_list("pk", flat=True)) == [mixed_posts[1].pk, mixed_posts[2].pk]
    assert (mixed.post_count, mixed.last_post_id_cache, mixed.accepted_post_id) == (2, mixed_posts[2].pk, None)
    assert mixed.last_post_at == NOW - dt.timedelta(days=10)
    assert held.posts.count() == 2 and forever.posts.count() == 2 and recent_other.posts.count() == 1
    events = list(AuditEvent.objects.filter(action=AuditAction.POSTS_PURGED))
    assert len(events) == 1 and AuditEvent.objects.count() == before + 1
    assert (events[0].target_type, events[0].target_id, events[0].actor_id) == ("forum.space", str(short.pk), None)
    assert events[0].details == {
        "posts": 3,
        "threads": 1,
        "cutoff": "2025-03-31T12:00:00+00:00",
        "retention_months": 12,
    }

    assert moderation.posts_purge(now=NOW) == []  # idempotent
    assert AuditEvent.objects.count() == before + 1


def test_released_hold_is_purged_next_time(users, spaces):
    _kept, short, _other = spaces
    held, _ = _thread(users, short, "Held", [700])
    moderation.thread_legal_hold_set(actor=users["secretariat"], thread=held, reason="Case 7")
    assert moderation.posts_purge(now=NOW) == []
    moderation.thread_legal_hold_release(actor=users["secretariat"], thread=held)
    assert [(entry.slug, entry.posts, entry.threads) for entry in moderation.posts_purge(now=NOW)] == [("short", 1, 1)]
    assert not Thread.objects.filter(pk=held.pk).exists()


def test_command_dry_run_then_real_run(users, spaces, monkeypatch):
    _kept, short, other = spaces
    _thread(users, short, "All old", [500, 400])
    _thread(users, other, "Old in other", [45, 2])
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    out = StringIO()
    call_command("purge_forum", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "other: would delete 1 post(s) and 0 emptied thread(s) older than 1 month(s) (before 2026-02-28 12:00 UTC)",
        "short: would delete 2 post(s) and 1 emptied thread(s) older than 12 month(s) (before 2025-03-31 12:00 UTC)",
        "Total: would delete 3 post(s) and 1 thread(s) in 2 space(s).",
    ]
    assert Post.objects.count() == 4
    assert not AuditEvent.objects.filter(action=AuditAction.POSTS_PURGED).exists()
    out = StringIO()
    call_command("purge_forum", stdout=out)
    assert out.getvalue().splitlines()[-1] == "Total: deleted 3 post(s) and 1 thread(s) in 2 space(s)."
    assert Post.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.POSTS_PURGED).count() == 2
    out = StringIO()
    call_command("purge_forum", stdout=out)
    assert out.getvalue() == "Total: deleted 0 post(s) and 0 thread(s) in 0 space(s).\n"
    assert AuditEvent.objects.filter(action=AuditAction.POSTS_PURGED).count() == 2


def test_purge_query_count_does_not_grow_with_posts(users, spaces, django_assert_num_queries):
    _kept, short, _other = spaces
    _thread(users, short, "Small", [500, 400])
    with CaptureQueriesContext(connection) as small:
        moderation.posts_purge(now=NOW, dry_run=True)
    _thread(users, short, "Big", [500] * 30)
    with django_assert_num_queries(len(small.captured_queries)):
        report = moderation.posts_purge(now=NOW, dry_run=True)
    assert [(entry.posts, entry.threads) for entry in report] == [(32, 2)]


def test_purge_deletes_attachment_files_of_old_posts(users, settings, tmp_path):
    import datetime as dt

    from django.utils import timezone

    from comity.files import services as files_services
    from comity.forum import moderation
    from comity.forum import services as forum_services
    from comity.forum.models import Post, Space, SpaceKind

    settings.COMITY_FILE_ROOT = tmp_path
    space = forum_services.space_create(
        actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Old", retention_months=1
    )
    thread = forum_services.thread_create(actor=users["member"], space=space, title="t", body="old post")
    post = thread.posts.get()
    attachment = files_services.attachment_create(
        actor=users["member"], space=space, post=post, filename="note.txt", content=[b"evidence text\n"]
    )
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - dt.timedelta(days=90))
    moderation.posts_purge()
    assert not Post.objects.filter(pk=post.pk).exists()
    attachment.refresh_from_db()
    assert attachment.deleted_at is not None
    assert Space.objects.filter(pk=space.pk).exists()
