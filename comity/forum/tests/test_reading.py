"""Reading state: unread counts per space and thread, jump to the first unread post, marking read, new posts
without a reload (htmx), and query counts that do not grow with spaces or posts."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comity.directory.tests.factories import AuthorityFactory
from comity.forum import selectors, services
from comity.forum.models import TLP, Post, PostRevision, ReadMarker, SpaceKind, SpaceMember, Thread
from comity.forum.tests.pages import page_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def plenary(users):
    return services.space_create(actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Plenary")


def text(response) -> str:
    return response.content.decode()


def add_posts(thread: Thread, count: int, *, authors, start: dt.datetime | None = None) -> list[Post]:
    """Many posts at once (as if written over time), numbered after the thread's last post, keeping the thread's
    counters right."""
    start = start or timezone.now()
    thread.refresh_from_db()
    rows = [
        Post(
            thread=thread,
            number=thread.last_post_number + i + 1,
            author=authors[i % len(authors)],
            body=f"Post {i}",
            body_html=f"<p>Post {i}</p>",
            language="en",
            created_at=start + dt.timedelta(seconds=i + 1),
        )
        for i in range(count)
    ]
    Post.objects.bulk_create(rows, batch_size=500)
    last = Post.objects.filter(thread=thread).order_by("-number").first()
    Thread.objects.filter(pk=thread.pk).update(
        post_count=Post.objects.filter(thread=thread).count(),
        last_post_number=last.number,
        last_post_id_cache=last.pk,
        last_post_at=last.created_at,
    )
    thread.refresh_from_db()
    return list(Post.objects.filter(thread=thread).order_by("number"))


def unread_cells(page: str) -> dict[str, str]:
    return dict(re.findall(r'<a href="/en/forum/s/([\w-]+)/">[^<]+</a>.*?<td>\d+</td>\s*<td>(.*?)</td>', page, re.S))


# --- unread counts ---------------------------------------------------------------------------------------------


def test_unread_counts_per_space_and_thread_follow_the_read_marker(personas, users, plenary):
    member, other = users["member"], users["member_other"]
    first = services.thread_create(actor=other, space=plenary, title="First", body="a")
    second = services.thread_create(actor=other, space=plenary, title="Second", body="b")
    services.post_create(actor=other, thread=second, body="c", language="en")
    mine = services.thread_create(actor=member, space=plenary, title="Mine", body="d")  # the author has read it
    client = personas["member"]
    assert unread_cells(text(client.get("/en/forum/"))) == {"plenary": "<strong>2 threads with new posts</strong>"}
    page = page_of(client, f"/en/forum/s/{plenary.slug}/")
    assert f'<a href="/en/forum/t/{second.pk}/unread/">2 new posts</a>' in page
    assert f'<a href="/en/forum/t/{first.pk}/unread/">1 new post</a>' in page
    assert f"/en/forum/t/{mine.pk}/unread/" not in page
    client.get(f"/en/forum/t/{second.pk}/")
    assert unread_cells(text(client.get("/en/forum/"))) == {"plenary": "<strong>1 thread with new posts</strong>"}
    services.post_create(actor=other, thread=mine, body="A reply to you", language="en")
    assert selectors.unread_threads_by_space(user=member, space_ids=[plenary.pk]) == {plenary.pk: 2}
    client.get(f"/en/forum/t/{first.pk}/")
    client.get(f"/en/forum/t/{mine.pk}/")
    assert unread_cells(text(client.get("/en/forum/"))) == {"plenary": "All read"}


# --- jump to the first unread post, marking read page by page ----------------------------------------------------


def test_jump_to_first_unread_finds_its_page_and_anchor(personas, users, plenary):
    thread = services.thread_create(actor=users["member_other"], space=plenary, title="Long", body="Opening")
    posts = add_posts(thread, 119, authors=[users["member_other"], users["coordinator_other"]])
    assert len(posts) == 120
    services.mark_read(user=users["member"], thread=thread, up_to_post_id=posts[59].pk)
    client = personas["member"]
    response = client.get(f"/en/forum/t/{thread.pk}/unread/")
    assert response.status_code == 302
    assert response["Location"] == f"/en/forum/t/{thread.pk}/?page=2#post-{posts[60].pk}"
    page = text(client.get(f"/en/forum/t/{thread.pk}/"))  # page 1 is already read: nothing moves back
    assert (
        f'<a class="button button-secondary" href="/en/forum/t/{thread.pk}/?page=2#post-{posts[60].pk}">'
        "Jump to the first unread post</a>"
    ) in page
    assert ReadMarker.objects.get(user=users["member"], thread=thread).last_read_post_id == posts[59].pk
    page = text(client.get(f"/en/forum/t/{thread.pk}/?page=2"))
    assert f'<a class="button button-secondary" href="#post-{posts[60].pk}">Jump to the first unread post</a>' in page
    assert page.count('<span class="tag">New</span>') == 40  # posts 61 to 100
    assert ReadMarker.objects.get(user=users["member"], thread=thread).last_read_post_id == posts[99].pk
    response = client.get(f"/en/forum/t/{thread.pk}/unread/")
    assert response["Location"] == f"/en/forum/t/{thread.pk}/?page=3#post-{posts[100].pk}"
    client.get(f"/en/forum/t/{thread.pk}/?page=3")
    last_page = page_of(client, f"/en/forum/t/{thread.pk}/", page=3)
    assert "Page 3 of 3" in last_page and f'id="post-{posts[119].pk}"' in last_page
    assert "Jump to the first unread post" not in last_page
    # Everything read: the link goes to the last post.
    response = client.get(f"/en/forum/t/{thread.pk}/unread/")
    assert response["Location"] == f"/en/forum/t/{thread.pk}/?page=3#post-{posts[119].pk}"


def test_thread_pages_hold_fifty_posts_and_number_them(personas, users, plenary):
    thread = services.thread_create(actor=users["member_other"], space=plenary, title="Long", body="Opening")
    posts = add_posts(thread, 59, authors=[users["member_other"]])
    first = page_of(personas["member"], f"/en/forum/t/{thread.pk}/")
    assert first.count('<article class="card post"') == 50
    assert "Page 1 of 2" in first
    assert 'id="new-posts-poller"' not in first  # only the last page asks for new posts
    second = text(personas["member"].get(f"/en/forum/t/{thread.pk}/?page=2"))
    assert second.count('<article class="card post"') == 10
    assert 'aria-label="Link to post 51">#51</a>' in second
    assert f'id="post-{posts[50].pk}"' in second
    response = personas["member"].get(f"/en/forum/p/{posts[55].pk}/")
    assert response["Location"] == f"/en/forum/t/{thread.pk}/?page=2#post-{posts[55].pk}"


# --- new posts without a reload -----------------------------------------------------------------------------


def test_last_page_polls_for_new_posts_with_htmx_and_offers_a_link_without_js(personas, users, plenary):
    thread = services.thread_create(actor=users["member_other"], space=plenary, title="Live", body="Opening")
    opening = thread.posts.get()
    page = text(personas["member"].get(f"/en/forum/t/{thread.pk}/"))
    assert (
        f'<div id="new-posts-poller" data-hx-get="/en/forum/t/{thread.pk}/new-posts/?after={opening.pk}" '
        'data-hx-trigger="every 15s" data-hx-headers=\'{"X-Comity-Background": "1"}\' data-hx-target="#posts" '
        'data-hx-swap="beforeend"></div>'
    ) in page
    assert f'<a href="/en/forum/t/{thread.pk}/unread/">Check for new posts</a>' in page
    assert "<script" not in page.split("</head>")[1]


def test_new_posts_endpoint_returns_later_posts_marks_them_read_and_moves_the_poller(personas, users, plenary):
    thread = services.thread_create(actor=users["member_other"], space=plenary, title="Live", body="Opening")
    opening = thread.posts.get()
    client = personas["member"]
    client.get(f"/en/forum/t/{thread.pk}/")
    url = f"/en/forum/t/{thread.pk}/new-posts/"
    response = client.get(url, {"after": opening.pk}, HTTP_HX_REQUEST="true")
    assert (response.status_code, response.content) == (204, b"")
    reply = services.post_create(actor=users["coordinator_other"], thread=thread, body="Just *arrived*", language="en")
    response = client.get(url, {"after": opening.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = text(response)
    assert fragment.count('<article class="card post"') == 1
    assert f'<article class="card post" id="post-{reply.pk}">' in fragment
    assert "<p>Just <em>arrived</em></p>" in fragment
    assert 'aria-label="Link to post 2">#2</a>' in fragment
    assert '<span class="tag">New</span>' in fragment
    assert f'href="{reverse("forum:post_flag", args=[reply.pk])}"' in fragment
    assert (
        f'<div id="new-posts-poller" data-hx-swap-oob="true" data-hx-get="/en/forum/t/{thread.pk}/new-posts/'
        f'?after={reply.pk}" data-hx-trigger="every 15s" data-hx-headers=\'{{"X-Comity-Background": "1"}}\' '
        'data-hx-target="#posts" data-hx-swap="beforeend"></div>'
    ) in fragment
    assert "<html" not in fragment
    assert ReadMarker.objects.get(user=users["member"], thread=thread).last_read_post_id == reply.pk
    assert client.get(url, {"after": reply.pk}).status_code == 204


def test_new_posts_endpoint_rejects_a_missing_or_malformed_position(personas, users, plenary):
    thread = services.thread_create(actor=users["member_other"], space=plenary, title="Live", body="Opening")
    for query in ({}, {"after": "abc"}):
        response = personas["member"].get(f"/en/forum/t/{thread.pk}/new-posts/", query)
        assert response.status_code == 400
        assert text(response) == "The address must say after which post to look, e.g. ?after=120."
    assert not ReadMarker.objects.filter(user=users["member"]).exists()


# --- query counts -------------------------------------------------------------------------------------------------


def _spaces(users, iberred, count: int, offset: int = 0):
    """A mix of every kind of space the member reads, each with a thread and a reply."""
    secretariat, member, other = users["secretariat"], users["member"], users["coordinator"]
    kinds = [SpaceKind.PLENARY, SpaceKind.NETWORK, SpaceKind.THEMATIC, SpaceKind.PRIVATE]
    for number in range(offset, offset + count):
        kind = kinds[number % len(kinds)]
        actor = member if kind == SpaceKind.PRIVATE else secretariat
        space = services.space_create(
            actor=actor,
            kind=kind,
            name=f"Space {number:02d}",
            network=iberred,
            invite_users=[other] if kind == SpaceKind.PRIVATE else (),
        )
        if kind == SpaceKind.THEMATIC:
            SpaceMember.objects.create(space=space, user=member)
            SpaceMember.objects.create(space=space, user=other)
        other.__dict__.pop("_forum_space_ids", None)
        thread = services.thread_create(actor=other, space=space, title=f"Thread {number}", body="x")
        services.post_create(actor=other, thread=thread, body="y", language="en")
    for number in range(3):
        services.space_create(actor=secretariat, kind=SpaceKind.THEMATIC, name=f"Joinable {offset + number}")


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_space_list_queries_do_not_grow_with_spaces(personas, users, iberred, django_assert_num_queries, nothing_kept):
    _spaces(users, iberred, 3)
    client = personas["member"]
    client.get("/en/forum/")  # warm caches shared by every page (session, user, device)
    few = count_queries(client, "/en/forum/")
    _spaces(users, iberred, 27, offset=3)
    with django_assert_num_queries(few):
        response = client.get("/en/forum/")
    page = text(response)
    assert len(re.findall(r'<th scope="row">\s*<a href="/en/forum/s/', page)) == 30
    assert page.count("<strong>1 thread with new posts</strong>") == 30
    assert page.count('/join/"') == 6


def _question_with_posts(users, plenary, indonesia, count: int) -> Thread:
    AuthorityFactory(country=indonesia, official_name="Central Authority of Indonesia")
    AuthorityFactory(country=indonesia, official_name="Police of Indonesia", competences=["cybercrime_24_7"])
    thread = services.thread_create(
        actor=users["member"],
        space=plenary,
        title="Long question",
        body="Opening",
        kind=Thread.Kind.QUESTION,
        addressed_countries=[indonesia],
        tlp=TLP.AMBER,
    )
    posts = add_posts(thread, count - 1, authors=[users["member_other"], users["coordinator_other"], users["member"]])
    for post in posts[1:4]:  # a few edited posts, one hidden
        PostRevision.objects.create(post=post, body="before", edited_by=post.author)
    Post.objects.filter(pk__in=[p.pk for p in posts[1:4]]).update(edited_at=timezone.now())
    Post.objects.filter(pk=posts[5].pk).update(is_hidden=True)
    return thread


def _thread_queries(client, user, thread, page: int) -> int:
    ReadMarker.objects.filter(user=user, thread=thread).delete()
    return count_queries(client, f"/en/forum/t/{thread.pk}/?page={page}")


def test_thread_page_queries_do_not_grow_with_posts(
    personas, users, plenary, indonesia, django_assert_num_queries, nothing_kept
):
    client = personas["member_other"]
    short = _question_with_posts(users, plenary, indonesia, 10)
    client.get(f"/en/forum/t/{short.pk}/")
    few = _thread_queries(client, users["member_other"], short, 1)
    long = _question_with_posts(users, plenary, indonesia, 1000)
    assert Post.objects.filter(thread=long).count() == 1000
    ReadMarker.objects.filter(user=users["member_other"], thread=long).delete()
    with django_assert_num_queries(few):
        response = client.get(f"/en/forum/t/{long.pk}/?page=1")
    assert text(response).count('<article class="card post"') == 50
    ReadMarker.objects.filter(user=users["member_other"], thread=long).delete()
    with django_assert_num_queries(few):
        response = client.get(f"/en/forum/t/{long.pk}/?page=20")
    page = text(response)
    assert page.count('<article class="card post"') == 50
    assert "Page 20 of 20" in page
    assert (
        ReadMarker.objects.get(user=users["member_other"], thread=long).last_read_post_id
        == Post.objects.filter(thread=long).latest("created_at").pk
    )


def test_space_page_queries_do_not_grow_with_threads(
    personas, users, plenary, indonesia, django_assert_num_queries, nothing_kept
):
    def threads(count):
        for number in range(count):
            thread = services.thread_create(
                actor=users["member_other"],
                space=plenary,
                title=f"T{number}",
                body="x",
                kind=Thread.Kind.QUESTION,
                addressed_countries=[indonesia],
            )
            services.post_create(actor=users["coordinator_other"], thread=thread, body="y", language="en")

    threads(2)
    client = personas["member"]
    client.get(f"/en/forum/s/{plenary.slug}/")
    few = count_queries(client, f"/en/forum/s/{plenary.slug}/")
    threads(30)
    with django_assert_num_queries(few):
        response = client.get(f"/en/forum/s/{plenary.slug}/")
    assert text(response).count(">2 new posts</a>") == 25


# --- long threads cost what short ones cost -----------------------------------------------------------------------


def _post_queries(queries) -> list[str]:
    """The queries that read posts (not those that join a post: a thread's accepted answer, a file's post)."""
    return [query["sql"] for query in queries if query["sql"].startswith('SELECT "forum_post".')]


def _shown(page: str) -> list[int]:
    return [int(number) for number in re.findall(r'aria-label="Link to post (\d+)">', page)]


def test_a_5000_post_thread_runs_the_queries_of_a_54_post_thread_on_every_page(
    personas, users, plenary, django_assert_num_queries, nothing_kept
):
    """First, middle and last pages: the same queries, one of them on posts (the page as a range of numbers; the
    first unread post comes with the reader's other facts, as a subquery on the same index), and none that counts
    posts or skips rows with OFFSET."""
    authors = [users["member_other"], users["coordinator_other"]]
    short = services.thread_create(actor=users["member_other"], space=plenary, title="Short", body="Opening")
    add_posts(short, 53, authors=authors)
    long = services.thread_create(actor=users["member_other"], space=plenary, title="Long", body="Opening")
    add_posts(long, 4999, authors=authors)
    reader, client = users["member"], personas["member"]

    def visit(thread, page, expected=None):
        """The page for a reader who has read up to #20: one with the first unread post to find."""
        ReadMarker.objects.update_or_create(user=reader, thread=thread, defaults={"last_read_number": 20})
        with django_assert_num_queries(expected) if expected else CaptureQueriesContext(connection) as queries:
            response = client.get(f"/en/forum/t/{thread.pk}/?page={page}")
        assert response.status_code == 200
        return text(response), queries.captured_queries

    client.get(f"/en/forum/t/{short.pk}/")  # warm caches shared by every page (session, user, device)
    page, queries = visit(short, 1)
    few = len(queries)
    assert len(_post_queries(queries)) == 1
    facts = [query["sql"] for query in queries if re.search(r"number > \(?COALESCE\(", query["sql"])]
    assert len(facts) == 1  # the first unread post, found with the reader's other facts in one query
    assert (_shown(page), "Page 1 of 2" in page) == (list(range(1, 51)), True)
    page, queries = visit(short, 2, few)
    assert _shown(page) == list(range(51, 55))
    for number, shown in ((1, range(1, 51)), (50, range(2451, 2501)), (100, range(4951, 5001))):
        page, queries = visit(long, number, few)
        assert _shown(page) == list(shown)
        assert f"Page {number} of 100" in page
        assert len(_post_queries(queries)) == 1
        assert [sql for sql in (q["sql"] for q in queries) if "OFFSET" in sql or "COUNT(" in sql] == []
    assert ReadMarker.objects.get(user=reader, thread=long).last_read_number == 5000
    assert 'id="new-posts-poller"' in page


def test_unread_counts_of_long_threads_come_from_counters_not_from_counting_posts(personas, users, plenary):
    long = services.thread_create(actor=users["member_other"], space=plenary, title="Long", body="Opening")
    add_posts(long, 4999, authors=[users["member_other"]])
    short = services.thread_create(actor=users["member_other"], space=plenary, title="Short", body="Opening")
    add_posts(short, 53, authors=[users["member_other"]])
    services.mark_read(user=users["member"], thread=long, up_to_post_id=long.posts.get(number=4000).pk)
    with CaptureQueriesContext(connection) as queries:
        page = text(personas["member"].get(f"/en/forum/s/{plenary.slug}/"))
    assert f'<a href="/en/forum/t/{long.pk}/unread/">1000 new posts</a>' in page
    assert f'<a href="/en/forum/t/{short.pk}/unread/">54 new posts</a>' in page
    assert [query for query in queries.captured_queries if '"forum_post"' in query["sql"]] == []
    with CaptureQueriesContext(connection) as queries:
        assert unread_cells(text(personas["member"].get("/en/forum/"))) == {
            "plenary": "<strong>2 threads with new posts</strong>"
        }
    assert [query for query in queries.captured_queries if '"forum_post"' in query["sql"]] == []
    response = personas["member"].get(f"/en/forum/t/{long.pk}/unread/")
    assert response["Location"] == f"/en/forum/t/{long.pk}/?page=81#post-{long.posts.get(number=4001).pk}"


def test_new_posts_of_a_long_thread_come_from_the_index_with_their_numbers(personas, users, plenary):
    thread = services.thread_create(actor=users["member_other"], space=plenary, title="Long", body="Opening")
    posts = add_posts(thread, 4999, authors=[users["member_other"]])
    client = personas["member"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/en/forum/t/{thread.pk}/new-posts/", {"after": posts[4996].pk}, HTTP_HX_REQUEST="true")
    assert _shown(text(response)) == [4998, 4999, 5000]
    assert [sql for sql in (q["sql"] for q in queries.captured_queries) if "OFFSET" in sql or "COUNT(" in sql] == []
    assert ReadMarker.objects.get(user=users["member"], thread=thread).last_read_number == 5000
