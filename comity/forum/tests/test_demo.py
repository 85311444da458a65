"""The demo forum: spaces of every kind, threads in the seven UI languages, an open question from Brazil to
Indonesia, a private consultation between them; idempotent, and refused in production."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from comity.accounts.models import User
from comity.demo.services import demo_seed
from comity.forum import permissions
from comity.forum.demo import THREADS, forum_demo_seed
from comity.forum.models import Post, ReadMarker, Space, SpaceAuthority, SpaceKind, Thread
from comity.forum.tests.pages import page_of
from comity.reference.services import reference_load
from comity.testing.demo import without_higher_demo

pytestmark = pytest.mark.django_db

DEMO = "@demo.comity.test"


@pytest.fixture
def demo(db, monkeypatch):
    without_higher_demo(monkeypatch)  # the forum's own demo: no event threads, no joint team's space
    reference_load()
    demo_seed()


def user(local: str) -> User:
    user = User.objects.get(email=local + DEMO)
    user.__dict__.pop("_forum_space_ids", None)
    return user


def readable(local: str) -> set[str]:
    return set(permissions.spaces_visible_to(user(local)).values_list("slug", flat=True))


def test_forum_demo_creates_spaces_threads_and_is_idempotent(demo):
    # seed_demo already ran forum_demo_seed (fixture); running it again creates nothing.
    result = forum_demo_seed()
    assert (result.spaces, result.spaces_created, result.threads_created, result.skipped) == (10, 0, 0, [])
    assert result.posts_created == 0
    assert Post.objects.count() == 14 + sum(len(spec[6]) for spec in THREADS) == 30
    assert dict(Space.objects.values_list("slug", "kind")) == {
        "plenary": "plenary",
        "latin-america-caribbean": "regional",
        "south-eastern-asia": "regional",
        "iberred": "network",
        "extradition": "thematic",
        "mutual-legal-assistance": "thematic",
        "asset-recovery": "thematic",
        "cybercrime-e-evidence": "thematic",
        "trafficking": "thematic",
        "br-id-draft-request-bank-records": "private",
    }
    assert set(Post.objects.values_list("language", flat=True)) == {"en", "fr", "es", "pt", "ar", "zh-hans", "ru"}
    assert Space.objects.get(slug="latin-america-caribbean").names["es"] == "América Latina y el Caribe"
    for thread in Thread.objects.all():
        assert thread.post_count == thread.posts.count()
        assert thread.last_post_id_cache == thread.posts.order_by("-created_at").first().pk
        numbers = list(thread.posts.order_by("created_at", "pk").values_list("number", flat=True))
        assert (numbers, thread.last_post_number) == (list(range(1, thread.post_count + 1)), thread.post_count)
    markers = ReadMarker.objects.values_list("last_read_post_id", "last_read_number")
    assert {number for post_id, number in markers if Post.objects.get(pk=post_id).number != number} == set()
    assert sorted({number for _post_id, number in markers}) == [1, 2, 3]
    again = forum_demo_seed()
    assert (again.spaces, again.spaces_created, again.threads_created, again.posts_created) == (10, 0, 0, 0)
    assert Thread.objects.count() == 14


def test_demo_question_from_brazil_to_indonesia_is_open(demo):
    forum_demo_seed()
    question = Thread.objects.get(kind=Thread.Kind.QUESTION)
    assert (question.author.email, question.status, question.space.slug, question.post_count) == (
        "member.br" + DEMO,
        "open",
        "plenary",
        1,
    )
    assert list(question.addressed_countries.values_list("iso2", flat=True)) == ["ID"]


def test_demo_private_consultation_is_read_only_by_brazil_and_indonesia(demo):
    forum_demo_seed()
    space = Space.objects.get(kind=SpaceKind.PRIVATE)
    thread = space.threads.get()
    assert (thread.tlp, space.default_tlp, thread.post_count) == ("amber", "amber", 3)
    assert list(SpaceAuthority.objects.filter(space=space).values_list("authority__country__iso2", flat=True)) == ["ID"]
    for local in ("member.br", "member.id", "coordinator.id"):  # coordinator.id through the invited authority
        assert space.slug in readable(local), local
    for local in ("coordinator.br", "member.fr", "admin", "moderator", "liaison.iberred", "observer"):
        assert space.slug not in readable(local), local


def test_demo_spaces_follow_their_rules(demo):
    forum_demo_seed()
    assert readable("member.br") >= {"plenary", "latin-america-caribbean", "iberred", "mutual-legal-assistance"}
    assert "south-eastern-asia" not in readable("member.br")
    assert {"plenary", "south-eastern-asia"} <= readable("member.id")
    assert not {"latin-america-caribbean", "iberred"} & readable("member.id")
    assert "iberred" in readable("liaison.iberred")
    assert readable("admin") == {slug for slug in Space.objects.values_list("slug", flat=True)} - {
        "br-id-draft-request-bank-records"
    }


def test_demo_forum_pages_render_for_the_demo_users(demo, client):
    from comity.testing import sign_in

    forum_demo_seed()
    brazil = sign_in(client, user("member.br"))
    page = page_of(brazil, "/pt/forum/")
    assert "Plenário" in page and "América Latina y el Caribe" not in page
    for thread in Thread.objects.filter(space__slug__in=["plenary", "br-id-draft-request-bank-records"]):
        assert brazil.get(f"/pt/forum/t/{thread.pk}/").status_code == 200
    arabic = Thread.objects.get(posts__language="ar")
    body = brazil.get(f"/ar/forum/t/{arabic.pk}/").content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert '<div class="post-body" lang="ar" dir="auto"><p>الزملاء الأعزاء،</p>' in body


def test_forum_demo_skips_gracefully_without_demo_users(db):
    result = forum_demo_seed()
    assert (result.spaces_created, result.threads_created, result.skipped) == (
        0,
        0,
        ["the demo users are missing: run seed_demo"],
    )
    assert Space.objects.count() == 0


@pytest.fixture
def demo_without_forum(db, monkeypatch):
    """Users and directory only: the forum (and its attachment) are seeded by the test itself."""
    import comity.files.demo
    import comity.forum.demo

    monkeypatch.setattr(comity.forum.demo, "forum_demo_seed", lambda: comity.forum.demo.ForumDemoResult())
    monkeypatch.setattr(comity.files.demo, "files_demo_seed", lambda: {"attachments": 0, "skipped": "test"})
    without_higher_demo(monkeypatch)
    reference_load()
    demo_seed()


def test_forum_demo_skips_threads_of_missing_users(demo_without_forum):
    User.objects.filter(email="member.id" + DEMO).update(is_active=False)
    result = forum_demo_seed()
    assert "private consultation: the Brazilian or Indonesian demo member is missing" in result.skipped
    assert not Space.objects.filter(kind=SpaceKind.PRIVATE).exists()
    assert (
        "thread 'Service of judicial documents: typical timelines': demo users ['member.id'] are missing"
        in result.skipped
    )


@override_settings(COMITY_ENVIRONMENT="production")
def test_forum_demo_is_refused_in_production(db):
    with pytest.raises(ImproperlyConfigured):
        forum_demo_seed()
    assert Space.objects.count() == 0
