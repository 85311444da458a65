import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from comity.audit.models import AuditAction, AuditEvent
from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.forum import markdown, permissions, services
from comity.forum.models import TLP, Mention, SpaceKind, Thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def plenary(users):
    return services.space_create(actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Plenary")


def test_markdown_is_sanitized_and_links_are_safe():
    html = markdown.render("**bold** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.org)")
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html
    assert 'href="javascript' not in html
    assert '<a href="https://example.org" rel="noopener noreferrer">ok</a>' in html


def test_mentions_parsing():
    assert markdown.mentions("Hello @member.br and @BR, not `@ID` or me@mail.test") == ({"member.br"}, {"BR"})


def test_private_consultation_is_visible_only_to_invited(users, brazil, indonesia):
    authority = AuthorityFactory(country=indonesia)
    ContactFactory(seat__authority=authority, user=users["member_other"])
    space = services.space_create(
        actor=users["member"], kind=SpaceKind.PRIVATE, name="BR-ID draft request", invite_authorities=[authority]
    )
    assert permissions.spaces_visible_to(users["member"]).filter(pk=space.pk).exists()
    assert permissions.spaces_visible_to(users["member_other"]).filter(pk=space.pk).exists()
    for name in ("coordinator", "coordinator_other", "secretariat", "moderator"):
        assert not permissions.spaces_visible_to(users[name]).filter(pk=space.pk).exists(), name
    assert AuditEvent.objects.filter(action=AuditAction.SPACE_CREATED).count() == 1


def test_rules_and_explicit_removal(users, plenary):
    assert permissions.spaces_visible_to(users["member_other"]).filter(pk=plenary.pk).exists()
    services.space_member_remove(actor=users["secretariat"], space=plenary, user=users["member_other"])
    users["member_other"].__dict__.pop("_forum_space_ids", None)
    assert not permissions.spaces_visible_to(users["member_other"]).filter(pk=plenary.pk).exists()


def test_network_space_follows_membership(users, iberred):
    space = services.space_create(actor=users["secretariat"], kind=SpaceKind.NETWORK, name="IberRed", network=iberred)
    assert permissions.spaces_visible_to(users["member"]).filter(pk=space.pk).exists()  # Brazil in IberRed
    assert permissions.spaces_visible_to(users["liaison"]).filter(pk=space.pk).exists()
    assert not permissions.spaces_visible_to(users["member_other"]).filter(pk=space.pk).exists()


def test_thread_question_and_answer(users, plenary, indonesia):
    thread = services.thread_create(
        actor=users["member"],
        space=plenary,
        title="Bank records",
        body="Hello @ID",
        kind=Thread.Kind.QUESTION,
        addressed_countries=[indonesia],
        tlp=TLP.AMBER,
        language="en",
    )
    assert (thread.post_count, thread.status, thread.tlp) == (1, "open", "amber")
    assert Mention.objects.get().country == indonesia
    services.post_create(actor=users["member_other"], thread=thread, body="We can help.", language="id")
    thread.refresh_from_db()
    assert (thread.post_count, thread.status) == (2, "answered")
    answer = thread.posts.order_by("pk").last()
    with pytest.raises(PermissionDenied):
        services.question_accept_answer(actor=users["member_other"], thread=thread, post=answer)
    services.question_accept_answer(actor=users["member"], thread=thread, post=answer)
    thread.refresh_from_db()
    assert (thread.status, thread.accepted_post_id) == ("resolved", answer.pk)


def test_rejected_thread_input(users, plenary):
    with pytest.raises(ValidationError) as info:
        services.thread_create(
            actor=users["member"],
            space=plenary,
            title="",
            body="",
            tlp="purple",
            kind=Thread.Kind.QUESTION,
            language="zz",
        )
    assert set(info.value.message_dict) == {"title", "body", "tlp", "addressed_countries", "language"}
    assert Thread.objects.count() == 0


def test_observer_cannot_post(users, plenary):
    with pytest.raises(PermissionDenied):
        services.thread_create(actor=users["observer"], space=plenary, title="x", body="y")


def test_edit_keeps_revision(users, plenary):
    thread = services.thread_create(actor=users["member"], space=plenary, title="t", body="first")
    post = thread.posts.get()
    services.post_edit(actor=users["member"], post=post, body="second")
    assert post.revisions.get().body == "first"
    with pytest.raises(PermissionDenied):
        services.post_edit(actor=users["member_other"], post=post, body="hijack")
