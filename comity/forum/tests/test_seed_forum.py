"""seed_forum: a synthetic forum for benchmarks. Exact totals, top-ups that add only the difference, the same data
for the same seed however it was grown, skewed thread lengths with one long thread, the seven languages, read
markers that point into their threads; refused in production and without the demo data."""

import statistics
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from comity.demo.services import demo_seed
from comity.forum import markdown, permissions
from comity.forum.demo_scale import Fields
from comity.forum.demo_scale.texts import BODIES, RARE_BODY
from comity.forum.models import Post, PostRevision, ReadMarker, Thread
from comity.reference.services import reference_load
from comity.testing.demo import without_higher_demo

pytestmark = pytest.mark.django_db

DEMO_POSTS = 30
SMALL = ["--threads", "12", "--long-thread", "40", "--comparison-thread", "6"]
SEVEN = {"en", "fr", "es", "pt", "ru", "ar", "zh-hans"}


@pytest.fixture
def demo(db, monkeypatch):
    without_higher_demo(monkeypatch)  # DEMO_POSTS counts the forum's own demo posts
    reference_load()
    demo_seed()


def seed(posts: int, *options: str) -> str:
    out = StringIO()
    call_command("seed_forum", "--posts", str(posts), *(options or SMALL), stdout=out)
    return out.getvalue()


def synthetic_threads():
    return Thread.objects.filter(title__contains=" (synthetic ")


def synthetic_posts():
    return Post.objects.filter(thread__in=synthetic_threads())


def place_of(post_id: int, thread_id: int) -> int:
    ids = list(Post.objects.filter(thread_id=thread_id).order_by("created_at", "pk").values_list("pk", flat=True))
    return ids.index(post_id) + 1


def snapshot() -> tuple[list, list]:
    posts = list(
        synthetic_posts()
        .order_by("created_at", "pk")
        .values_list(
            "thread__title", "thread__space__slug", "author__email", "language", "body", "created_at", "is_hidden"
        )
    )
    markers = sorted(
        (user_email, title, place_of(post_id, thread_id))
        for user_email, title, post_id, thread_id in ReadMarker.objects.filter(
            thread__in=synthetic_threads()
        ).values_list("user__email", "thread__title", "last_read_post_id", "thread_id")
    )
    return posts, markers


def assert_threads_consistent() -> None:
    fields = Fields.detect()
    for thread in synthetic_threads():
        posts = list(thread.posts.order_by("created_at", "pk"))
        assert thread.post_count == len(posts)
        assert (thread.last_post_id_cache, thread.last_post_at) == (posts[-1].pk, posts[-1].created_at)
        assert thread.created_at == posts[0].created_at
        if fields.post_number:
            assert [post.number for post in posts] == list(range(1, len(posts) + 1))
        for name in fields.thread_numbers:
            assert getattr(thread, name) == len(posts)


def test_tops_up_to_the_exact_total_adding_only_the_difference(demo):
    out = seed(150)
    assert "120 posts and 12 threads created" in out
    assert Post.objects.count() == 150
    assert synthetic_threads().count() == 12
    assert_threads_consistent()
    before = set(Post.objects.values_list("pk", flat=True))

    assert "50 posts and 0 threads created (120 synthetic posts existed" in seed(200)
    assert Post.objects.count() == 200
    assert before < set(Post.objects.values_list("pk", flat=True))
    assert_threads_consistent()

    assert "0 posts and 0 threads created" in seed(200)
    assert "0 posts and 0 threads created" in seed(100)  # never deletes
    assert Post.objects.count() == 200


def test_same_seed_gives_the_same_data_however_it_was_grown(demo):
    seed(150)
    seed(260)
    grown = snapshot()
    synthetic_threads().delete()

    seed(260)
    assert snapshot() == grown
    assert len(grown[0]) == 230
    synthetic_threads().delete()

    seed(260, *SMALL, "--seed", "7")
    assert snapshot() != grown
    assert Post.objects.count() == 260


def test_thread_lengths_are_skewed_with_one_long_thread(demo):
    seed(596, "--threads", "40", "--long-thread", "120", "--comparison-thread", "8")
    lengths = dict(synthetic_threads().values_list("title", "post_count"))
    long_title = "Practitioners' exchange: executing requests for bank records (synthetic 0)"
    comparison_title = "Videoconference hearings: practical arrangements (synthetic 1)"
    long, comparison = lengths.pop(long_title), lengths.pop(comparison_title)
    assert (long, comparison, len(lengths), sum(lengths.values())) == (120, 8, 38, 596 - DEMO_POSTS - 128)
    others = sorted(lengths.values())
    assert max(others) < long
    assert max(others) >= 4 * statistics.median(others)  # log-normal: a long tail, not an even spread
    spaces = synthetic_threads().filter(title__in=[long_title, comparison_title]).values_list("space__slug", flat=True)
    assert list(spaces) == ["plenary", "plenary"]


def test_posts_in_the_seven_languages_rendered_like_real_posts(demo):
    seed(1100)
    assert set(synthetic_posts().values_list("language", flat=True)) == SEVEN
    known = {body for bodies in BODIES.values() for body in bodies} | {RARE_BODY}
    rows = set(synthetic_posts().values_list("body", "body_html", "search_text"))
    assert {body for body, _html, _text in rows} <= known
    for body, body_html, search_text in rows:
        assert (body_html, search_text) == (markdown.render(body), markdown.plain_text(body))
    assert synthetic_posts().filter(search_text__contains="kittiwake").count() == 1  # the rare word
    edited = synthetic_posts().exclude(edited_at=None)
    assert PostRevision.objects.filter(post__in=edited).count() == edited.count() == 11  # one post in 100
    if Fields.detect().post_revision_count:
        assert sorted(set(synthetic_posts().values_list("revision_count", flat=True))) == [0, 1]


def test_read_markers_point_into_threads_the_user_can_read(demo):
    seed(300)
    markers = list(ReadMarker.objects.filter(thread__in=synthetic_threads()).select_related("user", "thread"))
    readable_pairs = 0
    for marker in markers:
        post = Post.objects.get(pk=marker.last_read_post_id)
        assert post.thread_id == marker.thread_id
        assert permissions.spaces_visible_to(marker.user).filter(pk=marker.thread.space_id).exists()
        for name in Fields.detect().marker_numbers:
            assert getattr(marker, name) == place_of(post.pk, post.thread_id)
    for user in {marker.user for marker in markers}:
        readable_pairs += synthetic_threads().filter(space__in=permissions.spaces_visible_to(user)).count()
    assert 0.15 < len(markers) / readable_pairs < 0.45  # about 30 % of the threads each user can read


def test_needs_the_demo_data(db):
    reference_load()
    with pytest.raises(CommandError, match="run `manage.py seed_demo` first"):
        seed(100)
    assert Post.objects.count() == 0


@override_settings(COMITY_ENVIRONMENT="production")
def test_refused_in_production(demo):
    with pytest.raises(CommandError, match="refused under production"):
        seed(200)
    assert Post.objects.count() == DEMO_POSTS
