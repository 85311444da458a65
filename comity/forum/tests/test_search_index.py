"""Forum search through its indexes, on SQLite (FTS5) and PostgreSQL (pg_trgm) alike: substrings in every script,
short terms, query syntax taken literally, the capped count, the time limit, and the index kept in step with the
posts and titles."""

import pytest
from django.db import connection

from comity.core.search import limits
from comity.forum import moderation, search, services
from comity.forum.models import Post, Thread
from comity.forum.tests.test_api import token_client
from comity.forum.tests.test_moderation import forum_world

pytestmark = pytest.mark.django_db

URL = "/en/forum/search/"
API = "/api/v1/search/"


@pytest.fixture
def world(users):
    world = forum_world(users)
    world.maré = services.post_create(
        actor=users["member"], thread=world.thread, body='Cooperação com a MARÉ: C++ (draft) NEAR "quoted" -x *y'
    )
    world.chinese = services.thread_create(
        actor=users["member_other"],
        space=world.plenary,
        title="司法部的请求",
        language="zh-hans",
        body="关于银行记录的司法协助请求。",
    ).posts.get()
    world.arabic = services.post_create(
        actor=users["member"], thread=world.thread, language="ar", body="رسالة من وزارة العدل بشأن السجلات المصرفية."
    )
    world.russian = services.post_create(
        actor=users["member"], thread=world.thread, language="ru", body="Запрос о ВЗАИМНОЙ правовой помощи."
    )
    return world


def found(user, text, **filters):
    posts = search.post_search(user=user, terms=search.terms_of(text), filters=search.SearchFilters(**filters))
    return list(posts.values_list("pk", flat=True))


def test_substrings_inside_words_in_every_script(users, world):
    member = users["member"]
    assert found(member, "operaç") == [world.maré.pk]  # inside "Cooperação"
    assert found(member, "司法部") == [world.chinese.pk]  # the title of its thread (the text lacks it)
    assert found(member, "银行记") == [world.chinese.pk]
    assert found(member, "العدل") == [world.arabic.pk]
    assert found(member, "المصرفي") == [world.arabic.pk]
    assert found(member, "взаимной помощи") == [world.russian.pk]
    assert found(member, "ЗАИМН") == [world.russian.pk]


def test_case_and_accents_are_folded(users, world):
    member = users["member"]
    assert found(member, "maré") == [world.maré.pk]
    assert found(member, "MARÉ cooperação") == [world.maré.pk]
    assert found(member, "mare") == [world.maré.pk]  # accents ignored ("mare" finds "Maré")
    assert found(member, "cooperacao") == [world.maré.pk]


def test_titles_are_folded_too(users, world):
    member = users["member"]
    accented = services.thread_create(
        actor=member, space=world.plenary, title="Pedido da Maré", language="pt", body="Cooperação bancária."
    ).posts.get()
    arabic = services.thread_create(  # hamza on alef, alef maksura, ta marbuta
        actor=member, space=world.plenary, title="طلب إلى وزارة الخارجية في مصر", language="ar", body="تفاصيل."
    ).posts.get()
    assert set(found(member, "mare")) == {accented.pk, world.maré.pk}  # "mare" finds "Maré" in a title (and a post)
    assert found(member, "mare pedido") == found(member, "MARÉ PEDIDO") == [accented.pk]
    assert found(member, "الى وزاره") == [arabic.pk]  # plain alef, heh for ta marbuta, yeh for alef maksura
    assert found(member, "إلى وزارة") == [arabic.pk]
    terms = search.terms_of("mare pedido")
    (hit,) = search.hits(search.post_search(user=member, terms=terms), terms)
    assert hit.title == "<mark>Pedido</mark> da <mark>Maré</mark>"  # highlighted on the title as written
    thread = Thread.objects.get(pk=accented.thread_id)
    assert thread.title_search == "pedido da mare"
    thread.title = "Pedido de Açúcar"
    thread.save(update_fields=["title"])  # a title changed through save() keeps its folded form in step
    assert Thread.objects.get(pk=thread.pk).title_search == "pedido de acucar"
    assert (found(member, "acucar"), found(member, "mare pedido")) == ([accented.pk], [])


def test_terms_of_one_or_two_characters(users, world):
    member = users["member"]
    assert found(member, "司法") == [world.chinese.pk]  # alone: read without the index
    assert found(member, "司法 银行记录") == [world.chinese.pk]  # beside a longer term: a filter on its hits
    assert found(member, "c+") == [world.maré.pk]
    assert found(member, "银 zz") == []
    assert found(member, "د") == [world.arabic.pk]
    assert found(member, "ex") == [world.opening.pk]  # "extradition", in the title: the opening post only


@pytest.mark.parametrize(
    ("query", "hit"),
    [
        ('"quoted"', True),
        ("(draft)", True),
        ("c++", True),
        ("*y", True),
        ("-x", True),
        ("NEAR", True),  # a literal word: "near" is in the text
        ('NEAR("quoted"', False),
        ("bank*", False),
        ("-bank", False),
        ("draft)", True),
        ('"', True),
        ('""', False),
        ("quo*", False),
        ("AND OR NOT", False),
        ("col:draft", False),
        ("^cooper", False),
        ("{draft}", False),
    ],
)
def test_query_syntax_is_taken_literally_and_never_raises(personas, users, world, query, hit):
    ids = found(users["member"], query)
    assert (world.maré.pk in ids) is hit
    if query == "NEAR":
        assert ids == [world.maré.pk]
    response = personas["member"].get(URL, {"q": query})
    assert response.status_code == 200
    assert token_client(users["member"]).get(API, {"q": query}).status_code == 200


def test_hidden_posts_and_unreadable_spaces_are_neither_shown_nor_counted(personas, users, world, monkeypatch):
    monkeypatch.setattr(limits, "COUNT_CAP", 1)
    services.post_create(actor=users["member"], thread=world.secret, body="secret bank details")
    moderation.post_hide(actor=users["secretariat"], post=world.reply, reason="x")
    other = token_client(users["member_other"])
    # Indonesia reads one "bank" post (the plenary thread's opening post); the two in the private space are not
    # counted, so the cap of 1 is not passed.
    assert other.get(API, {"q": "bank"}).json()["count_capped"] is False
    assert other.get(API, {"q": "bank"}).json()["count"] == 1
    assert other.get(API, {"q": "court"}).json()["count"] == 0  # hidden
    assert token_client(users["member"]).get(API, {"q": "bank"}).json()["count_capped"] is True


def test_the_count_is_capped(personas, users, world, monkeypatch):
    monkeypatch.setattr(limits, "COUNT_CAP", 3)
    for index in range(4):
        services.post_create(actor=users["member"], thread=world.thread, body=f"capped request {index}")
    body = personas["member"].get(URL, {"q": "capped request"}).content.decode()
    assert "More than 3 results" in body
    assert "Only the newest 3 are listed. Add words or filters to narrow the search." in body
    assert body.count('class="card"') == 3
    response = personas["member"].get("/fr/forum/search/", {"q": "capped request"})
    assert "Plus de 3 résultats" in response.content.decode()
    client = token_client(users["member"])
    first = client.get(API, {"q": "capped request", "page_size": 2}).json()
    assert (first["count"], first["count_capped"], len(first["results"])) == (3, True, 2)
    second = client.get(first["next"]).json()
    assert (len(second["results"]), second["next"]) == (1, None)
    # A page past the last one is bad pagination: 400 naming `page` (the API's contract since issue 10).
    past = client.get(API, {"q": "capped request", "page_size": 2, "page": 3})
    assert (past.status_code, list(past.json()["error"]["fields"])) == (400, ["page"])
    exact = client.get(API, {"q": "capped request 3"}).json()
    assert (exact["count"], exact["count_capped"]) == (1, False)
    assert "1 result" in personas["member"].get(URL, {"q": "capped request 3"}).content.decode()


def test_a_search_past_its_time_limit_answers_a_clear_message(personas, users, world, monkeypatch):
    monkeypatch.setattr(limits, "TIME_LIMIT_SECONDS", 0)
    response = personas["member"].get(URL, {"q": "bank"})
    assert response.status_code == 503
    body = response.content.decode()
    assert "The search took too long. Add words or filters to narrow it, and try again." in body
    assert 'value="bank"' in body and 'class="card"' not in body
    response = token_client(users["member"]).get(API, {"q": "bank"})
    assert response.status_code == 503
    assert response.json() == {
        "error": {
            "status": 503,
            "code": "search_timeout",
            "message": "The search took too long. Add words or filters to narrow it, and try again.",
        }
    }


@pytest.mark.django_db(transaction=True)
def test_a_slow_search_statement_is_cancelled(personas, users, monkeypatch):
    """A real cancellation on the database (the test above stops the search before its first statement)."""
    forum_world(users)
    monkeypatch.setattr(limits, "TIME_LIMIT_SECONDS", 0.3)
    sleep = "SELECT pg_sleep(3)" if connection.vendor == "postgresql" else None

    def slow(execute, sql, params, many, context):
        if "forum_post" in sql and ("LIKE" in sql.upper() or "MATCH" in sql.upper()):  # the search's statement
            with context["connection"].cursor() as cursor:  # runs inside the search's time limit
                cursor.execute(
                    sleep
                    or "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500000000) "
                    "SELECT max(i) FROM n"
                )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(slow):
        response = personas["member"].get(URL, {"q": "bank"})
    assert response.status_code == 503
    assert "The search took too long." in response.content.decode()
    assert personas["member"].get(URL, {"q": "bank"}).status_code == 200  # the connection is fine afterwards


def test_the_index_follows_new_edited_and_deleted_posts_and_titles(users, world):
    member = users["member"]
    post = services.post_create(actor=member, thread=world.thread, body="A fresh xylograph arrives.")
    assert found(member, "xylograph") == [post.pk]
    services.post_edit(actor=member, post=post, body="Now about a zeppelin.")
    assert (found(member, "xylograph"), found(member, "zeppelin")) == ([], [post.pk])
    Post.objects.filter(pk=post.pk).delete()
    assert found(member, "zeppelin") == []
    Thread.objects.filter(pk=world.thread.pk).update(title="Banking secrecy", title_search="banking secrecy")
    assert found(member, "secrecy") == [world.opening.pk]
    assert found(member, "extradition") == []
    if connection.vendor == "sqlite":  # the FTS5 tables themselves, not only the exact test after them
        with connection.cursor() as cursor:
            for table, term, expected in [
                ("forum_post_search_fts", "zeppelin", []),
                ("forum_post_search_fts", "xylograph", []),
                ("forum_thread_title_search_fts", "secrecy", [world.thread.pk]),
                ("forum_thread_title_search_fts", "extradition", []),
            ]:
                cursor.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [f'"{term}"'])  # noqa: S608
                assert [row[0] for row in cursor.fetchall()] == expected, (table, term)


def test_no_subquery_runs_per_post(users, world):
    sql = str(search.post_search(user=users["member"], terms=["bank", "records"]).query)
    # The only correlated subquery is the opening post of a thread whose title holds a term.
    assert sql.count("LIMIT 1") == 1
    assert sql.count('WHERE U0."thread_id" = (V0."id")') == 1
    if connection.vendor == "postgresql":
        assert '"forum_post"."id" = ANY(ARRAY(SELECT' in sql
    else:
        assert 'FROM "forum_post_search_fts" WHERE "forum_post_search_fts" MATCH' in sql


def test_the_migration_fills_the_folded_titles_of_existing_threads(users, world):
    from comity.core.search.operations import refold_search_text

    arabic = services.thread_create(
        actor=users["member"], space=world.plenary, title="مكتبة إلى القاهرة", language="ar", body="نص."
    )
    Thread.objects.update(title_search="")  # threads written before the column existed
    operation = refold_search_text(table="forum_thread", column="title_search", source="title", batch=1)

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    operation.code(None, editor)
    assert Thread.objects.get(pk=arabic.pk).title_search == "مكتبه الي القاهره"
    assert all(thread.title_search == search.fold(thread.title) for thread in Thread.objects.all())
    assert found(users["member"], "مكتبه") == [arabic.posts.get().pk]  # the index followed the batch updates


def test_the_api_thread_filter_folds_titles(users, world):
    thread = services.thread_create(
        actor=users["member"], space=world.plenary, title="Pedido da Maré", language="pt", body="Texto."
    )
    client = token_client(users["member"])
    assert [row["id"] for row in client.get("/api/v1/threads/?q=mare").json()["results"]] == [thread.pk]
