"""The notification centre, preferences and API: permission matrix, rejected input, constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comity.accounts.services import api_token_create
from comity.forum import services as forum_services
from comity.notifications import services
from comity.notifications.models import EmailMode, Notification, NotificationPreference
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

MEMBERS_OK = {
    "anonymous": 302,
    "member": 200,
    "member_other": 200,
    "coordinator": 200,
    "coordinator_other": 200,
    "secretariat": 200,
}


@pytest.fixture
def notes(users, plenary, private, django_capture_on_commit_callbacks):
    """A plenary mention of member_other, and a private-consultation mention of member (BR only)."""
    with django_capture_on_commit_callbacks(execute=True):
        open_thread = forum_services.thread_create(
            actor=users["coordinator"], space=plenary, title="Open one", body="@member.id hello"
        )
        secret = forum_services.thread_create(
            actor=users["coordinator"], space=private, title="Draft request", body="@member.br please look"
        )
    return {"plenary": Notification.objects.get(thread=open_thread), "private": Notification.objects.get(thread=secret)}


def test_pages_for_every_persona(personas, notes):
    check_matrix(personas, "GET", "/en/notifications/", MEMBERS_OK)
    check_matrix(personas, "GET", "/en/notifications/unread/", {**MEMBERS_OK, "anonymous": 204})
    check_matrix(personas, "GET", "/en/notifications/preferences/", MEMBERS_OK)
    check_matrix(personas, "POST", "/en/notifications/read-all/", {name: 302 for name in MEMBERS_OK})


def test_private_notification_answers_404_to_everyone_else_and_changes_nothing(personas, notes):
    pk = notes["private"].pk
    others = {"anonymous": 302, "member_other": 404, "coordinator": 404, "coordinator_other": 404, "secretariat": 404}
    check_matrix(personas, "GET", f"/en/notifications/{pk}/", others)
    check_matrix(personas, "POST", f"/en/notifications/{pk}/read/", others)
    check_matrix(
        personas,
        "POST",
        f"/api/v1/notifications/{pk}/read/",
        {"anonymous": 401, "member_other": 404, "coordinator": 404, "coordinator_other": 404, "secretariat": 404},
    )
    thread_id = notes["private"].thread_id
    check_matrix(
        personas,
        "GET",
        f"/en/notifications/preferences/?thread={thread_id}",
        {"anonymous": 302, "member": 200, "member_other": 404, "coordinator_other": 404, "secretariat": 404},
    )
    notes["private"].refresh_from_db()
    assert notes["private"].read_at is None
    anchors = {
        "member_other": ["1 unread notification", "Open one"],
        "coordinator_other": ["0 unread notifications"],
        "secretariat": ["0 unread notifications"],
    }
    for name, own in anchors.items():
        response = personas[name].get("/en/notifications/")
        assert response.status_code == 200
        body = response.content.decode()
        assert [text in body for text in own] == [True] * len(own)  # the page lists what is theirs...
        assert "Draft request" not in body  # ...and nothing of the private consultation


def test_list_shows_own_notifications_with_mark_and_unread_count(personas, notes):
    body = personas["member"].get("/en/notifications/").content.decode()
    assert "1 unread notification" in body
    assert "TLP:GREEN" in body and "Draft request" in body and "Open one" not in body
    assert f'href="/en/notifications/{notes["private"].pk}/"' in body
    badge = personas["member"].get("/en/notifications/unread/").content.decode()
    assert '<span class="tag">1<span class="visually-hidden"> unread</span></span>' in badge
    assert badge.startswith('<a href="/en/notifications/" id="notifications-link">Notifications <span')


def test_open_marks_read_and_goes_to_the_post(personas, notes):
    note = notes["plenary"]
    response = personas["member_other"].get(f"/en/notifications/{note.pk}/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"#post-{note.post_id}")
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_read_and_mark_all_read(personas, notes, users, plenary, django_capture_on_commit_callbacks):
    client = personas["member_other"]
    with django_capture_on_commit_callbacks(execute=True):
        forum_services.thread_create(actor=users["member"], space=plenary, title="Two", body="@member.id again")
    first = notes["plenary"]
    response = client.post(f"/en/notifications/{first.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'<tr id="notification-{first.pk}">' in response.content.decode()
    assert Notification.objects.filter(user=users["member_other"], read_at__isnull=True).count() == 1
    response = client.post("/en/notifications/read-all/", follow=True)
    assert "1 notification marked as read." in response.content.decode()
    assert Notification.objects.filter(user=users["member_other"], read_at__isnull=True).count() == 0
    assert client.get(f"/en/notifications/{first.pk}/read/").status_code == 405


def test_removed_reader_loses_the_notification_too(personas, notes, users, plenary):
    forum_services.space_member_remove(actor=users["secretariat"], space=plenary, user=users["member_other"])
    assert personas["member_other"].get(f"/en/notifications/{notes['plenary'].pk}/").status_code == 404
    assert "0 unread notifications" in personas["member_other"].get("/en/notifications/").content.decode()


def test_list_query_count_does_not_grow(
    personas, users, plenary, django_capture_on_commit_callbacks, django_assert_num_queries, nothing_kept
):
    client = personas["member_other"]

    def add(n):
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(n):
                forum_services.thread_create(actor=users["member"], space=plenary, title=f"T{i}", body="@member.id x")

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/en/notifications/").status_code == 200
    add(40)
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get("/en/notifications/").status_code == 200
    # session, user, device, tracked session, country, readable spaces, page count, unread count, rows (the session
    # is not saved: nothing in it changed)
    assert len(few.captured_queries) == 9


# --- preferences ---------------------------------------------------------------------------------------------


def test_preferences_default_space_and_thread(personas, users, plenary, notes):
    client = personas["member_other"]
    assert (
        client.post("/en/notifications/preferences/", {"action": "default", "default-email_mode": "weekly"}).status_code
        == 302
    )
    assert (
        client.post(
            "/en/notifications/preferences/",
            {"action": "space", "space-space": plenary.pk, "space-email_mode": "daily"},
        ).status_code
        == 302
    )
    thread_id = notes["plenary"].thread_id
    response = client.post(
        f"/en/notifications/preferences/?thread={thread_id}", {"action": "thread", "thread-email_mode": "none"}
    )
    assert response.status_code == 302
    rows = list(
        NotificationPreference.objects.filter(user=users["member_other"])
        .order_by("pk")
        .values_list("space_id", "thread_id", "email_mode")
    )
    assert rows == [(None, None, "weekly"), (plenary.pk, None, "daily"), (None, thread_id, "none")]
    body = client.get("/en/notifications/preferences/").content.decode()
    assert "Space: Plenary" in body and "Thread: Open one" in body and "No e-mail" in body


def test_preferences_rejected_input_keeps_what_was_there(personas, users, private, notes):
    services.preference_set(user=users["member_other"], email_mode=EmailMode.DAILY)
    client = personas["member_other"]
    response = client.post("/en/notifications/preferences/", {"action": "default", "default-email_mode": "hourly"})
    assert response.status_code == 400
    assert "Select a valid choice. hourly is not one of the available choices." in response.content.decode()
    response = client.post(
        "/en/notifications/preferences/", {"action": "space", "space-space": private.pk, "space-email_mode": "none"}
    )
    assert response.status_code == 400
    assert f"Select a valid choice. {private.pk} is not one of the available choices." in response.content.decode()
    own = NotificationPreference.objects.get(user=users["member_other"])
    mine = services.preference_set(user=users["member"], email_mode=EmailMode.NONE, space=private)
    assert client.post("/en/notifications/preferences/", {"action": "remove", "preference": mine.pk}).status_code == 404
    assert client.post("/en/notifications/preferences/", {"action": "remove", "preference": own.pk}).status_code == 400
    response = client.post("/en/notifications/preferences/", {"action": "nonsense"})
    assert response.status_code == 400 and "Unknown action." in response.content.decode()
    assert list(NotificationPreference.objects.values_list("user__email", "space_id", "email_mode").order_by("pk")) == [
        ("member.id@example.test", None, "daily"),
        ("member.br@example.test", private.pk, "none"),
    ]


# --- API -----------------------------------------------------------------------------------------------------


def test_api_list_read_and_count(personas, notes):
    client = personas["member_other"]
    data = client.get("/api/v1/notifications/").json()
    assert data["count"] == 1
    item = data["results"][0]
    assert (item["id"], item["kind"], item["kind_label"], item["unread"], item["thread"]["tlp"]) == (
        notes["plenary"].pk,
        "mention",
        "You were mentioned",
        True,
        "green",
    )
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    response = client.post(f"/api/v1/notifications/{notes['plenary'].pk}/read/")
    assert response.status_code == 200 and response.json()["unread"] is False
    assert client.get("/api/v1/notifications/?unread=1").json()["count"] == 0
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 0}
    assert personas["anonymous"].get("/api/v1/notifications/").status_code == 401


def test_api_read_scope_token_cannot_write(client, users, notes):
    _token, raw = api_token_create(user=users["member_other"], name="read", scope="read")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/notifications/", **headers).json()["count"] == 1
    response = client.post(f"/api/v1/notifications/{notes['plenary'].pk}/read/", **headers)
    assert response.status_code == 403
    notes["plenary"].refresh_from_db()
    assert notes["plenary"].read_at is None


def test_header_badge_follows_new_and_read_notifications(personas, notes, users, plenary):
    """The header's count is the counter on the user's row: one more per notification, recounted when read."""
    badge = '<span class="badge">{}<span class="visually-hidden"> unread</span></span>'
    client = personas["member_other"]
    assert badge.format(1) in client.get("/en/countries/").content.decode()
    users["member_other"].refresh_from_db()
    assert users["member_other"].unread_notifications == 1
    client.get(f"/en/notifications/{notes['plenary'].pk}/")  # opening it marks it read
    users["member_other"].refresh_from_db()
    assert users["member_other"].unread_notifications == 0
    assert 'class="badge"' not in client.get("/en/countries/").content.decode()
