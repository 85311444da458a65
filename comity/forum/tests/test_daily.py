"""Daily use: watching defaults, who a reply notifies, drafts, the text of a form posted after the session ended,
mentions (suggestions, links), the language of a post, translated space descriptions."""

import pytest
from django.test import Client

from comity.accounts.models import UserSession
from comity.core.decorators import PRESERVED_POST
from comity.forum import language, markdown, selectors, services
from comity.forum.models import Draft, NotifyLevel, Post, Space, SpaceKind, SpaceMember, ThreadSubscription
from comity.forum.tests.pages import page_of
from comity.notifications.models import Notification, NotificationKind
from comity.notifications.services import notify_about_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def plenary(users):
    return services.space_create(actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Plenary")


@pytest.fixture
def consultation(users):
    return services.space_create(
        actor=users["member"], kind=SpaceKind.PRIVATE, name="BR-ID", invite_users=[users["member_other"]]
    )


# --- watching ------------------------------------------------------------------------------------------------------


def test_everyone_in_a_private_consultation_watches_it_and_writers_watch_their_threads(users, consultation):
    levels = dict(SpaceMember.objects.filter(space=consultation).values_list("user__email", "notify_level"))
    assert levels == {"member.br@example.test": NotifyLevel.WATCHING, "member.id@example.test": NotifyLevel.WATCHING}
    assert services.space_notify_level(user=users["member_other"], space=consultation) == NotifyLevel.WATCHING
    thread = services.thread_create(actor=users["member"], space=consultation, title="Draft", body="First")
    reply = services.post_create(actor=users["member_other"], thread=thread, body="Noted", language="en")
    subscriptions = set(ThreadSubscription.objects.filter(thread=thread).values_list("user__email", "level"))
    assert subscriptions == {
        ("member.br@example.test", NotifyLevel.WATCHING),
        ("member.id@example.test", NotifyLevel.WATCHING),
    }
    # A level chosen earlier is kept when one posts again.
    services.thread_subscription_set(actor=users["member_other"], thread=thread, level=NotifyLevel.MUTED)
    services.post_create(actor=users["member_other"], thread=thread, body="Again", language="en")
    assert selectors.thread_subscription_level(user=users["member_other"], thread=thread) == NotifyLevel.MUTED
    assert reply.number == 2


def test_a_contact_point_of_an_invited_authority_watches_by_default(users, brazil):
    from comity.directory.tests.factories import AuthorityFactory, ContactFactory
    from comity.notifications.services import space_watcher_ids

    authority = AuthorityFactory(country=brazil)
    ContactFactory(seat__authority=authority, user=users["coordinator"], authority=authority)
    space = services.space_create(
        actor=users["member"], kind=SpaceKind.PRIVATE, name="With an authority", invite_authorities=[authority]
    )
    assert space_watcher_ids(space) == {users["member"].pk, users["coordinator"].pk}
    thread = services.thread_create(actor=users["member"], space=space, title="Hello", body="First")
    post = services.post_create(actor=users["member"], thread=thread, body="Second", language="en")
    notify_about_post(post=post)
    assert list(Notification.objects.filter(post=post).values_list("user__email", "kind")) == [
        ("coord.br@example.test", NotificationKind.WATCHED_SPACE)
    ]


def test_the_reply_form_says_who_will_be_notified(users, personas, consultation, plenary):
    thread = services.thread_create(actor=users["member"], space=consultation, title="Draft", body="First")
    html = page_of(personas["member"], f"/en/forum/t/{thread.pk}/")
    assert "<summary>Will be notified: Dewi Member</summary>" in html
    services.space_member_add(actor=users["member"], space=consultation, user=users["coordinator"])
    html = page_of(personas["member"], f"/en/forum/t/{thread.pk}/")
    assert "<summary>Will be notified: Clara Coordinator and 1 other</summary>" in html
    quiet = services.thread_create(actor=users["member"], space=plenary, title="Quiet", body="Hello")
    html = page_of(personas["member"], f"/en/forum/t/{quiet.pk}/")
    assert "Nobody is notified of a reply here unless you mention them." in html


# --- drafts --------------------------------------------------------------------------------------------------------


def test_a_reply_draft_is_saved_restored_and_dropped_when_posted(users, personas, consultation):
    thread = services.thread_create(actor=users["member"], space=consultation, title="Draft", body="First")
    client = personas["member_other"]
    url = f"/en/forum/s/{consultation.slug}/draft/?thread={thread.pk}"
    assert client.post(url, {"body": "Half a thought", "language": "fr"}).status_code == 204
    assert Draft.objects.get().body == "Half a thought"
    other_machine = Client()
    from comity.testing import sign_in

    sign_in(other_machine, users["member_other"])
    html = page_of(other_machine, f"/en/forum/t/{thread.pk}/")
    assert ">\nHalf a thought</textarea>" in html
    assert '<option value="fr" selected>' in html
    response = client.post(f"/en/forum/t/{thread.pk}/reply/", {"body": "Whole thought", "language": "en"})
    assert response.status_code == 302
    assert Draft.objects.count() == 0


def test_save_draft_button_without_javascript_and_new_thread_draft(users, personas, consultation):
    client = personas["member"]
    response = client.post(
        f"/en/forum/s/{consultation.slug}/new/",
        {"title": "Bank records", "body": "To be continued", "language": "en", "save_draft": "1"},
    )
    assert response.status_code == 302
    html = page_of(client, f"/en/forum/s/{consultation.slug}/new/")
    assert 'value="Bank records"' in html
    assert ">\nTo be continued</textarea>" in html


def test_drafts_only_where_one_may_write(users, personas, consultation):
    thread = services.thread_create(actor=users["member"], space=consultation, title="Draft", body="First")
    url = f"/en/forum/s/{consultation.slug}/draft/?thread={thread.pk}"
    assert personas["coordinator_other"].post(url, {"body": "x"}).status_code == 404
    assert personas["anonymous"].post(url, {"body": "x"}).status_code == 302
    assert Draft.objects.count() == 0


# --- a form posted after the session ended -------------------------------------------------------------------------


def test_a_reply_posted_after_the_session_ended_is_kept_and_restored_after_signing_in(users, personas, plenary):
    thread = services.thread_create(actor=users["member"], space=plenary, title="Question", body="First")
    client = personas["member_other"]
    page = f"/en/forum/t/{thread.pk}/"
    UserSession.objects.filter(user=users["member_other"]).delete()  # the session ended
    response = client.post(
        f"/en/forum/t/{thread.pk}/reply/", {"body": "My long answer", "language": "en"}, HTTP_REFERER=page
    )
    assert response.status_code == 302
    assert response["Location"] == f"/en/accounts/login/?next={page}"
    assert client.session[PRESERVED_POST]["fields"] == {"body": ["My long answer"], "language": ["en"]}
    assert Post.objects.count() == 1
    # Signing in again keeps the anonymous session's data (Django cycles the session key).
    from comity.testing import sign_in

    sign_in(client, users["member_other"])
    assert client.session[PRESERVED_POST]["page"] == page
    html = page_of(client, page)
    assert ">\nMy long answer</textarea>" in html
    assert PRESERVED_POST not in client.session  # given back once
    assert ">\nMy long answer</textarea>" not in page_of(client, page)


def test_the_csrf_token_and_passwords_are_not_kept(users, personas, plenary, rf):
    from django.contrib.sessions.backends.db import SessionStore

    from comity.core.decorators import preserve_post

    request = rf.post("/en/x/", {"csrfmiddlewaretoken": "t", "password": "p", "body": "b"})
    request.session = SessionStore()
    assert preserve_post(request) == "/en/x/"
    assert request.session[PRESERVED_POST]["fields"] == {"body": ["b"]}


# --- mentions ------------------------------------------------------------------------------------------------------


def test_mention_suggestions_only_list_readers_of_the_space(users, personas, consultation):
    client = personas["member"]
    url = f"/en/forum/s/{consultation.slug}/mention/"
    found = client.get(url, {"q": "dew"}, HTTP_ACCEPT="application/json").json()
    assert found == {"people": [{"name": "Dewi Member", "handle": "member.id", "country": "Indonesia"}]}
    # Clara cannot read the consultation: never suggested.
    assert client.get(url, {"q": "clara"}, HTTP_ACCEPT="application/json").json() == {"people": []}
    html = page_of(client, url, q="dewi")
    assert "<bdi>Dewi Member</bdi> (<bdi>Indonesia</bdi>): <code>@member.id</code>" in html
    assert personas["coordinator_other"].get(url, {"q": "dew"}).status_code == 404


def test_a_mention_is_a_link_to_the_person(users, personas, plenary):
    thread = services.thread_create(
        actor=users["member"], space=plenary, title="Hello", body="Thanks @member.id, see `@member.id`"
    )
    post = thread.posts.get()
    person = users["member_other"]
    assert post.body_html == (
        f'<p>Thanks <a class="mention" href="/forum/people/{person.pk}/">@Dewi Member</a>, '
        "see <code>@member.id</code></p>\n"
    )
    response = personas["member"].get(f"/forum/people/{person.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/en/forum/people/{person.pk}/"
    assert "<h1><bdi>Dewi Member</bdi></h1>" in page_of(personas["member"], f"/en/forum/people/{person.pk}/")
    assert personas["anonymous"].get(f"/en/forum/people/{person.pk}/").status_code == 302


def test_link_mentions_leaves_links_and_code_alone():
    html = markdown.render("[@bob](https://example.test) `@bob` @bob @nobody")
    assert markdown.link_mentions(html, {"bob": (7, "Bob <B>")}) == (
        '<p><a href="https://example.test" rel="noopener noreferrer">@bob</a> <code>@bob</code> '
        '<a class="mention" href="/forum/people/7/">@Bob &lt;B&gt;</a> @nobody</p>\n'
    )


# --- language of a post --------------------------------------------------------------------------------------------


def test_detection_is_used_only_when_confident():
    assert language.detect("Bonjour, pouvez-vous nous envoyer les documents demandés la semaine prochaine ?") == "fr"
    assert language.detect("谢谢你的回复，我们会尽快把银行记录发给你们。") == "zh-hans"
    assert language.detect("ok, thanks") is None  # too short to judge
    assert language.detect("> Bonjour, pouvez-vous nous envoyer les documents\n\nok") is None  # quotes are not one's


def test_a_reply_defaults_to_the_thread_language_and_detection_corrects_an_untouched_default(users, personas, plenary):
    thread = services.thread_create(
        actor=users["member"], space=plenary, title="Pedido", body="Olá a todos", language="pt"
    )
    client = personas["member_other"]
    assert '<option value="pt" selected>' in page_of(client, f"/en/forum/t/{thread.pk}/")
    french = "Bonjour, pouvez-vous nous envoyer les documents demandés la semaine prochaine ?"
    client.post(f"/en/forum/t/{thread.pk}/reply/", {"body": french, "language": "pt"})
    assert Post.objects.get(body=french).language == "fr"
    # Chosen by the writer: kept whatever the text looks like.
    client.post(
        f"/en/forum/t/{thread.pk}/reply/", {"body": french + " Merci.", "language": "es", "language_chosen": "1"}
    )
    post = Post.objects.get(body=french + " Merci.")
    assert post.language == "es"
    # Corrected on edit, without a new revision when the text is the same.
    response = client.post(f"/en/forum/p/{post.pk}/edit/", {"body": post.body, "language": "fr"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert (post.language, post.revision_count) == ("fr", 0)
    assert selectors.last_language_of(user=users["member_other"]) == "fr"


def test_a_bad_language_on_edit_is_refused(users, personas, plenary):
    thread = services.thread_create(actor=users["member"], space=plenary, title="T", body="Hello there")
    post = thread.posts.get()
    response = personas["member"].post(f"/en/forum/p/{post.pk}/edit/", {"body": "Hello", "language": "xx-evil"})
    assert response.status_code == 400
    post.refresh_from_db()
    assert (post.body, post.language) == ("Hello there", "en")


# --- space descriptions ----------------------------------------------------------------------------------------------


def test_space_descriptions_are_shown_in_the_reader_language(users, personas):
    from comity.forum.demo import translated_descriptions

    space = services.space_create(
        actor=users["secretariat"],
        kind=SpaceKind.PLENARY,
        name="Plenary",
        description="Open to every member of the network.",
    )
    Space.objects.filter(pk=space.pk).update(descriptions=translated_descriptions(space.description))
    assert "Ouvert à tous les membres du réseau." in page_of(personas["member"], f"/fr/forum/s/{space.slug}/")
    assert "مفتوح لجميع أعضاء الشبكة." in page_of(personas["member"], "/ar/forum/")
    assert "Open to every member of the network." in page_of(personas["member"], f"/en/forum/s/{space.slug}/")
    assert set(translated_descriptions(space.description)) == {"en", "fr", "es", "pt", "ar", "zh-hans", "ru"}


def test_readers_of_a_space_match_who_can_read_it(users, iberred, brazil):
    from comity.directory.tests.factories import AuthorityFactory, ContactFactory
    from comity.forum import permissions

    admin = users["secretariat"]
    authority = AuthorityFactory(country=brazil)
    ContactFactory(seat__authority=authority, authority=authority, user=users["coordinator"])
    region = brazil.subregion_m49 or brazil.region_m49 or "419"
    spaces = [
        services.space_create(actor=admin, kind=SpaceKind.PLENARY, name="P"),
        services.space_create(actor=admin, kind=SpaceKind.REGIONAL, name="R", region_m49=region),
        services.space_create(actor=admin, kind=SpaceKind.NETWORK, name="N", network=iberred),
        services.space_create(actor=admin, kind=SpaceKind.THEMATIC, name="T", invite_users=[users["member_other"]]),
        services.space_create(actor=users["member"], kind=SpaceKind.PRIVATE, name="C", invite_authorities=[authority]),
    ]
    services.space_member_remove(actor=admin, space=spaces[0], user=users["observer"])
    for space in spaces:
        expected = set()
        for user in users.values():
            permissions.forget(user)
            if permissions.spaces_visible_to(user).filter(pk=space.pk).exists():
                expected.add(user.email)
        assert set(permissions.readers_of(space).values_list("email", flat=True)) == expected, space.kind
