"""Post numbers: given in order under concurrency, backfilled by the migration, kept through purges (gaps), used
for pages, permanent links and unread counts; revision counts kept by the edit service."""

import datetime as dt
import importlib
import re
import threading
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comity.forum import moderation, selectors, services
from comity.forum.models import Post, PostRevision, ReadMarker, SpaceKind, Thread
from comity.forum.tests.test_reading import add_posts

pytestmark = pytest.mark.django_db

migration = importlib.import_module("comity.forum.migrations.0002_post_numbers")


@pytest.fixture
def plenary(users):
    return services.space_create(actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Plenary")


def numbers(thread: Thread) -> list[int]:
    return list(Post.objects.filter(thread=thread).order_by("created_at", "pk").values_list("number", flat=True))


def text(response) -> str:
    return response.content.decode()


def shown_numbers(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'aria-label="Link to post (\d+)">', page)]


# --- numbering ----------------------------------------------------------------------------------------------------


def test_posts_are_numbered_in_their_thread_and_the_thread_keeps_the_last_number(users, plenary):
    first = services.thread_create(actor=users["member"], space=plenary, title="One", body="a")
    second = services.thread_create(actor=users["member_other"], space=plenary, title="Two", body="b")
    for body in ("c", "d"):
        services.post_create(actor=users["coordinator"], thread=first, body=body)
    services.post_create(actor=users["member"], thread=second, body="e")
    assert numbers(first) == [1, 2, 3] and numbers(second) == [1, 2]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.post_count, first.last_post_number, second.post_count, second.last_post_number) == (3, 3, 2, 2)
    marker = ReadMarker.objects.get(user=users["coordinator"], thread=first)
    assert (marker.last_read_number, marker.last_read_post_id) == (3, first.posts.get(number=3).pk)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_in_one_thread_get_numbers_without_gaps_or_repeats(users, plenary):
    thread = services.thread_create(actor=users["member"], space=plenary, title="Busy", body="opening")
    writers, each = 6, 8
    authors = [users["member"], users["member_other"], users["coordinator"], users["coordinator_other"]]
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(index: int) -> None:
        try:
            start.wait()
            for n in range(each):
                services.post_create(actor=authors[index % len(authors)], thread=thread, body=f"w{index} p{n}")
        except BaseException as exc:  # reported below, with the thread's other failures
            failures.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=write, args=(index,)) for index in range(writers)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    total = 1 + writers * each
    assert sorted(Post.objects.filter(thread=thread).values_list("number", flat=True)) == list(range(1, total + 1))
    assert numbers(thread) == list(range(1, total + 1))  # numbers also follow the posts' times
    thread.refresh_from_db()
    assert (thread.post_count, thread.last_post_number) == (total, total)
    last = Post.objects.get(thread=thread, number=total)
    assert (thread.last_post_id_cache, thread.last_post_at) == (last.pk, last.created_at)


# --- the migration's backfill and posts left unnumbered by the previous release ----------------------------------


def test_backfill_numbers_posts_by_time_counts_revisions_and_moves_markers_to_numbers(users, plenary):
    member, other = users["member"], users["member_other"]
    thread = services.thread_create(actor=member, space=plenary, title="Old data", body="first")
    posts = [thread.posts.get()] + [services.post_create(actor=other, thread=thread, body=f"r{i}") for i in range(4)]
    # Written out of id order: the third post (by id) is the oldest.
    base = timezone.now() - dt.timedelta(days=1)
    for minutes, post in zip([10, 20, 5, 30, 40], posts, strict=True):
        Post.objects.filter(pk=post.pk).update(created_at=base + dt.timedelta(minutes=minutes))
    services.post_edit(actor=other, post=posts[1], body="r0, edited")
    services.post_edit(actor=other, post=posts[1], body="r0, edited again")
    services.post_edit(actor=other, post=posts[3], body="r2, edited")
    empty_marker = ReadMarker.objects.create(user=users["coordinator"], thread=thread, last_read_post_id=0)
    ReadMarker.objects.filter(user=member, thread=thread).update(last_read_post_id=posts[3].pk)
    ReadMarker.objects.filter(user=other, thread=thread).update(last_read_post_id=posts[1].pk)
    single = services.thread_create(actor=other, space=plenary, title="Single", body="alone")
    # The state the migration starts from: no numbers, no counts, and a post count that drifted.
    Post.objects.update(number=None, revision_count=0)
    Thread.objects.update(last_post_number=0)
    Thread.objects.filter(pk=thread.pk).update(post_count=9)
    ReadMarker.objects.update(last_read_number=0)
    purged = posts[4].pk
    posts[4].delete()  # ... and a marker whose post was purged: it read everything with a lower id
    ReadMarker.objects.create(user=users["coordinator_other"], thread=thread, last_read_post_id=purged)
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "forum_post")
    migration.backfill(None, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:  # on PostgreSQL, the indexes dropped for the UPDATE are back as they were
        assert connection.introspection.get_constraints(cursor, "forum_post") == indexes

    by_id = dict(Post.objects.filter(thread=thread).values_list("pk", "number"))
    assert by_id == {posts[0].pk: 2, posts[1].pk: 3, posts[2].pk: 1, posts[3].pk: 4}
    assert dict(Post.objects.filter(thread=thread).values_list("pk", "revision_count")) == {
        posts[0].pk: 0,
        posts[1].pk: 2,
        posts[2].pk: 0,
        posts[3].pk: 1,
    }
    thread.refresh_from_db()
    single.refresh_from_db()
    assert (thread.post_count, thread.last_post_number, single.post_count, single.last_post_number) == (4, 4, 1, 1)
    markers = dict(ReadMarker.objects.filter(thread=thread).values_list("user_id", "last_read_number"))
    assert markers == {member.pk: 4, other.pk: 3, users["coordinator"].pk: 0, users["coordinator_other"].pk: 4}
    assert ReadMarker.objects.get(pk=empty_marker.pk).last_read_number == 0
    assert ReadMarker.objects.get(user=other, thread=single).last_read_number == 1


def test_posts_written_by_the_previous_release_are_numbered_by_the_command(personas, users, plenary):
    thread = services.thread_create(actor=users["member_other"], space=plenary, title="Deploy", body="numbered")
    # What the release before numbers does: insert the post (no number) and count it.
    old = [
        Post.objects.create(thread=thread, author=users["coordinator"], body=body, body_html=f"<p>{body}</p>")
        for body in ("old release 1", "old release 2")
    ]
    Thread.objects.filter(pk=thread.pk).update(post_count=3)
    page = text(personas["member"].get(f"/en/forum/t/{thread.pk}/"))
    assert shown_numbers(page) == [1]
    assert (
        personas["member"].get(f"/en/forum/p/{old[1].pk}/")["Location"] == f"/en/forum/t/{thread.pk}/#post-{old[1].pk}"
    )
    newer = services.post_create(actor=users["member"], thread=thread, body="new release")
    assert newer.number == 2

    out = StringIO()
    call_command("forum_number_posts", stdout=out)
    assert out.getvalue() == "Numbered 2 post(s).\n"
    assert [Post.objects.get(pk=post.pk).number for post in old] == [3, 4]
    thread.refresh_from_db()
    assert (thread.post_count, thread.last_post_number) == (4, 4)
    assert shown_numbers(text(personas["member"].get(f"/en/forum/t/{thread.pk}/"))) == [1, 2, 3, 4]
    out = StringIO()
    call_command("forum_number_posts", stdout=out)
    assert out.getvalue() == "Numbered 0 post(s).\n"


# --- purges leave gaps; pages, links and unread counts still work --------------------------------------------------


def test_after_a_purge_pages_start_at_the_first_post_left_and_unread_counts_skip_the_gaps(personas, users):
    space = services.space_create(
        actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Kept a year", retention_months=12
    )
    thread = services.thread_create(actor=users["member_other"], space=space, title="Old and new", body="Opening")
    posts = add_posts(thread, 119, authors=[users["member_other"], users["coordinator_other"]])
    services.mark_read(user=users["coordinator"], thread=thread, up_to_post_id=posts[99].pk)
    old = [post.pk for post in posts[:60]]
    Post.objects.filter(pk__in=old).update(created_at=timezone.now() - dt.timedelta(days=400))
    client = personas["member"]
    client.get(f"/en/forum/t/{thread.pk}/?page=1")  # read up to #50, which the purge deletes

    assert [(entry.posts, entry.threads) for entry in moderation.posts_purge()] == [(60, 0)]

    thread.refresh_from_db()
    assert (thread.post_count, thread.last_post_number, thread.missing_numbers) == (60, 120, 60)
    first = text(client.get(f"/en/forum/t/{thread.pk}/"))
    assert shown_numbers(first) == list(range(61, 111))
    assert "Page 1 of 2" in first
    second = text(client.get(f"/en/forum/t/{thread.pk}/?page=2"))
    assert shown_numbers(second) == list(range(111, 121))
    assert client.get(f"/en/forum/p/{posts[110].pk}/")["Location"] == (
        f"/en/forum/t/{thread.pk}/?page=2#post-{posts[110].pk}"
    )
    assert client.get(f"/en/forum/p/{posts[60].pk}/")["Location"] == f"/en/forum/t/{thread.pk}/#post-{posts[60].pk}"

    never_opened = text(personas["coordinator_other"].get(f"/en/forum/s/{space.slug}/"))
    assert f'<a href="/en/forum/t/{thread.pk}/unread/">60 new posts</a>' in never_opened
    read_to_100 = text(personas["coordinator"].get(f"/en/forum/s/{space.slug}/"))
    assert f'<a href="/en/forum/t/{thread.pk}/unread/">20 new posts</a>' in read_to_100
    response = personas["coordinator_other"].get(f"/en/forum/t/{thread.pk}/unread/")
    assert response["Location"] == f"/en/forum/t/{thread.pk}/#post-{posts[60].pk}"
    # A reader whose last shown post was purged still gets the posts after it (htmx polling).
    response = personas["coordinator"].get(f"/en/forum/t/{thread.pk}/new-posts/", {"after": posts[30].pk})
    assert shown_numbers(text(response)) == list(range(61, 111))


# --- revision counts -------------------------------------------------------------------------------------------


def test_edits_count_revisions_without_a_join_on_the_thread_page(personas, users, plenary):
    thread = services.thread_create(actor=users["member"], space=plenary, title="Typos", body="Frist")
    post = thread.posts.get()
    assert services.post_edit(actor=users["member"], post=post, body="First").revision_count == 1
    again = services.post_edit(actor=users["member"], post=Post.objects.get(pk=post.pk), body="First!")
    unchanged = services.post_edit(actor=users["member"], post=Post.objects.get(pk=post.pk), body="First!")
    assert (again.revision_count, unchanged.revision_count) == (2, 2)
    assert (Post.objects.get(pk=post.pk).revision_count, PostRevision.objects.filter(post=post).count()) == (2, 2)
    with CaptureQueriesContext(connection) as queries:
        page = text(personas["member_other"].get(f"/en/forum/t/{thread.pk}/"))
    assert f'<a href="/en/forum/p/{post.pk}/history/">See the 2 earlier versions</a>' in page
    assert [q["sql"] for q in queries.captured_queries if "forum_postrevision" in q["sql"]] == []


# --- reading position ---------------------------------------------------------------------------------------------


def test_read_marker_only_moves_forward(users, plenary):
    thread = services.thread_create(actor=users["member_other"], space=plenary, title="Forward", body="a")
    posts = add_posts(thread, 9, authors=[users["member_other"]])
    reader = users["member"]
    services.mark_read(user=reader, thread=thread, up_to_post_id=posts[6].pk, up_to_number=7)
    services.mark_read(user=reader, thread=thread, up_to_post_id=posts[2].pk)
    marker = ReadMarker.objects.get(user=reader, thread=thread)
    assert (marker.last_read_number, marker.last_read_post_id) == (7, posts[6].pk)
    assert selectors.first_unread(user=reader, thread=thread) == selectors.Position(posts[7].pk, 1)
    services.mark_read(user=reader, thread=thread, up_to_post_id=posts[9].pk)
    marker.refresh_from_db()
    assert (marker.last_read_number, marker.last_read_post_id) == (10, posts[9].pk)
    assert selectors.first_unread(user=reader, thread=thread) is None
    services.mark_read(user=reader, thread=thread, up_to_post_id=10**9)  # not a post of this thread: nothing moves
    assert ReadMarker.objects.get(user=reader, thread=thread).last_read_number == 10
