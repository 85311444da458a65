"""Forum API: spaces, threads, posts and search with the pages' permissions; writes through the services.

A private consultation, its threads, its posts and its search hits answer 404 (or are simply absent) for a member
of another country; after each denied or rejected write nothing was created and no audit event was written.
"""

import pytest
from django.test import Client

from comity.accounts.services import api_token_create
from comity.audit.models import AuditAction, AuditEvent
from comity.core.search.limits import estimate_queries
from comity.forum import moderation, services
from comity.forum.models import TLP, Post, Thread
from comity.forum.tests.test_moderation import forum_world
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

READERS = {
    "anonymous": 401,
    "member": 200,
    "member_other": 200,
    "coordinator": 200,
    "coordinator_other": 200,
    "secretariat": 200,
}
PRIVATE = {
    "anonymous": 401,
    "member": 200,
    "member_other": 404,
    "coordinator": 200,
    "coordinator_other": 404,
    "secretariat": 404,
}


def token_client(user, scope: str = "read") -> Client:
    _token, raw = api_token_create(user=user, name="forum api test", scope=scope)
    return Client(headers={"authorization": f"Bearer {raw}"})


@pytest.fixture
def world(users):
    return forum_world(users)


@pytest.fixture
def writer(users):
    return token_client(users["member"], scope="write")


def snapshot():
    return (Thread.objects.count(), Post.objects.count(), AuditEvent.objects.count())


# --- spaces ------------------------------------------------------------------------------------------------------


def test_space_list_and_detail(personas, world):
    check_matrix(personas, "get", "/api/v1/spaces/", READERS)
    body = personas["member"].get("/api/v1/spaces/").json()
    assert [space["slug"] for space in body["results"]] == ["plenary", "second", "br-draft"]
    assert [space["slug"] for space in personas["member_other"].get("/api/v1/spaces/").json()["results"]] == [
        "plenary",
        "second",
    ]
    detail = personas["member"].get("/api/v1/spaces/plenary/").json()
    assert detail == {
        "slug": "plenary",
        "kind": "plenary",
        "name": "Plenary",
        "names": {},
        "description": "",
        "region_m49": "",
        "network": None,
        "default_tlp": "green",
        "retention_months": None,
        "is_archived": False,
        "created_at": detail["created_at"],
    }
    check_matrix(personas, "get", "/api/v1/spaces/br-draft/", PRIVATE)
    assert personas["member"].get("/api/v1/spaces/nope/").json() == {
        "error": {"status": 404, "code": "not_found", "message": "Not found."}
    }


def test_space_list_query_count_is_constant(users, world, django_assert_num_queries, nothing_kept):
    client = token_client(users["member"])
    client.get("/api/v1/spaces/")
    with django_assert_num_queries(5) as few:
        client.get("/api/v1/spaces/")
    for index in range(10):
        services.space_create(actor=users["secretariat"], kind="plenary", name=f"Extra {index}")
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/spaces/").json()["count"] == 13


# --- threads -----------------------------------------------------------------------------------------------------


def test_thread_list_detail_and_filters(personas, users, world, indonesia):
    question = services.thread_create(
        actor=users["member"],
        space=world.second,
        title="Выдача: вопрос",
        body="Вопрос",
        kind=Thread.Kind.QUESTION,
        addressed_countries=[indonesia],
        tlp=TLP.AMBER,
        language="ru",
    )
    check_matrix(personas, "get", "/api/v1/threads/", READERS)
    ids = [row["id"] for row in personas["member"].get("/api/v1/threads/").json()["results"]]
    assert ids == [question.pk, world.secret.pk, world.thread.pk]
    ids = [row["id"] for row in personas["member_other"].get("/api/v1/threads/").json()["results"]]
    assert ids == [question.pk, world.thread.pk]
    client = personas["member"]
    assert [row["id"] for row in client.get("/api/v1/threads/?space=plenary").json()["results"]] == [world.thread.pk]
    assert [
        row["id"] for row in client.get("/api/v1/threads/?tlp=amber&kind=question&status=open").json()["results"]
    ] == [question.pk]
    assert [row["id"] for row in client.get("/api/v1/threads/?q=ВЫДАЧА").json()["results"]] == [question.pk]
    assert [row["id"] for row in client.get("/api/v1/threads/?q=bank EXTRADITION").json()["results"]] == [
        world.thread.pk
    ]
    row = client.get(f"/api/v1/threads/{question.pk}/").json()
    assert {
        key: row[key]
        for key in (
            "space",
            "title",
            "tlp",
            "tlp_label",
            "kind",
            "status",
            "addressed_countries",
            "post_count",
            "is_locked",
            "is_pinned",
            "legal_hold",
            "accepted_post",
        )
    } == {
        "space": "second",
        "title": "Выдача: вопрос",
        "tlp": "amber",
        "tlp_label": "TLP:AMBER",
        "kind": "question",
        "status": "open",
        "addressed_countries": ["ID"],
        "post_count": 1,
        "is_locked": False,
        "is_pinned": False,
        "legal_hold": False,
        "accepted_post": None,
    }
    assert row["author"] == {"id": users["member"].pk, "name": "Bruno Member", "country": "BR"}
    check_matrix(personas, "get", f"/api/v1/threads/{world.secret.pk}/", PRIVATE)
    assert client.get("/api/v1/threads/abc/").status_code == 404


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("space=nope", "space", "Unknown space."),
        ("space=br-draft", "space", "Unknown space."),  # exists, but member_other cannot read it
        ("tlp=purple", "tlp", '"purple" is not a valid choice.'),
        ("kind=poll", "kind", '"poll" is not a valid choice.'),
        ("status=closed", "status", '"closed" is not a valid choice.'),
    ],
)
def test_thread_list_rejected_filters(personas, world, query, field, message):
    response = personas["member_other"].get(f"/api/v1/threads/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {field: [message]}


def test_thread_list_query_count_is_constant(users, world, indonesia, france, django_assert_num_queries, nothing_kept):
    client = token_client(users["member"])
    client.get("/api/v1/threads/")
    with django_assert_num_queries(6) as few:
        client.get("/api/v1/threads/")
    for index in range(12):
        services.thread_create(
            actor=users["member"],
            space=world.plenary,
            title=f"Question {index}",
            body="?",
            kind=Thread.Kind.QUESTION,
            addressed_countries=[indonesia, france],
        )
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/threads/").json()["count"] == 14


def test_thread_create_with_write_token(users, world, writer, indonesia):
    response = writer.post(
        "/api/v1/threads/",
        {
            "space": "plenary",
            "title": "Asset recovery question",
            "body": "Can you freeze **accounts**?",
            "kind": "question",
            "addressed_countries": ["id"],
            "tlp": "amber",
            "language": "en",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    thread = Thread.objects.get(pk=body["id"])
    assert (thread.title, thread.tlp, thread.kind, thread.space_id, thread.author_id) == (
        "Asset recovery question",
        "amber",
        "question",
        world.plenary.pk,
        users["member"].pk,
    )
    assert body["addressed_countries"] == ["ID"] and body["post_count"] == 1
    assert thread.posts.get().body_html == "<p>Can you freeze <strong>accounts</strong>?</p>\n"
    assert AuditEvent.objects.filter(action=AuditAction.THREAD_CREATED, target_id=str(thread.pk)).count() == 1


def test_thread_create_denied(personas, users, world):
    before = snapshot()
    data = {"space": "plenary", "title": "t", "body": "b"}
    read_only = token_client(users["member"])
    before = snapshot()
    response = read_only.post("/api/v1/threads/", data, content_type="application/json")
    assert response.status_code == 403
    assert Client().post("/api/v1/threads/", data, content_type="application/json").status_code == 401
    observer = token_client(users["observer"], scope="write")
    before = snapshot()
    assert observer.post("/api/v1/threads/", data, content_type="application/json").status_code == 403
    other = token_client(users["member_other"], scope="write")
    before = snapshot()
    response = other.post("/api/v1/threads/", {**data, "space": "br-draft"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"space": ["Unknown space."]}
    assert snapshot() == before


def test_thread_create_rejected_input_names_fields(writer, world):
    before = snapshot()
    response = writer.post(
        "/api/v1/threads/",
        {"space": "plenary", "title": " ", "body": "", "kind": "question", "language": "zz"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "title": ["Give the thread a title."],
        "body": ["Write something first."],
        "addressed_countries": ["A question must be addressed to at least one country."],
        "language": ["Unknown language code zz."],
    }
    response = writer.post(
        "/api/v1/threads/",
        {"space": "plenary", "title": "t", "body": "b", "tlp": "purple", "addressed_countries": ["ZZ"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"tlp": ['"purple" is not a valid choice.']}
    response = writer.post(
        "/api/v1/threads/",
        {"space": "plenary", "title": "t", "body": "b", "addressed_countries": ["ZZ"]},
        content_type="application/json",
    )
    assert response.json()["error"]["fields"] == {"addressed_countries": ["Unknown country ZZ."]}
    response = writer.post("/api/v1/threads/", ["not", "an", "object"], content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"non_field_errors": ["The request body must be a JSON object."]}
    response = writer.post("/api/v1/threads/", {}, content_type="application/json")
    assert set(response.json()["error"]["fields"]) == {"space", "title", "body"}
    assert snapshot() == before


# --- posts -------------------------------------------------------------------------------------------------------


def test_posts_list_matrix_and_hidden_posts(personas, users, world):
    url = f"/api/v1/threads/{world.thread.pk}/posts/"
    check_matrix(personas, "get", url, READERS)
    check_matrix(personas, "get", f"/api/v1/threads/{world.secret.pk}/posts/", PRIVATE)
    rows = personas["member"].get(url).json()["results"]
    assert [row["id"] for row in rows] == [world.opening.pk, world.reply.pk]
    assert rows[1]["author"] == {"id": users["member_other"].pk, "name": "Dewi Member", "country": "ID"}
    moderation.post_hide(actor=users["secretariat"], post=world.reply, reason="Personal data")
    assert [row["id"] for row in personas["member"].get(url).json()["results"]] == [world.opening.pk]
    rows = personas["secretariat"].get(url).json()["results"]
    assert [(row["id"], row["is_hidden"], row["hidden_reason"]) for row in rows] == [
        (world.opening.pk, False, ""),
        (world.reply.pk, True, "Personal data"),
    ]


def test_posts_list_is_paginated_with_constant_queries(users, world, django_assert_num_queries, nothing_kept):
    client = token_client(users["member"])
    url = f"/api/v1/threads/{world.thread.pk}/posts/?page_size=10"
    client.get(url)
    with django_assert_num_queries(6) as few:
        client.get(url)
    for index in range(30):
        services.post_create(actor=users["member_other"], thread=world.thread, body=f"reply {index}")
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(url + "&page=2").json()
    assert body["count"] == 32 and len(body["results"]) == 10 and body["next"].endswith("page=3&page_size=10")


def test_post_create(users, world, writer):
    response = writer.post(
        f"/api/v1/threads/{world.thread.pk}/posts/",
        {"body": "Agreed, see @ID", "language": "pt", "quote_of": world.reply.pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    post = Post.objects.get(pk=body["id"])
    assert (post.body, post.language, post.quote_of_id, post.author_id) == (
        "Agreed, see @ID",
        "pt",
        world.reply.pk,
        users["member"].pk,
    )
    assert body["thread"] == world.thread.pk and body["body_html"] == "<p>Agreed, see @ID</p>\n"
    world.thread.refresh_from_db()
    assert world.thread.post_count == 3


def test_post_create_denied_and_rejected(users, world, writer):
    url = f"/api/v1/threads/{world.thread.pk}/posts/"
    before = snapshot()
    assert token_client(users["member"]).post(url, {"body": "x"}, content_type="application/json").status_code == 403
    other = token_client(users["member_other"], scope="write")
    before = snapshot()
    response = other.post(
        f"/api/v1/threads/{world.secret.pk}/posts/", {"body": "let me in"}, content_type="application/json"
    )
    assert response.status_code == 404
    response = writer.post(url, {"body": "  ", "language": "zz"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "body": ["Write something first."],
        "language": ["Unknown language code zz."],
    }
    response = writer.post(url, {"body": "quote", "quote_of": world.secret_post.pk}, content_type="application/json")
    assert response.json()["error"]["fields"] == {"quote_of": ["You can only quote a post of the same thread."]}
    response = other.post(url, {"body": "quote", "quote_of": world.secret_post.pk}, content_type="application/json")
    assert response.json()["error"]["fields"] == {"quote_of": ["There is no post with this id."]}
    moderation.thread_lock(actor=users["secretariat"], thread=world.thread)
    before = snapshot()
    assert writer.post(url, {"body": "late"}, content_type="application/json").status_code == 403
    assert snapshot() == before


# --- search ------------------------------------------------------------------------------------------------------


def test_search_api(personas, users, world):
    services.post_create(
        actor=users["coordinator"], thread=world.secret, body="Банковские записи <b>BANK</b>", language="ru"
    )
    check_matrix(personas, "get", "/api/v1/search/?q=bank", READERS)
    body = personas["member"].get("/api/v1/search/?q=bank").json()
    assert body["count"] == 2
    first = body["results"][0]
    assert {key: first[key] for key in ("thread", "space", "tlp", "tlp_label", "language", "snippet_html")} == {
        "thread": world.secret.pk,
        "space": "br-draft",
        "tlp": "amber",
        "tlp_label": "TLP:AMBER",
        "language": "ru",
        "snippet_html": "Банковские записи &lt;b&gt;<mark>BANK</mark>&lt;/b&gt;",
    }
    assert body["results"][1]["title_html"] == "<mark>Bank</mark> records in extradition cases"
    # Another country: the private consultation's hit is not there, and not counted.
    other = personas["member_other"].get("/api/v1/search/?q=bank").json()
    assert (other["count"], [hit["post"] for hit in other["results"]]) == (1, [world.opening.pk])
    assert personas["member_other"].get("/api/v1/search/?q=банковские").json()["count"] == 0
    response = personas["member_other"].get("/api/v1/search/?q=bank&space=br-draft")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"space": ["Unknown space."]}


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("", {"q": ["Give words to search for, or a filter."]}),
        ("q=x&country=ZZ", {"country": ["Unknown country ZZ."]}),
        ("q=x&tlp=purple", {"tlp": ['"purple" is not a valid choice.']}),
        ("q=x&date_from=2025-02-01&date_to=2025-01-01", {"date_to": ["The end date is before the start date."]}),
        ("q=x&date_from=soon", {"date_from": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}),
    ],
)
def test_search_api_rejected_parameters(personas, world, query, fields):
    response = personas["member"].get(f"/api/v1/search/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields


def test_search_api_filters_and_constant_queries(users, world, django_assert_num_queries, nothing_kept):
    client = token_client(users["member"])
    assert [hit["post"] for hit in client.get("/api/v1/search/?country=ID").json()["results"]] == [world.reply.pk]
    client.get("/api/v1/search/?q=reply")
    services.post_create(actor=users["member"], thread=world.thread, body="reply first")
    with django_assert_num_queries(5 + estimate_queries()) as few:  # on PostgreSQL, the planner's estimate too
        client.get("/api/v1/search/?q=reply")
    for index in range(20):
        services.post_create(actor=users["member_other"], thread=world.thread, body=f"reply {index}")
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/search/?q=reply").json()["count"] == 21


def test_schema_documents_the_forum_endpoints(personas):
    response = personas["member"].get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = (
        response.json()["paths"] if response["Content-Type"].startswith("application/vnd.oai.openapi+json") else None
    )
    if paths is None:
        import yaml

        paths = yaml.safe_load(response.content)["paths"]
    for path in (
        "/api/v1/spaces/",
        "/api/v1/spaces/{slug}/",
        "/api/v1/threads/",
        "/api/v1/threads/{id}/",
        "/api/v1/threads/{id}/posts/",
        "/api/v1/threads/{id}/accepted-answer/",
        "/api/v1/search/",
    ):
        assert path in paths, path


# --- accepted answers -------------------------------------------------------------------------------------------


def test_accepting_and_withdrawing_an_answer_through_the_api(users, world, writer, indonesia):
    """The API shares the service's rules: outsiders get 404, a read token and non-askers 403, a hidden or foreign
    post 400 naming `post`; every refusal changes nothing and writes no event."""
    question = services.thread_create(
        actor=users["member"],
        space=world.plenary,
        title="Which form?",
        body="?",
        kind=Thread.Kind.QUESTION,
        addressed_countries=[indonesia],
    )
    answer = services.post_create(actor=users["member_other"], thread=question, body="This one.")
    hidden = services.post_create(actor=users["member_other"], thread=question, body="Or this.")
    moderation.post_hide(actor=users["secretariat"], post=hidden, reason="Spam")
    url = f"/api/v1/threads/{question.pk}/accepted-answer/"
    reader, answerer = token_client(users["member"]), token_client(users["member_other"], scope="write")
    before = snapshot()
    refusals = [
        (reader, {"post": answer.pk}, 403),  # a read-scope token
        (answerer, {"post": answer.pk}, 403),  # not the asker
        (writer, {"post": hidden.pk}, 400),
        (writer, {"post": world.reply.pk}, 400),  # a post of another thread
        (writer, {"post": "x"}, 400),
        (writer, ["post"], 400),
    ]
    for client, body, status in refusals:
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == status, (body, response.json())
    assert writer.post(url, {"post": hidden.pk}, content_type="application/json").json()["error"]["fields"] == {
        "post": ["Choose an answer in this question."]
    }
    secret_url = f"/api/v1/threads/{world.secret.pk}/accepted-answer/"
    assert answerer.post(secret_url, {"post": world.secret_post.pk}, content_type="application/json").status_code == 404
    assert writer.delete(url).status_code == 400  # nothing to withdraw yet
    question.refresh_from_db()
    assert (question.status, question.accepted_post_id, snapshot()) == ("answered", None, before)

    response = writer.post(url, {"post": answer.pk}, content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["accepted_post"]) == ("resolved", answer.pk)
    response = writer.delete(url)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["accepted_post"]) == ("answered", None)
    events = AuditEvent.objects.filter(target_id=str(question.pk), action__startswith="forum.answer_")
    assert list(events.order_by("seq").values_list("action", "actor_id")) == [
        (AuditAction.ANSWER_ACCEPTED, users["member"].pk),
        (AuditAction.ANSWER_UNACCEPTED, users["member"].pk),
    ]
