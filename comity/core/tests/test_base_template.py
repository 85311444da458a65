"""The frame of every page: the header menu and the links each role may follow, the unread count rendered on the
server, the status region, and htmx only on the pages that use it."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comity.core import header
from comity.forum import services as forum_services
from comity.forum.models import SpaceKind
from comity.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def plenary(users):
    return forum_services.space_create(actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Plenary")


NAV_EXTRAS = {
    "/en/forum/search/": "Search the forum",
    "/en/forum/moderation/": "Moderation",
    "/en/directory/import/": "Import",
    "/en/directory/dashboard/": "Freshness",
}


def nav_links(page: str) -> set[str]:
    nav = page.split('<nav class="main-nav"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'<a href="([^"]+)">', nav))


ROLE_EXTRAS = [
    ("anonymous", set()),
    ("member", {"/en/forum/search/"}),
    ("observer", set()),
    ("moderator", {"/en/forum/search/", "/en/forum/moderation/"}),
    ("coordinator", {"/en/forum/search/", "/en/directory/import/", "/en/directory/dashboard/"}),
    ("secretariat", set(NAV_EXTRAS)),
]


@pytest.mark.parametrize(("persona", "expected"), ROLE_EXTRAS)
def test_navigation_links_the_pages_each_role_may_use(personas, plenary, persona, expected):
    page = personas[persona].get("/en/countries/").content.decode()
    assert nav_links(page) & set(NAV_EXTRAS) == expected
    for path in expected:  # and each link opens
        assert personas[persona].get(path).status_code == 200, path


def test_the_navigation_kept_per_language_and_role_is_never_another_ones(personas, users):
    """The navigation is rendered once per process for each language and kind of user (jinja2env main_nav)."""
    for language in ("en", "ar", "en"):
        for persona, expected in ROLE_EXTRAS + ROLE_EXTRAS[::-1]:
            page = personas[persona].get(f"/{language}/countries/").content.decode()
            links = nav_links(page)
            assert {link.replace(f"/{language}/", "/en/", 1) for link in links} & set(NAV_EXTRAS) == expected
            assert all(link.startswith(f"/{language}/") for link in links)
            assert (f'href="/{language}/directory/authorities/"' in page) == (persona != "anonymous")
    users["secretariat"].is_active = False
    users["secretariat"].save(update_fields=["is_active"])
    assert nav_links(personas["secretariat"].get("/en/countries/").content.decode()) & set(NAV_EXTRAS) == set()


def test_header_is_a_disclosure_and_the_status_region_is_always_there(personas):
    page = personas["member"].get("/en/countries/").content.decode()
    assert '<details class="header-menu">\n        <summary>Menu</summary>' in page
    assert '<div class="messages" role="status" id="messages"></div>' in page


def test_htmx_loads_only_on_pages_that_use_it(personas, users, plenary):
    countries = personas["member"].get("/en/countries/").content.decode()
    assert "htmx" not in countries
    assert "htmx" not in personas["member"].get("/en/notifications/").content.decode()  # nothing to mark read
    thread = forum_services.thread_create(actor=users["secretariat"], space=plenary, title="Hello", body="Hello")
    Notification.objects.create(user=users["member"], kind="mention", thread=thread, post=thread.posts.get())
    notifications = personas["member"].get("/en/notifications/").content.decode()
    assert notifications.count('src="/static/core/vendor/htmx.min.js"') == 1
    assert '<meta name="htmx-config"' in notifications


@pytest.fixture
def provider():
    calls = []

    def count(*, user) -> int:
        calls.append(user.pk)
        return 3

    header.register_unread_count(count)
    yield calls
    header.unregister_unread_count(count)


def test_unread_count_is_in_the_page_without_a_query_of_its_own(personas, users, provider):
    client = personas["member"]
    page = client.get("/en/countries/").content.decode()
    assert (
        '<a href="/en/notifications/" id="notifications-link">Notifications <span class="badge">3'
        '<span class="visually-hidden"> unread</span></span></a>'
    ) in page
    assert "notifications/unread" not in page
    with CaptureQueriesContext(connection) as queries:
        client.get("/en/countries/")
    assert provider == [users["member"].pk, users["member"].pk]  # asked on every page
    assert not [q for q in queries.captured_queries if "notifications_notification" in q["sql"].lower()]
    assert 'class="badge"' not in personas["anonymous"].get("/en/countries/").content.decode()
