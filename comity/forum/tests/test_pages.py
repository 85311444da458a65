"""The forum's pages: permission matrix for every URL, spaces, threads, replies, edits, members, consultations."""

import re

import pytest
from django.urls import reverse

from comity.audit.models import AuditAction, AuditEvent
from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.forum import permissions, services
from comity.forum.models import (
    TLP,
    Post,
    PostRevision,
    ReadMarker,
    Space,
    SpaceAuthority,
    SpaceKind,
    SpaceMember,
    Thread,
    ThreadSubscription,
)
from comity.forum.tests.pages import page_of
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

OTHERS = ("member_other", "coordinator", "coordinator_other", "secretariat")


@pytest.fixture
def plenary(users):
    return services.space_create(actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Plenary")


@pytest.fixture
def consultation(users):
    """A private consultation of the Brazilian member with the IberRed liaison; nobody else is invited."""
    return services.space_create(
        actor=users["member"], kind=SpaceKind.PRIVATE, name="Draft request to Spain", invite_users=[users["liaison"]]
    )


@pytest.fixture
def private_thread(users, consultation):
    return services.thread_create(
        actor=users["member"],
        space=consultation,
        title="Bank records: draft",
        body="The draft is attached.",
        tlp=TLP.AMBER,
    )


def state():
    """Everything a denied request could have changed."""
    return (
        list(Space.objects.values_list("pk", "name", "is_archived").order_by("pk")),
        list(
            SpaceMember.objects.values_list("space_id", "user_id", "state", "notify_level", "is_moderator").order_by(
                "pk"
            )
        ),
        list(SpaceAuthority.objects.values_list("space_id", "authority_id").order_by("pk")),
        list(
            Thread.objects.values_list("pk", "title", "status", "accepted_post_id", "post_count", "tlp").order_by("pk")
        ),
        list(Post.objects.values_list("pk", "body", "is_hidden").order_by("pk")),
        list(PostRevision.objects.values_list("pk", "body").order_by("pk")),
        list(ReadMarker.objects.values_list("user_id", "thread_id", "last_read_post_id").order_by("pk")),
        list(ThreadSubscription.objects.values_list("user_id", "thread_id", "level").order_by("pk")),
        AuditEvent.objects.count(),
    )


def text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    """The messages this request added (earlier ones may still wait for a page to show them)."""
    return [str(m) for m in response.wsgi_request._messages._queued_messages]


# --- permission matrix ---------------------------------------------------------------------------------------


def test_matrix_of_a_private_consultation_every_url_answers_404_to_others_and_nothing_changes(
    personas, users, consultation, private_thread
):
    post = private_thread.posts.get()
    slug, pk = consultation.slug, private_thread.pk
    gets = [
        f"/en/forum/s/{slug}/",
        f"/en/forum/s/{slug}/new/",
        f"/en/forum/s/{slug}/members/",
        f"/en/forum/t/{pk}/",
        f"/en/forum/t/{pk}/new-posts/?after=0",
        f"/en/forum/t/{pk}/unread/",
        f"/en/forum/p/{post.pk}/",
        f"/en/forum/p/{post.pk}/edit/",
        f"/en/forum/p/{post.pk}/history/",
    ]
    posts = [
        (
            f"/en/forum/s/{slug}/new/",
            {"title": "Leak", "body": "x", "language": "en", "tlp": "green", "kind": "discussion"},
        ),
        (f"/en/forum/s/{slug}/join/", {}),
        (f"/en/forum/s/{slug}/leave/", {}),
        (f"/en/forum/s/{slug}/notifications/", {"level": "watching"}),
        (f"/en/forum/s/{slug}/members/", {"action": "invite_person", "email": "member.id@example.test"}),
        (f"/en/forum/t/{pk}/reply/", {"body": "Let me in", "language": "en"}),
        (f"/en/forum/t/{pk}/notifications/", {"level": "watching"}),
        (f"/en/forum/t/{pk}/accept/", {"post": post.pk}),
        (f"/en/forum/p/{post.pk}/edit/", {"body": "Rewritten"}),
    ]
    before = state()
    for url in gets:
        check_matrix(personas, "GET", url, {"anonymous": 302, **dict.fromkeys(OTHERS, 404)})
    for url, data in posts:
        check_matrix(personas, "POST", url, {"anonymous": 302, **dict.fromkeys(OTHERS, 404)}, data=data)
    assert state() == before
    # The invited member reaches every page.
    for url in gets:
        assert personas["member"].get(url).status_code in (200, 302), url
    assert personas["liaison"].get(f"/en/forum/t/{pk}/").status_code == 200


def test_matrix_of_the_forum_pages_for_a_plenary_space(personas, users, plenary):
    thread = services.thread_create(actor=users["member"], space=plenary, title="Video links", body="Hello")
    post = thread.posts.get()
    everyone = {
        "anonymous": 302,
        "member": 200,
        "member_other": 200,
        "coordinator": 200,
        "coordinator_other": 200,
        "secretariat": 200,
    }
    for url in (
        "/en/forum/",
        f"/en/forum/s/{plenary.slug}/",
        f"/en/forum/s/{plenary.slug}/new/",
        f"/en/forum/t/{thread.pk}/",
        f"/en/forum/p/{post.pk}/history/",
        "/en/forum/consultations/new/",
    ):
        check_matrix(personas, "GET", url, everyone)
    check_matrix(
        personas,
        "GET",
        f"/en/forum/p/{post.pk}/edit/",
        {
            "anonymous": 302,
            "member": 200,
            "member_other": 403,
            "coordinator": 403,
            "coordinator_other": 403,
            "secretariat": 403,
        },
    )
    # Plenary spaces have no roster page: everyone reads them by rule.
    check_matrix(
        personas, "GET", f"/en/forum/s/{plenary.slug}/members/", {"anonymous": 302, "member": 404, "secretariat": 404}
    )
    assert personas["member"].get("/en/forum/t/999999/").status_code == 404
    assert personas["member"].get("/en/forum/s/no-such-space/").status_code == 404
    assert personas["member"].post("/en/forum/").status_code == 405


def test_observers_read_but_cannot_start_threads_reply_or_consult(personas, users, plenary):
    thread = services.thread_create(actor=users["member"], space=plenary, title="Video links", body="Hello")
    observer = personas["observer"]
    before = state()
    assert observer.get(f"/en/forum/s/{plenary.slug}/new/").status_code == 403
    assert observer.get("/en/forum/consultations/new/").status_code == 403
    response = observer.post(f"/en/forum/t/{thread.pk}/reply/", {"body": "Hi", "language": "en"})
    assert response.status_code == 403
    assert "Observers can read the forum but cannot post." in text(response)
    page = page_of(observer, f"/en/forum/t/{thread.pk}/")
    assert "Observers can read the forum but cannot post." in page
    assert f'action="/en/forum/t/{thread.pk}/reply/"' not in page
    space_list = page_of(observer, "/en/forum/")
    assert f'<a href="/en/forum/s/{plenary.slug}/">Plenary</a>' in space_list
    assert "Start a private consultation" not in space_list
    after = state()
    assert after[:6] == before[:6] and after[7:] == before[7:]  # only the observer's read marker moved


# --- space list ------------------------------------------------------------------------------------------------


def test_space_list_groups_spaces_by_kind_with_unread_counts_and_joinable_spaces(personas, users, plenary, iberred):
    secretariat = users["secretariat"]
    network = services.space_create(actor=secretariat, kind=SpaceKind.NETWORK, name="IberRed", network=iberred)
    thematic = services.space_create(actor=secretariat, kind=SpaceKind.THEMATIC, name="Extradition")
    services.thread_create(actor=users["coordinator"], space=plenary, title="One", body="a")
    services.thread_create(actor=users["coordinator"], space=plenary, title="Two", body="b")
    services.thread_create(actor=users["liaison"], space=network, title="Three", body="c")
    page = text(personas["member"].get("/en/forum/"))
    headings = re.findall(r'<h2 id="kind-(\w+)">([^<]+)</h2>', page)
    assert headings == [("plenary", "Plenary"), ("network", "Network")]
    rows = re.findall(r'<a href="/en/forum/s/([\w-]+)/">([^<]+)</a>.*?<td>(\d+)</td>\s*<td>(.*?)</td>', page, re.S)
    assert rows == [
        ("plenary", "Plenary", "2", "<strong>2 threads with new posts</strong>"),
        ("iberred", "IberRed", "1", "<strong>1 thread with new posts</strong>"),
    ]
    assert f'action="/en/forum/s/{thematic.slug}/join/"' in page
    assert 'href="/en/forum/consultations/new/"' in page
    # Indonesia is not in IberRed: no network group, and its own counts.
    other = page_of(personas["member_other"], "/en/forum/")
    assert re.findall(r'<h2 id="kind-(\w+)">', other) == ["plenary"]


def test_joining_and_leaving_a_thematic_space(personas, users):
    thematic = services.space_create(actor=users["secretariat"], kind=SpaceKind.THEMATIC, name="Asset recovery")
    client = personas["member"]
    assert client.get(f"/en/forum/s/{thematic.slug}/").status_code == 404
    response = client.post(f"/en/forum/s/{thematic.slug}/join/")
    assert response.status_code == 302 and response["Location"] == f"/en/forum/s/{thematic.slug}/"
    assert messages_of(response) == ["You joined Asset recovery."]
    page = text(client.get(f"/en/forum/s/{thematic.slug}/"))
    assert f'action="/en/forum/s/{thematic.slug}/leave/"' in page
    assert client.post(f"/en/forum/s/{thematic.slug}/join/").status_code == 404  # already in
    response = client.post(f"/en/forum/s/{thematic.slug}/leave/")
    assert response["Location"] == "/en/forum/"
    assert client.get(f"/en/forum/s/{thematic.slug}/").status_code == 404
    assert not SpaceMember.objects.filter(space=thematic, user=users["member"]).exists()


# --- space page -----------------------------------------------------------------------------------------------


def test_space_page_lists_threads_pinned_first_with_mark_question_status_and_unread(
    personas, users, plenary, indonesia
):
    old = services.thread_create(actor=users["member"], space=plenary, title="Old but pinned", body="a", tlp=TLP.CLEAR)
    Thread.objects.filter(pk=old.pk).update(is_pinned=True)
    question = services.thread_create(
        actor=users["member"],
        space=plenary,
        title="Bank records",
        body="b",
        tlp=TLP.AMBER,
        kind=Thread.Kind.QUESTION,
        addressed_countries=[indonesia],
    )
    services.post_create(actor=users["member_other"], thread=question, body="We can help", language="en")
    page = page_of(personas["member"], f"/en/forum/s/{plenary.slug}/")
    titles = re.findall(r'<a href="/en/forum/t/\d+/">([^<]+)</a>', page)
    assert titles == ["Old but pinned", "Bank records"]
    assert '<span class="tag tlp tlp-clear">TLP:CLEAR</span>' in page
    assert '<span class="tag tlp tlp-amber">TLP:AMBER</span>' in page
    assert '<span class="tag">Question</span><span class="tag status-ok">Answered</span>' in page
    assert "to Indonesia" in page
    assert f'<a href="/en/forum/t/{question.pk}/unread/">1 new post</a>' in page
    assert f'href="/en/forum/s/{plenary.slug}/new/"' in page
    assert "/members/" not in page


def test_space_page_is_paginated(personas, users, plenary):
    for number in range(30):
        services.thread_create(actor=users["member"], space=plenary, title=f"Thread {number:02d}", body="x")
    first = text(personas["member"].get(f"/en/forum/s/{plenary.slug}/"))
    assert len(re.findall(r'<a href="/en/forum/t/\d+/">', first)) == 25
    assert "Page 1 of 2" in first
    second = text(personas["member"].get(f"/en/forum/s/{plenary.slug}/?page=2"))
    assert re.findall(r'<a href="/en/forum/t/\d+/">([^<]+)</a>', second) == [
        "Thread 04",
        "Thread 03",
        "Thread 02",
        "Thread 01",
        "Thread 00",
    ]


# --- new thread -----------------------------------------------------------------------------------------------


def test_new_thread_form_defaults_and_creation(personas, users, plenary):
    users["member"].preferred_language = "pt"
    users["member"].save(update_fields=["preferred_language"])
    client = personas["member"]
    form = text(client.get(f"/en/forum/s/{plenary.slug}/new/"))
    assert '<option value="pt" selected>Portuguese</option>' in form
    assert '<input type="radio" name="tlp" value="green" id="id_tlp_1" required checked>' in form
    assert (
        "For the eyes and ears of individual recipients only; no further disclosure. E-mail about the "
        "thread carries only a link, and the thread cannot be exported." in form
    )
    assert "Markdown, a safe subset" in form
    assert '<option value="sw">Swahili</option>' in form
    response = client.post(
        f"/en/forum/s/{plenary.slug}/new/",
        {
            "title": "Videoconference hearings",
            "body": "Who has **done** this?",
            "language": "pt",
            "tlp": "amber",
            "kind": "discussion",
            "addressed_countries": ["ID"],
        },
    )
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/en/forum/t/{thread.pk}/"
    assert (thread.title, thread.tlp, thread.kind, thread.author, thread.space) == (
        "Videoconference hearings",
        "amber",
        "discussion",
        users["member"],
        plenary,
    )
    assert list(thread.addressed_countries.all()) == []  # only questions are addressed
    post = thread.posts.get()
    assert (post.language, post.body_html) == ("pt", "<p>Who has <strong>done</strong> this?</p>\n")
    assert AuditEvent.objects.filter(action=AuditAction.THREAD_CREATED).count() == 1


def test_new_thread_rejected_input_is_shown_per_field_and_nothing_is_created(personas, users, plenary):
    before = state()
    response = personas["member"].post(
        f"/en/forum/s/{plenary.slug}/new/",
        {"title": "Kept title", "body": "Kept body", "language": "zz", "tlp": "amber", "kind": "question"},
    )
    assert response.status_code == 400
    page = text(response)
    assert '<ul class="errors" id="id_language_errors"><li>Unknown language code zz.</li></ul>' in page
    assert (
        '<ul class="errors" id="id_addressed_countries_errors"><li>A question must be addressed to at least '
        "one country.</li></ul>"
    ) in page
    assert 'value="Kept title"' in page and ">\nKept body</textarea>" in page
    response = personas["member"].post(
        f"/en/forum/s/{plenary.slug}/new/",
        {"title": "", "body": "  ", "language": "en", "tlp": "purple", "kind": "discussion"},
    )
    page = text(response)
    assert '<ul class="errors" id="id_title_errors"><li>Give the thread a title.</li></ul>' in page
    assert '<ul class="errors" id="id_body_errors"><li>Write something first.</li></ul>' in page
    assert (
        '<ul class="errors" id="id_tlp_errors"><li>Select a valid choice. purple is not one of the available '
        "choices.</li></ul>"
    ) in page
    assert state() == before


# --- thread page: posts, replies, quotes, edits, history -----------------------------------------------------


def test_thread_page_shows_tlp_banner_title_posts_and_marks_read(personas, users, plenary):
    thread = services.thread_create(
        actor=users["member_other"],
        space=plenary,
        title="Sharing e-evidence",
        body="Ada yang punya pengalaman?",
        language="id",
        tlp=TLP.RED,
    )
    response = personas["member"].get(f"/en/forum/t/{thread.pk}/")
    page = text(response)
    post = thread.posts.get()
    assert "<title>[TLP:RED] Sharing e-evidence · Comity</title>" in page
    assert page.index('<p class="tlp-banner tlp-red" role="note"><strong>TLP:RED</strong>') < page.index("<h1>")
    assert "Dewi Member</h3>\n    · Indonesia" in page
    assert "· Written in Indonesian" in page
    assert '<div class="post-body" lang="id" dir="auto"><p>Ada yang punya pengalaman?</p>\n</div>' in page
    assert '<span class="tag">New</span>' in page
    assert f'href="{reverse("forum:post_flag", args=[post.pk])}"' in page  # the moderation tools are wired in
    assert ReadMarker.objects.get(user=users["member"], thread=thread).last_read_post_id == post.pk
    again = page_of(personas["member"], f"/en/forum/t/{thread.pk}/")
    assert '<div class="post-body" lang="id" dir="auto"><p>Ada yang punya pengalaman?</p>\n</div>' in again
    assert '<span class="tag">New</span>' not in again


def test_reply_with_a_quote_and_rejected_reply(personas, users, plenary):
    thread = services.thread_create(
        actor=users["member_other"], space=plenary, title="Hearing by video", body="Is a *video link* accepted?"
    )
    first = thread.posts.get()
    client = personas["member"]
    page = text(client.get(f"/en/forum/t/{thread.pk}/?quote={first.pk}"))
    assert ">\n&gt; **Dewi Member:**\n&gt; Is a *video link* accepted?\n\n</textarea>" in page
    assert f'<input type="hidden" name="quote_of" value="{first.pk}" id="id_quote_of">' in page
    before = state()
    response = client.post(f"/en/forum/t/{thread.pk}/reply/", {"body": "   ", "language": "pt", "quote_of": first.pk})
    assert response.status_code == 400
    assert '<ul class="errors" id="id_body_errors"><li>Write something first.</li></ul>' in text(response)
    after = state()
    assert after[4] == before[4] and after[3] == before[3]
    response = client.post(
        f"/en/forum/t/{thread.pk}/reply/",
        {
            "body": "> **Dewi Member:**\n> Is a video link accepted?\n\nYes, since 2019.",
            "language": "pt",
            "quote_of": first.pk,
        },
    )
    reply = Post.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == f"/en/forum/t/{thread.pk}/#post-{reply.pk}"
    assert (reply.quote_of, reply.language, reply.author) == (first, "pt", users["member"])
    assert "<blockquote>" in reply.body_html
    foreign = services.thread_create(actor=users["member"], space=plenary, title="Other", body="Other")
    response = client.post(
        f"/en/forum/t/{thread.pk}/reply/",
        {"body": "Quote elsewhere", "language": "en", "quote_of": foreign.posts.get().pk},
    )
    assert response.status_code == 400
    assert "You can only quote a post of the same thread." in text(response)


def test_locked_thread_says_why_and_refuses_replies(personas, users, plenary):
    thread = services.thread_create(actor=users["member"], space=plenary, title="Closed topic", body="x")
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)
    page = text(personas["member_other"].get(f"/en/forum/t/{thread.pk}/"))
    assert '<p role="note">A moderator has locked this thread: no new replies can be posted.</p>' in page
    before = Post.objects.count()
    response = personas["member_other"].post(f"/en/forum/t/{thread.pk}/reply/", {"body": "x", "language": "en"})
    assert response.status_code == 403
    assert Post.objects.count() == before
    # Moderators (here the secretariat) may still post.
    assert (
        personas["secretariat"]
        .post(f"/en/forum/t/{thread.pk}/reply/", {"body": "Reopening soon", "language": "en"})
        .status_code
        == 302
    )


def test_edit_own_post_keeps_a_visible_history(personas, users, plenary):
    thread = services.thread_create(actor=users["member"], space=plenary, title="Typo", body="Frist version")
    post = thread.posts.get()
    client = personas["member"]
    response = client.post(f"/en/forum/p/{post.pk}/edit/", {"body": ""})
    assert response.status_code == 400
    assert '<ul class="errors" id="id_body_errors"><li>Write something first.</li></ul>' in text(response)
    assert Post.objects.get(pk=post.pk).body == "Frist version"
    response = client.post(f"/en/forum/p/{post.pk}/edit/", {"body": "First version"})
    assert response.status_code == 302 and response["Location"] == f"/en/forum/t/{thread.pk}/#post-{post.pk}"
    page = text(personas["member_other"].get(f"/en/forum/t/{thread.pk}/"))
    assert f'<a href="/en/forum/p/{post.pk}/history/">See the earlier version</a>' in page
    history = text(personas["member_other"].get(f"/en/forum/p/{post.pk}/history/"))
    assert '<div class="post-body" lang="en" dir="auto"><p>Frist version</p>\n</div>' in history
    assert '<div class="post-body" lang="en" dir="auto"><p>First version</p>\n</div>' in history
    before = state()
    assert personas["member_other"].post(f"/en/forum/p/{post.pk}/edit/", {"body": "Hijack"}).status_code == 403
    assert state() == before


def test_hidden_posts_show_a_placeholder_to_readers_and_the_text_to_moderators(personas, users, plenary):
    thread = services.thread_create(actor=users["member"], space=plenary, title="Heated", body="Calm start")
    services.post_create(actor=users["member_other"], thread=thread, body="Offensive words", language="en")
    Post.objects.filter(body="Offensive words").update(is_hidden=True, hidden_reason="Insult")
    reader = page_of(personas["member"], f"/en/forum/t/{thread.pk}/")
    assert "<p><em>This post was hidden by a moderator.</em></p>" in reader
    assert "Offensive words" not in reader
    moderator = text(personas["secretariat"].get(f"/en/forum/t/{thread.pk}/"))
    assert "Hidden from readers by a moderator. Reason: Insult" in moderator
    assert "<p>Offensive words</p>" in moderator


# --- notification levels -------------------------------------------------------------------------------------


def test_space_level_for_a_rule_based_reader_stores_settings_without_granting_access(personas, users, iberred, brazil):
    network = services.space_create(actor=users["secretariat"], kind=SpaceKind.NETWORK, name="IberRed", network=iberred)
    client = personas["member"]  # reads the network space because Brazil is a member of IberRed
    response = client.post(f"/en/forum/s/{network.slug}/notifications/", {"level": "watching"})
    assert response.status_code == 302
    assert messages_of(response) == ["Notifications for this space: Watching: every new post."]
    row = SpaceMember.objects.get(space=network, user=users["member"])
    assert (row.state, row.notify_level) == (services.SETTINGS_ONLY, "watching")
    assert '<input type="radio" name="level" value="watching" id="id_level_0" required checked>' in text(
        client.get(f"/en/forum/s/{network.slug}/")
    )
    # Brazil leaves IberRed: the settings row does not keep the member in the space.
    iberred.members.remove(brazil)
    users["member"].__dict__.pop("_forum_space_ids", None)
    assert not permissions.spaces_visible_to(users["member"]).filter(pk=network.pk).exists()
    assert client.get(f"/en/forum/s/{network.slug}/").status_code == 404
    before = state()
    response = client.post(f"/en/forum/s/{network.slug}/notifications/", {"level": "muted"})
    assert response.status_code == 404
    assert state() == before


def test_space_level_rejects_unknown_levels(personas, users, plenary):
    response = personas["member"].post(f"/en/forum/s/{plenary.slug}/notifications/", {"level": "loud"})
    assert response.status_code == 302
    assert messages_of(response) == ["Choose watching, normal or muted."]
    assert SpaceMember.objects.filter(space=plenary, user=users["member"]).count() == 0


def test_thread_subscription_levels(personas, users, plenary):
    thread = services.thread_create(actor=users["member_other"], space=plenary, title="Watch me", body="x")
    client = personas["member"]
    response = client.post(f"/en/forum/t/{thread.pk}/notifications/", {"level": "muted"})
    assert messages_of(response) == ["Notifications for this thread: Muted: nothing."]
    assert ThreadSubscription.objects.get(user=users["member"], thread=thread).level == "muted"
    page = text(client.get(f"/en/forum/t/{thread.pk}/"))
    assert '<input type="radio" name="level" value="muted" id="id_level_3" checked>' in page
    response = client.post(f"/en/forum/t/{thread.pk}/notifications/", {"level": "shouting"})
    assert messages_of(response) == ["Choose watching, normal, muted, or as for the space."]
    assert ThreadSubscription.objects.get(user=users["member"], thread=thread).level == "muted"
    response = client.post(f"/en/forum/t/{thread.pk}/notifications/", {"level": ""})
    assert messages_of(response) == ["This thread now follows your notification level for the space."]
    assert not ThreadSubscription.objects.filter(user=users["member"], thread=thread).exists()


# --- members of a private consultation ---------------------------------------------------------------------------


def test_members_page_invites_and_removes_people_and_authorities(personas, users, consultation, indonesia):
    authority = AuthorityFactory(country=indonesia, official_name="Central Authority of Indonesia")
    ContactFactory(seat__authority=authority, user=users["member_other"], name="Dewi")
    client = personas["member"]
    page = text(client.get(f"/en/forum/s/{consultation.slug}/members/"))
    assert '<th scope="row">Bruno Member</th>\n        <td>Brazil</td>\n        <td>Moderator</td>' in page
    assert '<th scope="row">Lia Liaison</th>' in page
    # Rejected: an unknown address keeps the page and changes nothing.
    before = state()
    response = client.post(
        f"/en/forum/s/{consultation.slug}/members/", {"action": "invite_person", "email": "nobody@example.test"}
    )
    assert response.status_code == 400
    assert "No active member has the e-mail address nobody@example.test." in text(response)
    assert 'value="nobody@example.test"' in text(response)
    assert state() == before
    # Invite an authority: choose its country, then the authority.
    picker = text(client.get(f"/en/forum/s/{consultation.slug}/members/?country=ID"))
    assert f'<option value="{authority.pk}">Central Authority of Indonesia</option>' in picker
    response = client.post(
        f"/en/forum/s/{consultation.slug}/members/",
        {"action": "invite_authority", "country": "ID", "authority": authority.pk},
    )
    assert response.status_code == 302
    assert messages_of(response) == ["Central Authority of Indonesia was invited."]
    users["member_other"].__dict__.pop("_forum_space_ids", None)
    assert personas["member_other"].get(f"/en/forum/s/{consultation.slug}/").status_code == 200
    page = text(client.get(f"/en/forum/s/{consultation.slug}/members/"))
    assert "<td>Dewi Member</td>" in page  # the contact point with an account
    # Invite a person, then remove them.
    response = client.post(
        f"/en/forum/s/{consultation.slug}/members/", {"action": "invite_person", "email": "COORD.ID@example.test"}
    )
    assert messages_of(response) == ["Ida Coordinator was invited."]
    assert personas["coordinator_other"].get(f"/en/forum/s/{consultation.slug}/").status_code == 200
    response = client.post(
        f"/en/forum/s/{consultation.slug}/members/", {"action": "remove_person", "user": users["coordinator_other"].pk}
    )
    assert messages_of(response) == ["Ida Coordinator was removed."]
    assert personas["coordinator_other"].get(f"/en/forum/s/{consultation.slug}/").status_code == 404
    response = client.post(
        f"/en/forum/s/{consultation.slug}/members/", {"action": "remove_authority", "authority": authority.pk}
    )
    assert messages_of(response) == ["Central Authority of Indonesia was removed."]
    assert personas["member_other"].get(f"/en/forum/s/{consultation.slug}/").status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.SPACE_MEMBER_ADDED).count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.SPACE_MEMBER_REMOVED).count() == 2


def test_invited_people_see_the_roster_but_cannot_manage_it(personas, users, consultation):
    client = personas["liaison"]
    page = page_of(client, f"/en/forum/s/{consultation.slug}/members/")
    assert "Bruno Member" in page and "Lia Liaison" in page
    assert "Invite this person" not in page and "Remove" not in page
    before = state()
    response = client.post(
        f"/en/forum/s/{consultation.slug}/members/", {"action": "remove_person", "user": users["member"].pk}
    )
    assert response.status_code == 403
    assert state() == before


# --- private consultations --------------------------------------------------------------------------------------


def test_consultation_is_created_with_authorities_picked_by_country_and_people(personas, users, indonesia):
    authority = AuthorityFactory(country=indonesia, official_name="Central Authority of Indonesia")
    other = AuthorityFactory(country=indonesia, official_name="Attorney General of Indonesia")
    ContactFactory(seat__authority=authority, user=users["member_other"])
    client = personas["member"]
    form = text(client.get("/en/forum/consultations/new/"))
    assert '<option value="ID">Indonesia</option>' in form
    assert '<input type="radio" name="default_tlp" value="amber" id="id_default_tlp_2" required checked>' in form
    # "Show its authorities" keeps what was typed and lists the country's authorities.
    response = client.post(
        "/en/forum/consultations/new/",
        {"name": "Draft MLA request", "people": "", "default_tlp": "amber", "country": "ID", "show": "1"},
    )
    assert response.status_code == 200
    page = text(response)
    assert 'value="Draft MLA request"' in page
    assert "<legend>Indonesia</legend>" in page
    assert f'value="{authority.pk}"' in page and f'value="{other.pk}"' in page
    assert '<input type="hidden" name="shown" value="ID"' in page
    assert "errors" not in page.split("<main")[1].split("</main>")[0].replace("form-errors", "")
    assert Space.objects.count() == 0
    response = client.post(
        "/en/forum/consultations/new/",
        {
            "name": "Draft MLA request",
            "description": "Before we send it",
            "default_tlp": "amber",
            "shown": ["ID"],
            "authorities": [authority.pk],
            "people": "coord.id@example.test",
        },
    )
    space = Space.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/en/forum/s/{space.slug}/"
    assert (space.kind, space.default_tlp, space.created_by) == ("private", "amber", users["member"])
    assert list(SpaceAuthority.objects.filter(space=space).values_list("authority_id", flat=True)) == [authority.pk]
    assert set(SpaceMember.objects.filter(space=space).values_list("user__email", "is_moderator")) == {
        ("member.br@example.test", True),
        ("coord.id@example.test", False),
    }
    for name, status in (
        ("member", 200),
        ("member_other", 200),
        ("coordinator_other", 200),
        ("coordinator", 404),
        ("secretariat", 404),
    ):
        assert personas[name].get(f"/en/forum/s/{space.slug}/").status_code == status, name


def test_consultation_rejected_input_keeps_the_data(personas, users):
    client = personas["member"]
    response = client.post(
        "/en/forum/consultations/new/",
        {"name": "Kept", "default_tlp": "amber", "people": "someone@example.test, not-an-address"},
    )
    assert response.status_code == 400
    page = text(response)
    assert "not-an-address is not an e-mail address." in page
    assert ">\nsomeone@example.test, not-an-address</textarea>" in page
    response = client.post("/en/forum/consultations/new/", {"name": "Kept", "default_tlp": "amber", "people": ""})
    assert response.status_code == 400
    assert "Invite at least one authority or one person." in text(response)
    response = client.post(
        "/en/forum/consultations/new/", {"name": "", "default_tlp": "amber", "people": "member.id@example.test"}
    )
    assert '<ul class="errors" id="id_name_errors"><li>Give the space a name.</li></ul>' in text(response)
    assert Space.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_closing_a_consultation_keeps_it_readable_and_stops_writing(personas, users, consultation):
    thread = services.thread_create(actor=users["member"], space=consultation, title="Draft", body="First draft")
    url = f"/en/forum/s/{consultation.slug}/close/"
    before = AuditEvent.objects.count()
    refused = {"anonymous": 302, "member_other": 404, "coordinator": 404, "secretariat": 404, "liaison": 403}
    check_matrix(personas, "post", url, refused)
    consultation.refresh_from_db()
    assert (consultation.is_archived, AuditEvent.objects.count()) == (False, before)
    invited = page_of(personas["liaison"], f"/en/forum/s/{consultation.slug}/")
    assert "<h1>Draft request to Spain</h1>" in invited and ">Close this space</button>" not in invited
    assert ">Close this space</button>" in page_of(personas["member"], f"/en/forum/s/{consultation.slug}/")
    response = personas["member"].post(url)
    assert (response.status_code, response["Location"]) == (302, f"/en/forum/s/{consultation.slug}/")
    consultation.refresh_from_db()
    assert consultation.is_archived is True
    event = AuditEvent.objects.get(action=AuditAction.SPACE_UPDATED)
    assert (event.actor_id, event.target_id, event.country_code, event.details) == (
        users["member"].pk,
        str(consultation.pk),
        "BR",
        {"archived": {"from": False, "to": True}},
    )
    # Still readable by its participants, no longer writable by anyone.
    page = page_of(personas["liaison"], f"/en/forum/t/{thread.pk}/")
    assert "<p>First draft</p>" in page
    assert "This space is archived: it can be read but no longer written in." in page
    reply = personas["member"].post(f"/en/forum/t/{thread.pk}/reply/", {"body": "More", "language": "en"})
    assert reply.status_code == 403
    again = personas["member"].post(url)
    assert [str(m) for m in again.wsgi_request._messages._queued_messages] == ["This space is already closed."]
    assert AuditEvent.objects.filter(action=AuditAction.SPACE_UPDATED).count() == 1
