"""htmx works with data-hx-* attributes, and loads only on pages that use it; the unread count is in the header
as the page arrives (no request for it)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from comity.accounts.tests.factories import UserFactory
from comity.core import header
from comity.forum import services as forum_services
from comity.forum.models import SpaceKind
from comity.notifications import selectors as notification_selectors
from comity.notifications.models import Notification
from comity.reference.tests.factories import CountryFactory
from comity.testing import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def unread_in_header():
    # notifications/apps.py registers this at start-up (see the merge notes); the test does it itself meanwhile.
    provider = header.register_unread_count(notification_selectors.notification_unread_count)
    yield
    header.unregister_unread_count(provider)


def _luminance(css: str) -> float:
    red, green, blue = (int(part) / 255 for part in css[css.index("(") + 1 : css.index(")")].split(",")[:3])

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def _contrast(foreground: str, background: str) -> float:
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_marking_a_notification_read_swaps_the_row_in_place(browser, live_server, unread_in_header):
    brazil = CountryFactory(iso2="BR", name_en="Brazil")
    admin = UserFactory(email="admin@example.test", role="secretariat", country=brazil)
    reader = UserFactory(email="reader@example.test", country=brazil)
    space = forum_services.space_create(actor=admin, kind=SpaceKind.PLENARY, name="Plenary")
    thread = forum_services.thread_create(actor=admin, space=space, title="Bank records", body="Hello")
    note = Notification.objects.create(user=reader, kind="mention", thread=thread, post=thread.posts.get())
    client = sign_in(Client(), reader)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context()
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(f"{live_server.url}/en/countries/")
    assert page.locator("script[src*='htmx']").count() == 0
    assert " ".join(page.locator("#notifications-link .badge").text_content().split()) == "1 unread"
    assert not [url for url in requests if "unread" in url]
    colours = page.locator("#notifications-link .badge").evaluate(
        "el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]"
    )
    assert _contrast(*colours) >= 4.5, colours

    page.goto(f"{live_server.url}/en/notifications/")
    assert page.locator("script[src*='htmx']").count() == 1
    row = page.locator(f"#notification-{note.pk}")
    with page.expect_response(lambda response: "/read/" in response.url) as answer:
        row.get_by_role("button", name="Mark as read").click()
    assert answer.value.request.headers.get("hx-request") == "true"
    page.locator(f"#notification-{note.pk} button").wait_for(state="detached")
    assert page.url == f"{live_server.url}/en/notifications/"
    note.refresh_from_db()
    assert note.read_at is not None
    context.close()
