"""Kept pages of posts, sets of readable spaces and reply audiences (comity.core.fragments): shared by readers
alike, never by readers who would see something else, and replaced at once by the writes that change them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comity.forum import moderation, permissions, services
from comity.forum.models import SpaceKind
from comity.forum.tests.test_reading import add_posts, plenary, text  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

POSTS_OF_A_PAGE = 'SELECT "forum_post"."id", "forum_post"."thread_id"'
EDIT = re.compile(r'href="/en/forum/p/\d+/edit/"')


@pytest.fixture
def thread(users, plenary):  # noqa: F811
    thread = services.thread_create(actor=users["coordinator_other"], space=plenary, title="Kept", body="Opening")
    add_posts(thread, 20, authors=[users["coordinator_other"], users["member"]])
    return thread


def _posts_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return sum(query["sql"].startswith('SELECT "forum_post".') for query in ctx.captured_queries)


def test_readers_alike_share_a_kept_page(personas, thread):
    url = f"/en/forum/t/{thread.pk}/"
    first = personas["member_other"]
    assert _posts_queries(first, url) >= 1
    posts = re.findall(r'<article class="card post" id="post-(\d+)"', text(first.get(url)))
    assert len(posts) == 21
    # Another reader who has read as far (all of it) and wrote none of the posts: the page comes from the cache.
    other = personas["coordinator"]
    other.get(url)
    with CaptureQueriesContext(connection) as ctx:
        body = text(other.get(url))
    assert not any(
        query["sql"].startswith('SELECT "forum_post"."id", "forum_post"."thread_id"') for query in ctx.captured_queries
    )
    assert re.findall(r'<article class="card post" id="post-(\d+)"', body) == posts
    assert not EDIT.search(body)


def test_an_author_never_gets_a_kept_page_nor_leaves_theirs(personas, users, thread):
    url = f"/en/forum/t/{thread.pk}/"
    reader, author = personas["member_other"], personas["member"]
    reader.get(url)
    assert not EDIT.search(text(reader.get(url)))
    mine = text(author.get(url))
    assert len(EDIT.findall(mine)) == 10  # the member wrote every other post
    assert not EDIT.search(text(reader.get(url)))
    author.get(url)  # the first visit marked the page read: the next visits ask for the same page
    with CaptureQueriesContext(connection) as ctx:
        again = text(author.get(url))
    assert [query for query in ctx.captured_queries if query["sql"].startswith(POSTS_OF_A_PAGE)] == []
    assert len(EDIT.findall(again)) == 10  # the author's own page is kept for them
    assert not EDIT.search(text(personas["coordinator"].get(url)))


def test_a_hidden_post_disappears_at_once_from_a_kept_page(personas, users, thread):
    url = f"/en/forum/t/{thread.pk}/"
    reader = personas["member_other"]
    reader.get(url)
    assert "<p>Post 4</p>" in text(reader.get(url))
    post = thread.posts.get(body="Post 4")
    moderation.post_hide(actor=users["moderator"], post=post, reason="Personal data")
    body = text(reader.get(url))
    assert "<p>Post 4</p>" not in body
    assert "This post was hidden by a moderator." in body


def test_a_reply_shows_at_once(personas, users, thread):
    url = f"/en/forum/t/{thread.pk}/"
    reader = personas["member_other"]
    reader.get(url)
    services.post_create(actor=users["coordinator"], thread=thread, body="A new answer")
    assert "A new answer" in text(reader.get(url))


def test_removal_from_a_private_space_takes_effect_at_once(personas, users):
    space = services.space_create(actor=users["secretariat"], kind=SpaceKind.PRIVATE, name="Consultation")
    services.space_member_add(actor=users["secretariat"], space=space, user=users["member"])
    thread = services.thread_create(actor=users["member"], space=space, title="Private", body="Between us")
    client = personas["member"]
    assert client.get(f"/en/forum/t/{thread.pk}/").status_code == 200
    assert client.get(f"/en/forum/t/{thread.pk}/").status_code == 200  # the readable spaces are kept now
    services.space_member_remove(actor=users["secretariat"], space=space, user=users["member"])
    assert client.get(f"/en/forum/t/{thread.pk}/").status_code == 404


def _reply_section(client, url) -> str:
    body = text(client.get(url))
    section = body[body.index('<section id="reply"') :]
    return section[: section.index("</section>")]


def test_the_kept_audience_leaves_out_the_writer(personas, users, thread):
    services.thread_subscription_set(actor=users["member_other"], thread=thread, level="watching")
    url = f"/en/forum/t/{thread.pk}/"
    watcher, author = users["member_other"].display_name, users["coordinator_other"].display_name
    seen_by_coordinator = _reply_section(personas["coordinator"], url)  # kept from here on
    assert watcher in seen_by_coordinator and author in seen_by_coordinator
    seen_by_watcher = _reply_section(personas["member_other"], url)
    assert author in seen_by_watcher and watcher not in seen_by_watcher


def test_a_kept_thread_follows_locking_and_moving_at_once(personas, users, thread):
    url = f"/en/forum/t/{thread.pk}/"
    reader = personas["member_other"]
    assert 'id="reply"' in text(reader.get(url))
    moderation.thread_lock(actor=users["moderator"], thread=thread)
    assert "A moderator has locked this thread" in text(reader.get(url))
    elsewhere = services.space_create(actor=users["secretariat"], kind=SpaceKind.THEMATIC, name="Elsewhere")
    permissions.forget(users["secretariat"])  # a new request: their spaces now include the new one
    moderation.thread_move(actor=users["secretariat"], thread=thread, to_space=elsewhere)
    assert reader.get(url).status_code == 404  # a thematic space the reader did not join: not from the kept thread
    assert f'href="/en/forum/s/{elsewhere.slug}/">Elsewhere</a>' in text(personas["secretariat"].get(url))


def test_an_unknown_thread_is_404_and_stays_so_until_it_exists(personas):
    assert personas["member"].get("/en/forum/t/999999/").status_code == 404
    assert personas["member"].get("/en/forum/t/999999/").status_code == 404
