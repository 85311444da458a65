"""Moderation: flag, queue, hide/restore, dismiss, lock, pin, move, legal hold, retention settings.

Every URL has a permission matrix; after each denied or rejected write, nothing changed and no audit was written.
`forum_world` builds the spaces the other test modules use too.
"""

from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from comity.audit.models import AuditAction, AuditEvent
from comity.forum import moderation, permissions, services
from comity.forum.models import TLP, Flag, Post, SpaceKind, Thread
from comity.forum.tests.pages import page_of
from comity.forum.views.moderation import thread_url
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

MODERATORS_ONLY = {"anonymous": 302, "member": 404, "member_other": 404, "coordinator": 404, "coordinator_other": 404}


def forum_world(users):
    """A plenary space (everyone reads; the secretariat moderates), a second plenary, and a private consultation
    between Bruno (member, BR, its moderator as creator) and Clara (coordinator, BR) that Indonesia cannot read."""
    plenary = services.space_create(actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Plenary", slug="plenary")
    second = services.space_create(
        actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Second plenary", slug="second"
    )
    private = services.space_create(
        actor=users["member"],
        kind=SpaceKind.PRIVATE,
        name="BR draft request",
        slug="br-draft",
        invite_users=[users["coordinator"]],
    )
    thread = services.thread_create(
        actor=users["member"],
        space=plenary,
        title="Bank records in extradition cases",
        body="How do you handle **bank records**?",
        tlp=TLP.GREEN,
    )
    reply = services.post_create(
        actor=users["member_other"], thread=thread, body="We ask the court first.", language="en"
    )
    secret = services.thread_create(
        actor=users["member"],
        space=private,
        title="Draft request to Indonesia",
        body="Secret draft about the suspect",
        tlp=TLP.AMBER,
    )
    for user in users.values():
        permissions.forget(user)
    return SimpleNamespace(
        plenary=plenary,
        second=second,
        private=private,
        thread=thread,
        opening=thread.posts.order_by("pk").first(),
        reply=reply,
        secret=secret,
        secret_post=secret.posts.get(),
    )


@pytest.fixture
def world(users):
    return forum_world(users)


def audit_count() -> int:
    return AuditEvent.objects.count()


def last_message(response) -> str:
    """The newest flash message (earlier ones wait in the session until a page shows them)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


# --- flag --------------------------------------------------------------------------------------------------------


def test_flag_form_matrix(personas, world):
    url = reverse("forum:post_flag", kwargs={"pk": world.reply.pk})
    check_matrix(
        personas,
        "get",
        url,
        {
            "anonymous": 302,
            "member": 200,
            "member_other": 200,
            "coordinator": 200,
            "coordinator_other": 200,
            "secretariat": 200,
        },
    )
    private_url = reverse("forum:post_flag", kwargs={"pk": world.secret_post.pk})
    check_matrix(
        personas,
        "get",
        private_url,
        {
            "anonymous": 302,
            "member": 200,
            "member_other": 404,
            "coordinator": 200,
            "coordinator_other": 404,
            "secretariat": 404,
        },
    )
    assert personas["member"].get(reverse("forum:post_flag", kwargs={"pk": 99999})).status_code == 404


def test_flag_a_post(personas, users, world):
    url = reverse("forum:post_flag", kwargs={"pk": world.reply.pk})
    response = personas["member"].post(url, {"reason": "Contains  a personal phone number"})
    assert response.status_code == 302
    assert response["Location"] == thread_url(world.thread.pk, world.reply.pk)
    flag = Flag.objects.get()
    assert (flag.post_id, flag.reporter_id, flag.reason, flag.status) == (
        world.reply.pk,
        users["member"].pk,
        "Contains a personal phone number",
        "open",
    )
    event = AuditEvent.objects.get(action=AuditAction.POST_FLAGGED)
    assert (event.actor_id, event.target_id, event.country_code) == (users["member"].pk, str(world.reply.pk), "BR")
    assert event.details == {
        "post": world.reply.pk,
        "thread": world.thread.pk,
        "space": world.plenary.pk,
        "flag": flag.pk,
    }


def test_flag_rejected_inputs(personas, world):
    url = reverse("forum:post_flag", kwargs={"pk": world.reply.pk})
    before = audit_count()
    response = personas["member"].post(url, {"reason": "   "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = personas["member"].post(url, {"reason": "x" * 501})
    assert response.status_code == 400
    assert Flag.objects.count() == 0
    personas["member"].post(url, {"reason": "Spam"})
    response = personas["member"].post(url, {"reason": "Spam again"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "You have already flagged this post; the moderators will look at it." in body
    assert "Spam again" in body  # the data typed is still in the form
    assert Flag.objects.count() == 1
    assert audit_count() == before + 1


def test_other_country_cannot_flag_private_post(personas, users, world):
    before = audit_count()
    url = reverse("forum:post_flag", kwargs={"pk": world.secret_post.pk})
    for name in ("member_other", "coordinator_other", "secretariat"):
        assert personas[name].post(url, {"reason": "curious"}).status_code == 404, name
    assert Flag.objects.count() == 0
    assert audit_count() == before
    with pytest.raises(PermissionDenied):
        moderation.post_flag(actor=users["member_other"], post=world.secret_post, reason="curious")


# --- the queue ---------------------------------------------------------------------------------------------------


def test_queue_matrix(personas, users, world):
    url = reverse("forum:moderation_queue")
    # Bruno moderates the private consultation he created, so he has a queue; others without a space get 404.
    check_matrix(
        personas,
        "get",
        url,
        {
            "anonymous": 302,
            "member": 200,
            "member_other": 404,
            "coordinator": 404,
            "coordinator_other": 404,
            "secretariat": 200,
        },
    )
    assert personas["secretariat"].get(url + "?space=br-draft").status_code == 404
    assert personas["secretariat"].get(url + "?space=nope").status_code == 404


def test_queue_lists_open_flags_of_moderated_spaces_only(personas, users, world):
    moderation.post_flag(actor=users["member"], post=world.reply, reason="Off topic")
    moderation.post_flag(actor=users["coordinator"], post=world.secret_post, reason="Wrong space")
    handled = moderation.post_flag(actor=users["member_other"], post=world.opening, reason="Old")
    Flag.objects.filter(pk=handled.pk).update(status=Flag.Status.DISMISSED)
    body = page_of(personas["secretariat"], reverse("forum:moderation_queue"))
    assert "Off topic" in body
    assert "Wrong space" not in body and "Secret draft" not in body
    assert "Old" not in body
    assert "1 open flag" in body
    body = page_of(personas["member"], reverse("forum:moderation_queue"))
    assert "Wrong space" in body and "Off topic" not in body


def test_queue_query_count_is_constant(personas, users, world, django_assert_num_queries, nothing_kept):
    client = personas["secretariat"]
    url = reverse("forum:moderation_queue")
    moderation.post_flag(actor=users["member"], post=world.reply, reason="one")
    client.get(url)  # warm up session and caches
    with django_assert_num_queries(9) as few:  # an unchanged session is not saved
        client.get(url)
    for index in range(8):
        post = services.post_create(actor=users["member"], thread=world.thread, body=f"post {index}")
        moderation.post_flag(actor=users["coordinator"], post=post, reason=f"reason {index}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert "9 open flags" in response.content.decode()


# --- hide, restore, dismiss --------------------------------------------------------------------------------------


def test_hide_matrix(personas, world):
    url = reverse("forum:post_hide", kwargs={"pk": world.reply.pk})
    check_matrix(personas, "get", url, {**MODERATORS_ONLY, "secretariat": 200})
    before = audit_count()
    check_matrix(personas, "post", url, {**MODERATORS_ONLY, "secretariat": 302}, data={"reason": "Abusive"})
    world.reply.refresh_from_db()
    assert world.reply.is_hidden
    assert audit_count() == before + 1
    private_url = reverse("forum:post_hide", kwargs={"pk": world.secret_post.pk})
    check_matrix(
        personas,
        "post",
        private_url,
        {"anonymous": 302, "member_other": 404, "coordinator": 404, "coordinator_other": 404, "secretariat": 404},
        data={"reason": "x"},
    )
    world.secret_post.refresh_from_db()
    assert not world.secret_post.is_hidden
    assert audit_count() == before + 1


def test_hide_and_restore_resolve_flags(personas, users, world):
    flag = moderation.post_flag(actor=users["member"], post=world.reply, reason="Abusive")
    url = reverse("forum:post_hide", kwargs={"pk": world.reply.pk})
    response = personas["secretariat"].post(url, {"reason": "Personal data", "next": "/en/forum/moderation/"})
    assert (response.status_code, response["Location"]) == (302, "/en/forum/moderation/")
    world.reply.refresh_from_db()
    assert (world.reply.is_hidden, world.reply.hidden_reason, world.reply.hidden_by_id) == (
        True,
        "Personal data",
        users["secretariat"].pk,
    )
    flag.refresh_from_db()
    assert (flag.status, flag.resolved_by_id) == ("hidden", users["secretariat"].pk)
    event = AuditEvent.objects.get(action=AuditAction.POST_HIDDEN)
    assert event.details == {
        "post": world.reply.pk,
        "thread": world.thread.pk,
        "space": world.plenary.pk,
        "reason": "Personal data",
        "flags_resolved": [flag.pk],
    }
    assert not permissions.posts_visible_to(users["member"]).filter(pk=world.reply.pk).exists()
    assert permissions.posts_visible_to(users["secretariat"]).filter(pk=world.reply.pk).exists()

    response = personas["secretariat"].post(reverse("forum:post_restore", kwargs={"pk": world.reply.pk}))
    assert response.status_code == 302
    world.reply.refresh_from_db()
    assert (world.reply.is_hidden, world.reply.hidden_reason, world.reply.hidden_by_id) == (False, "", None)
    assert AuditEvent.objects.filter(action=AuditAction.POST_RESTORED).count() == 1


def test_hide_rejected_inputs(personas, users, world):
    url = reverse("forum:post_hide", kwargs={"pk": world.reply.pk})
    before = audit_count()
    response = personas["secretariat"].post(url, {"reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    world.reply.refresh_from_db()
    assert not world.reply.is_hidden
    moderation.post_hide(actor=users["secretariat"], post=world.reply, reason="First")
    response = personas["secretariat"].post(url, {"reason": "Second"})
    assert response.status_code == 400
    assert "This post is already hidden." in response.content.decode()
    world.reply.refresh_from_db()
    assert world.reply.hidden_reason == "First"
    assert audit_count() == before + 1


def test_restore_matrix_and_not_hidden(personas, users, world):
    url = reverse("forum:post_restore", kwargs={"pk": world.reply.pk})
    moderation.post_hide(actor=users["secretariat"], post=world.reply, reason="x")
    before = audit_count()
    # Non-moderators cannot even see the hidden post: 404.
    check_matrix(personas, "post", url, MODERATORS_ONLY)
    world.reply.refresh_from_db()
    assert world.reply.is_hidden and audit_count() == before
    assert personas["secretariat"].get(url).status_code == 405
    personas["secretariat"].post(url)
    response = personas["secretariat"].post(url)
    assert response.status_code == 302
    assert last_message(response) == "This post is not hidden."
    assert audit_count() == before + 1


def test_dismiss_flags(personas, users, world):
    first = moderation.post_flag(actor=users["member"], post=world.reply, reason="a")
    second = moderation.post_flag(actor=users["coordinator"], post=world.reply, reason="b")
    url = reverse("forum:flag_dismiss", kwargs={"pk": first.pk})
    before = audit_count()
    check_matrix(personas, "post", url, MODERATORS_ONLY)
    assert audit_count() == before
    response = personas["secretariat"].post(url)
    assert (response.status_code, response["Location"]) == (302, reverse("forum:moderation_queue"))
    assert set(Flag.objects.values_list("status", flat=True)) == {"dismissed"}
    event = AuditEvent.objects.get(action=AuditAction.POST_RESTORED)
    assert event.details == {
        "post": world.reply.pk,
        "thread": world.thread.pk,
        "space": world.plenary.pk,
        "dismissed": True,
        "flags_resolved": [first.pk, second.pk],
    }
    response = personas["secretariat"].post(url)
    assert last_message(response) == "This flag was already handled."
    assert audit_count() == before + 1
    private_flag = moderation.post_flag(actor=users["coordinator"], post=world.secret_post, reason="c")
    assert (
        personas["secretariat"].post(reverse("forum:flag_dismiss", kwargs={"pk": private_flag.pk})).status_code == 404
    )
    private_flag.refresh_from_db()
    assert private_flag.status == "open"


# --- lock, pin ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "field", "value", "action"),
    [
        ("forum:thread_lock", "is_locked", True, AuditAction.THREAD_LOCKED),
        ("forum:thread_pin", "is_pinned", True, AuditAction.THREAD_PINNED),
    ],
)
def test_lock_and_pin_matrix(personas, world, name, field, value, action):
    url = reverse(name, kwargs={"pk": world.thread.pk})
    check_matrix(personas, "post", url, MODERATORS_ONLY)
    world.thread.refresh_from_db()
    assert getattr(world.thread, field) is False
    assert not AuditEvent.objects.filter(action=action).exists()
    assert personas["secretariat"].get(url).status_code == 405
    response = personas["secretariat"].post(url)
    assert (response.status_code, response["Location"]) == (302, thread_url(world.thread.pk))
    world.thread.refresh_from_db()
    assert getattr(world.thread, field) is value
    assert AuditEvent.objects.get(action=action).details == {"space": world.plenary.pk}
    private_url = reverse(name, kwargs={"pk": world.secret.pk})
    check_matrix(
        personas,
        "post",
        private_url,
        {"anonymous": 302, "member_other": 404, "coordinator": 404, "coordinator_other": 404, "secretariat": 404},
    )
    world.secret.refresh_from_db()
    assert getattr(world.secret, field) is False


def test_lock_stops_replies_and_unlock(personas, users, world):
    personas["secretariat"].post(reverse("forum:thread_lock", kwargs={"pk": world.thread.pk}))
    world.thread.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.post_create(actor=users["member"], thread=world.thread, body="late")
    response = personas["secretariat"].post(reverse("forum:thread_lock", kwargs={"pk": world.thread.pk}))
    assert last_message(response) == "The thread is already locked."
    assert AuditEvent.objects.filter(action=AuditAction.THREAD_LOCKED).count() == 1
    personas["secretariat"].post(reverse("forum:thread_unlock", kwargs={"pk": world.thread.pk}))
    world.thread.refresh_from_db()
    assert world.thread.is_locked is False
    assert AuditEvent.objects.filter(action=AuditAction.THREAD_UNLOCKED).count() == 1
    response = personas["secretariat"].post(reverse("forum:thread_unlock", kwargs={"pk": world.thread.pk}))
    assert last_message(response) == "The thread is not locked."


def test_pin_then_unpin(personas, world):
    personas["secretariat"].post(reverse("forum:thread_pin", kwargs={"pk": world.thread.pk}))
    response = personas["secretariat"].post(reverse("forum:thread_unpin", kwargs={"pk": world.thread.pk}))
    assert last_message(response) == "The thread is no longer pinned."
    world.thread.refresh_from_db()
    assert world.thread.is_pinned is False
    assert AuditEvent.objects.filter(action=AuditAction.THREAD_UNPINNED).count() == 1


# --- move --------------------------------------------------------------------------------------------------------


def test_move_matrix_and_move(personas, users, world):
    url = reverse("forum:thread_move", kwargs={"pk": world.thread.pk})
    check_matrix(personas, "get", url, {**MODERATORS_ONLY, "secretariat": 200})
    check_matrix(personas, "post", url, MODERATORS_ONLY, data={"space": world.second.pk})
    world.thread.refresh_from_db()
    assert world.thread.space_id == world.plenary.pk
    assert not AuditEvent.objects.filter(action=AuditAction.THREAD_MOVED).exists()
    body = page_of(personas["secretariat"], url)
    assert "Second plenary" in body and "BR draft request" not in body
    response = personas["secretariat"].post(url, {"space": world.second.pk})
    assert response.status_code == 302
    world.thread.refresh_from_db()
    assert world.thread.space_id == world.second.pk
    event = AuditEvent.objects.get(action=AuditAction.THREAD_MOVED)
    assert event.details == {"from": world.plenary.pk, "to": world.second.pk}


def test_move_rejected_inputs(personas, users, world):
    url = reverse("forum:thread_move", kwargs={"pk": world.thread.pk})
    for target in (world.plenary.pk, world.private.pk, 99999, "abc"):
        response = personas["secretariat"].post(url, {"space": target})
        assert response.status_code == 400, target
        assert "Choose another open space that you moderate." in response.content.decode()
    world.thread.refresh_from_db()
    assert world.thread.space_id == world.plenary.pk
    assert not AuditEvent.objects.filter(action=AuditAction.THREAD_MOVED).exists()


def test_threads_never_leave_a_private_consultation(personas, users, world):
    other_private = services.space_create(actor=users["member"], kind=SpaceKind.PRIVATE, name="Another")
    permissions.forget(users["member"])
    url = reverse("forum:thread_move", kwargs={"pk": world.secret.pk})
    body = personas["member"].get(url).content.decode()
    assert "A thread of a private consultation cannot be moved" in body
    response = personas["member"].post(url, {"space": other_private.pk})
    assert response.status_code == 400
    with pytest.raises(ValidationError) as info:
        moderation.thread_move(actor=users["member"], thread=world.secret, to_space=other_private)
    assert info.value.message_dict == {
        "space": [
            "A thread of a private consultation cannot be moved: only the consultation's participants may read it."
        ]
    }
    world.secret.refresh_from_db()
    assert world.secret.space_id == world.private.pk


# --- legal hold --------------------------------------------------------------------------------------------------


def test_legal_hold_matrix_set_and_release(personas, users, world):
    url = reverse("forum:thread_legal_hold", kwargs={"pk": world.thread.pk})
    check_matrix(personas, "get", url, {**MODERATORS_ONLY, "secretariat": 200})
    check_matrix(personas, "post", url, MODERATORS_ONLY, data={"reason": "Case 12/2025"})
    world.thread.refresh_from_db()
    assert world.thread.legal_hold is False
    response = personas["secretariat"].post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Give a reason." in response.content.decode()
    world.thread.refresh_from_db()
    assert world.thread.legal_hold is False
    assert not AuditEvent.objects.filter(action=AuditAction.LEGAL_HOLD_SET).exists()
    response = personas["secretariat"].post(url, {"reason": "Case 12/2025"})
    assert response.status_code == 302
    world.thread.refresh_from_db()
    assert world.thread.legal_hold is True
    assert AuditEvent.objects.get(action=AuditAction.LEGAL_HOLD_SET).details == {
        "space": world.plenary.pk,
        "reason": "Case 12/2025",
    }
    assert "Release the legal hold" in personas["secretariat"].get(url).content.decode()
    personas["secretariat"].post(url, {"reason": ""})
    world.thread.refresh_from_db()
    assert world.thread.legal_hold is False
    assert AuditEvent.objects.get(action=AuditAction.LEGAL_HOLD_RELEASED).details == {
        "space": world.plenary.pk,
        "reason": "",
    }


def test_legal_hold_on_private_consultation_by_its_moderator_only(personas, users, world):
    url = reverse("forum:thread_legal_hold", kwargs={"pk": world.secret.pk})
    check_matrix(
        personas,
        "post",
        url,
        {"anonymous": 302, "member_other": 404, "coordinator": 404, "coordinator_other": 404, "secretariat": 404},
        data={"reason": "x"},
    )
    world.secret.refresh_from_db()
    assert world.secret.legal_hold is False
    assert personas["member"].post(url, {"reason": "Court order"}).status_code == 302
    world.secret.refresh_from_db()
    assert world.secret.legal_hold is True


# --- retention ---------------------------------------------------------------------------------------------------


def test_retention_matrix_and_set(personas, users, world):
    url = reverse("forum:space_retention", kwargs={"slug": "plenary"})
    check_matrix(personas, "get", url, {**MODERATORS_ONLY, "secretariat": 200})
    check_matrix(personas, "post", url, MODERATORS_ONLY, data={"retention_months": "12"})
    world.plenary.refresh_from_db()
    assert world.plenary.retention_months is None
    response = personas["secretariat"].post(url, {"retention_months": "24"})
    assert (response.status_code, response["Location"]) == (302, url)
    world.plenary.refresh_from_db()
    assert world.plenary.retention_months == 24
    assert AuditEvent.objects.get(action=AuditAction.SPACE_UPDATED).details == {
        "retention_months": {"from": None, "to": 24}
    }
    personas["secretariat"].post(url, {"retention_months": ""})
    world.plenary.refresh_from_db()
    assert world.plenary.retention_months is None
    assert AuditEvent.objects.filter(action=AuditAction.SPACE_UPDATED).count() == 2
    check_matrix(
        personas,
        "get",
        reverse("forum:space_retention", kwargs={"slug": "br-draft"}),
        {
            "anonymous": 302,
            "member": 200,
            "member_other": 404,
            "coordinator": 404,
            "coordinator_other": 404,
            "secretariat": 404,
        },
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("1201", "Ensure this value is less than or equal to 1200."),
        ("twelve", "Enter a whole number."),
    ],
)
def test_retention_rejected_inputs(personas, world, value, message):
    world.plenary.retention_months = 6
    world.plenary.save(update_fields=["retention_months"])
    url = reverse("forum:space_retention", kwargs={"slug": "plenary"})
    response = personas["secretariat"].post(url, {"retention_months": value})
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert f'value="{value}"' in body
    world.plenary.refresh_from_db()
    assert world.plenary.retention_months == 6
    assert not AuditEvent.objects.filter(action=AuditAction.SPACE_UPDATED).exists()


def test_retention_service_rejects_bad_values(users, world):
    for value in (0, -1, 1201, 1.5, True, "3"):
        with pytest.raises(ValidationError):
            moderation.space_retention_set(actor=users["secretariat"], space=world.plenary, months=value)
    with pytest.raises(PermissionDenied):
        moderation.space_retention_set(actor=users["member"], space=world.plenary, months=3)


def test_hidden_post_counts_stay(personas, users, world):
    """Hiding takes a post out of sight, not out of the thread: the counters, numbers and pages stay as they were, so
    permanent links and unread counts keep pointing at the same posts."""
    before = Thread.objects.values("post_count", "last_post_number", "last_post_id_cache", "last_post_at").get(
        pk=world.thread.pk
    )
    assert (before["post_count"], before["last_post_number"], before["last_post_id_cache"]) == (2, 2, world.reply.pk)
    moderation.post_hide(actor=users["secretariat"], post=world.reply, reason="Off topic")
    assert Post.objects.get(pk=world.reply.pk).is_hidden is True
    after = Thread.objects.values("post_count", "last_post_number", "last_post_id_cache", "last_post_at").get(
        pk=world.thread.pk
    )
    assert after == before
    assert list(Post.objects.filter(thread=world.thread).order_by("number").values_list("pk", "number")) == [
        (world.opening.pk, 1),
        (world.reply.pk, 2),
    ]
    # A reader still sees the post's place (number 2) without its text; its moderator sees both.
    page = personas["coordinator_other"].get(f"/en/forum/t/{world.thread.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'aria-label="Link to post 2">' in body
    assert "How do you handle <strong>bank records</strong>?" in body
    assert "We ask the court first." not in body
    moderator_page = personas["secretariat"].get(f"/en/forum/t/{world.thread.pk}/").content.decode()
    assert "We ask the court first." in moderator_page
    assert "Hidden from readers by a moderator. Reason: Off topic" in moderator_page


def test_move_takes_attachments_along_and_refuses_red(users, settings, tmp_path):
    from django.core.exceptions import ValidationError

    from comity.files import services as files_services
    from comity.forum import moderation
    from comity.forum import services as forum_services
    from comity.forum.models import TLP, SpaceKind

    settings.COMITY_FILE_ROOT = tmp_path
    first = forum_services.space_create(actor=users["secretariat"], kind=SpaceKind.PLENARY, name="First")
    second = forum_services.space_create(actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Second")
    thread = forum_services.thread_create(actor=users["member"], space=first, title="t", body="b")
    attachment = files_services.attachment_create(
        actor=users["member"], space=first, post=thread.posts.get(), filename="n.txt", content=[b"note\n"]
    )
    moderation.thread_move(actor=users["secretariat"], thread=thread, to_space=second)
    attachment.refresh_from_db()
    assert attachment.space_id == second.pk
    red = forum_services.thread_create(actor=users["member"], space=first, title="r", body="b", tlp=TLP.RED)
    with pytest.raises(ValidationError):
        moderation.thread_move(actor=users["secretariat"], thread=red, to_space=second)
    red.refresh_from_db()
    assert red.space_id == first.pk


def test_audit_details_of_a_private_consultation_keep_ids_but_no_words(users, world):
    """The audit log is read by people outside a consultation (the actor's coordinators, the secretariat): its
    moderators' reasons are kept on the post but not in the log; in other spaces the log keeps them."""
    member = users["member"]  # the consultation's creator and moderator
    moderation.post_hide(actor=member, post=world.secret_post, reason="Names the suspect")
    moderation.thread_legal_hold_set(actor=member, thread=world.secret, reason="Case 7/2026 against the suspect")
    moderation.thread_legal_hold_release(actor=member, thread=world.secret, reason="Case closed")
    moderation.post_hide(actor=users["secretariat"], post=world.reply, reason="Personal data")
    details = list(
        AuditEvent.objects.filter(
            action__in=[AuditAction.POST_HIDDEN, AuditAction.LEGAL_HOLD_SET, AuditAction.LEGAL_HOLD_RELEASED]
        )
        .order_by("seq")
        .values_list("action", "details")
    )
    private = {"space": world.private.pk}
    assert details == [
        (
            "forum.post_hidden",
            {**private, "post": world.secret_post.pk, "thread": world.secret.pk, "reason": "", "flags_resolved": []},
        ),
        ("forum.legal_hold_set", {**private, "reason": ""}),
        ("forum.legal_hold_released", {**private, "reason": ""}),
        (
            "forum.post_hidden",
            {
                "space": world.plenary.pk,
                "post": world.reply.pk,
                "thread": world.thread.pk,
                "reason": "Personal data",
                "flags_resolved": [],
            },
        ),
    ]
    assert Post.objects.get(pk=world.secret_post.pk).hidden_reason == "Names the suspect"  # kept where it is read
    space_created = AuditEvent.objects.get(action=AuditAction.SPACE_CREATED, target_id=str(world.private.pk))
    assert space_created.details == {
        "kind": "private",
        "name": "",
        "users": [users["coordinator"].pk],
        "authorities": [],
    }
