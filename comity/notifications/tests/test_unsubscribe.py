"""One-click unsubscribe (RFC 8058): POST with no sign-in and no CSRF token; GET changes nothing."""

import pytest
from django.core import signing
from django.test import Client

from comity.forum import permissions
from comity.forum import services as forum_services
from comity.forum.models import NotifyLevel, SpaceMember, ThreadSubscription
from comity.mail.models import OutboxEmail
from comity.notifications import links, services
from comity.notifications.models import EmailMode, Notification, NotificationPreference

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def thread(users, plenary, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return forum_services.thread_create(actor=users["member"], space=plenary, title="Hello", body="@ID hi")


def path_of(url):
    return url.removeprefix("http://127.0.0.1:8000")


def test_link_from_the_mail_header_mutes_the_thread_with_one_post(
    anonymous, users, thread, django_capture_on_commit_callbacks
):
    header = OutboxEmail.objects.get(to="member.id@example.test").headers["List-Unsubscribe"]
    url = path_of(header.strip("<>"))
    response = anonymous.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Stop notifications about this thread" in body and '<button type="submit">Unsubscribe</button>' in body
    assert "Hello" not in body  # the page names no thread: the link may have been forwarded
    assert not ThreadSubscription.objects.exclude(user=thread.author).exists()  # GET changes nothing
    response = anonymous.post(url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "Done." in response.content.decode()
    assert ThreadSubscription.objects.get(user=users["member_other"], thread=thread).level == NotifyLevel.MUTED
    assert anonymous.post(url).status_code == 200  # idempotent
    with django_capture_on_commit_callbacks(execute=True):
        forum_services.post_create(actor=users["member"], thread=thread, body="@ID again")
    assert sorted(Notification.objects.filter(post__body="@ID again").values_list("user__email", flat=True)) == [
        "coord.id@example.test"
    ]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("aa" if not t.endswith("aa") else "bb"),
        lambda t: signing.dumps({"u": 1, "s": "thread", "o": 1}),  # signed, but for another purpose
        lambda t: signing.dumps({"u": 1, "s": "everything", "o": 1}, salt=links.UNSUBSCRIBE_SALT),
        lambda t: "not-a-token",
    ],
)
def test_tampered_token_is_refused_with_a_message_and_changes_nothing(anonymous, users, thread, mangle):
    token = mangle(links.unsubscribe_token(user_id=users["member_other"].pk, scope="thread", object_id=thread.pk))
    for method in ("get", "post"):
        response = getattr(anonymous, method)(f"/en/notifications/unsubscribe/{token}/")
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert not ThreadSubscription.objects.exclude(user=thread.author).exists()  # the author watches what they wrote


def test_space_unsubscribe_mutes_without_granting_access(anonymous, users, plenary, private):
    other = users["member_other"]
    token = links.unsubscribe_token(user_id=other.pk, scope="space", object_id=plenary.pk)
    assert anonymous.post(f"/en/notifications/unsubscribe/{token}/").status_code == 200
    row = SpaceMember.objects.get(user=other, space=plenary)
    assert row.notify_level == NotifyLevel.MUTED
    # A token for a space the person cannot read does nothing (and reveals nothing).
    token = links.unsubscribe_token(user_id=other.pk, scope="space", object_id=private.pk)
    assert anonymous.post(f"/en/notifications/unsubscribe/{token}/").status_code == 200
    assert not SpaceMember.objects.filter(user=other, space=private).exists()
    permissions.forget(other)
    assert not permissions.spaces_visible_to(other).filter(pk=private.pk).exists()


def test_digest_unsubscribe_turns_that_digest_off(anonymous, users, plenary):
    other = users["member_other"]
    services.preference_set(user=other, email_mode=EmailMode.DAILY)
    services.preference_set(user=other, email_mode=EmailMode.WEEKLY, space=plenary)
    token = links.unsubscribe_token(user_id=other.pk, scope="daily")
    assert "Stop the daily digest" in anonymous.get(f"/en/notifications/unsubscribe/{token}/").content.decode()
    assert anonymous.post(f"/en/notifications/unsubscribe/{token}/").status_code == 200
    assert list(NotificationPreference.objects.order_by("pk").values_list("space_id", "email_mode")) == [
        (None, "none"),
        (plenary.pk, "weekly"),
    ]


def test_token_for_something_gone_answers_404_with_a_message(anonymous, users, thread):
    token = links.unsubscribe_token(user_id=users["member_other"].pk, scope="thread", object_id=thread.pk + 99)
    response = anonymous.post(f"/en/notifications/unsubscribe/{token}/")
    assert response.status_code == 404
    assert "There is nothing to unsubscribe from" in response.content.decode()
    token = links.unsubscribe_token(user_id=999999, scope="daily")
    assert anonymous.post(f"/en/notifications/unsubscribe/{token}/").status_code == 404


def test_other_methods_are_refused(anonymous, users, thread):
    token = links.unsubscribe_token(user_id=users["member_other"].pk, scope="thread", object_id=thread.pk)
    assert anonymous.put(f"/en/notifications/unsubscribe/{token}/").status_code == 405
    assert not ThreadSubscription.objects.exclude(user=thread.author).exists()  # the author watches what they wrote
