"""Forum search: every script, only readable spaces (no hit, no count from a hidden one), filters, snippets."""

import datetime as dt

import pytest

from comity.audit.models import AuditEvent
from comity.core.search.limits import estimate_queries
from comity.forum import moderation, search, services
from comity.forum.models import TLP, Post
from comity.forum.tests.pages import page_of
from comity.forum.tests.test_moderation import forum_world
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

URL = "/en/forum/search/"


@pytest.fixture
def world(users):
    world = forum_world(users)
    world.arabic = services.thread_create(
        actor=users["member"],
        space=world.plenary,
        title="طلب مساعدة",
        language="ar",
        body="نطلب المساعدة القانونية المتبادلة بشأن السجلات المصرفية للمشتبه به.",
    )
    world.chinese = services.thread_create(
        actor=users["member_other"],
        space=world.plenary,
        title="司法协助请求",
        language="zh-hans",
        body="关于银行记录的司法协助请求，请尽快答复。",
    )
    world.russian = services.thread_create(
        actor=users["coordinator"],
        space=world.second,
        title="Выдача подозреваемого",
        language="ru",
        tlp=TLP.AMBER,
        body="Запрос о ВЗАИМНОЙ правовой помощи по делу о мошенничестве.",
    )
    world.russian_reply = services.post_create(
        actor=users["member_other"], thread=world.russian, language="ru", body="Мы ответим на следующей неделе."
    )
    return world


def found(user, text, **filters):
    return list(
        search.post_search(user=user, terms=search.terms_of(text), filters=search.SearchFilters(**filters)).values_list(
            "pk", flat=True
        )
    )


def test_terms_are_casefolded_distinct_and_bounded():
    assert search.terms_of("  Выдача  ВЫДАЧА straße  ") == ["выдача", "strasse"]
    assert search.terms_of(" ".join(f"w{n}" for n in range(15))) == [f"w{n}" for n in range(10)]
    assert search.terms_of("") == []


def test_search_in_arabic_chinese_and_russian(users, world):
    member = users["member"]
    assert found(member, "المصرفية") == [world.arabic.posts.get().pk]
    assert found(member, "银行记录") == [world.chinese.posts.get().pk]
    assert found(member, "взаимной") == [world.russian.posts.order_by("pk").first().pk]
    assert found(member, "ВЗАИМНОЙ правовой") == [world.russian.posts.order_by("pk").first().pk]


def test_title_matches_only_the_opening_post(users, world):
    opening = world.russian.posts.order_by("pk").first()
    # "выдача" is only in the title: the opening post is the hit, not every reply of the thread.
    assert found(users["member"], "ВЫДАЧА") == [opening.pk]
    assert found(users["member"], "выдача неделе") == []  # terms split between a reply and the title
    assert found(users["member"], "extradition bank") == [world.opening.pk]  # title + opening post's text
    assert found(users["member"], "司法协助") == [world.chinese.posts.get().pk]  # title and text


def test_private_consultation_hits_never_reach_other_countries(personas, users, world):
    assert found(users["member"], "secret draft") == [world.secret_post.pk]
    assert found(users["coordinator"], "secret") == [world.secret_post.pk]
    for name in ("member_other", "coordinator_other", "secretariat", "moderator"):
        assert found(users[name], "secret draft") == [], name
        assert found(users[name], "indonesia") == [], name  # its title either
    body = page_of(personas["member_other"], URL, q="secret")
    assert "0 results" in body and "Secret draft" not in body and "BR draft request" not in body
    response = personas["member_other"].get(URL, {"q": "secret", "space": "br-draft"})
    assert response.status_code == 400
    assert "Unknown space." in response.content.decode()
    assert "Unknown space." in personas["member_other"].get(URL, {"q": "x", "space": "nope"}).content.decode()


def test_hidden_posts_are_left_out(users, world):
    moderation.post_hide(actor=users["secretariat"], post=world.reply, reason="x")
    assert found(users["member"], "court") == []
    assert found(users["secretariat"], "court") == []


def test_filters(users, world):
    member = users["member"]
    assert found(member, "", space_id=world.second.pk) == [
        world.russian_reply.pk,
        world.russian.posts.order_by("pk").first().pk,
    ]
    assert found(member, "", country="ID", tlp=TLP.AMBER) == [world.russian_reply.pk]
    assert found(member, "", author=str(users["member_other"].pk), space_id=world.plenary.pk) == [
        world.chinese.posts.get().pk,
        world.reply.pk,
    ]
    assert found(member, "court", author="dewi") == [world.reply.pk]
    assert found(member, "court", author="member.id@") == [world.reply.pk]
    Post.objects.filter(pk=world.reply.pk).update(created_at=dt.datetime(2025, 1, 10, 12, tzinfo=dt.UTC))
    assert found(member, "court", date_from=dt.date(2025, 1, 10), date_to=dt.date(2025, 1, 10)) == [world.reply.pk]
    assert found(member, "court", date_from=dt.date(2025, 1, 11)) == []
    assert found(member, "court", date_to=dt.date(2025, 1, 9)) == []


def test_snippets_escape_html_and_mark_terms(personas, users, world):
    services.post_create(
        actor=users["member"], thread=world.thread, body="<script>alert(1)</script> Our **bank** records & more"
    )
    body = page_of(personas["member"], URL, q="BANK")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Our <mark>bank</mark> records &amp; more" in body
    assert "<script>alert" not in body
    assert "<mark>Bank</mark> records in extradition cases" in body
    long_text = ("word " * 100) + "needle " + ("tail " * 100)
    snippet = search.snippet(" ".join(long_text.split()), ["needle"])
    assert snippet.startswith("… ") and snippet.endswith(" …") and "<mark>needle</mark>" in snippet
    assert len(str(snippet)) < 300


def test_search_page_matrix(personas, world):
    check_matrix(
        personas,
        "get",
        URL + "?q=bank",
        {
            "anonymous": 302,
            "member": 200,
            "member_other": 200,
            "coordinator": 200,
            "coordinator_other": 200,
            "secretariat": 200,
        },
    )
    assert personas["member"].post(URL, {"q": "bank"}).status_code == 405


def test_search_page_shows_marks_and_results(personas, world):
    response = personas["member"].get(URL, {"q": "Выдача"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 result" in body
    assert "TLP:AMBER" in body
    assert "<mark>Выдача</mark> подозреваемого" in body
    assert personas["member"].get(URL).content.decode().count('class="card"') == 0  # no criteria: no search


@pytest.mark.parametrize(
    ("params", "field_message"),
    [
        ({"q": "x", "space": "nope"}, "Unknown space."),
        ({"q": "x", "country": "ZZ"}, "Unknown country."),
        ({"q": "x", "tlp": "purple"}, "Unknown handling mark."),
        ({"q": "x", "date_from": "2025-02-01", "date_to": "2025-01-01"}, "The end date is before the start date."),
        ({"q": "x", "date_from": "yesterday"}, "Enter a valid date."),
    ],
)
def test_search_page_rejected_inputs(personas, world, params, field_message):
    before = AuditEvent.objects.count()
    response = personas["member"].get(URL, params)
    assert response.status_code == 400
    body = response.content.decode()
    assert field_message in body
    assert 'value="x"' in body  # the query typed is kept
    assert AuditEvent.objects.count() == before


def test_search_page_query_count_is_constant(personas, users, world, django_assert_num_queries, nothing_kept):
    client = personas["member"]
    client.get(URL, {"q": "records"})
    services.post_create(actor=users["member"], thread=world.thread, body="bank records one")
    # The session is not saved again: nothing in it changed (on PostgreSQL, the planner's estimate is one more).
    with django_assert_num_queries(10 + estimate_queries()) as few:
        client.get(URL, {"q": "records"})
    for index in range(25):
        services.post_create(actor=users["member_other"], thread=world.thread, body=f"records number {index}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"q": "records"})
    assert "27 results" in response.content.decode()
    assert "Page 1 of 2" in response.content.decode()
