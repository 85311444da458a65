"""A page view does not write the session: activity is recorded at most once a minute, and the idle timeout holds."""

from __future__ import annotations

import time
from contextlib import contextmanager
from importlib import import_module
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from comity.accounts.middleware import LAST_SEEN, TOUCH_EVERY
from comity.accounts.models import UserSession

pytestmark = pytest.mark.django_db

PAGES = [
    "/en/accounts/profile/",
    "/en/directory/authorities/",
    "/en/directory/finder/?requesting=BR&requested=FR&type=mla",
    "/en/countries/BR/",
    "/en/forum/",
    "/en/notifications/",
    "/api/v1/threads/",
]


@contextmanager
def _session_saves():
    """Every save of a session, whichever store holds them (the database, or Redis in production)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    saves: list[str | None] = []
    original = store.save

    def save(self, *args, **kwargs):
        saves.append(self.session_key)
        return original(self, *args, **kwargs)

    with mock.patch.object(store, "save", save):
        yield saves


def _set_last_seen(client, value: float) -> None:
    session = client.session
    session[LAST_SEEN] = value
    session.save()


@pytest.mark.parametrize("url", PAGES)
def test_a_page_view_writes_neither_the_session_nor_its_cookie(personas, brazil, url):
    client = personas["member"]
    before = dict(client.session.items())
    with _session_saves() as saves:
        response = client.get(url)
    assert response.status_code == 200
    assert saves == []
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert dict(client.session.items()) == before


def test_activity_older_than_a_minute_is_recorded_once(personas, users):
    client = personas["member"]
    moment = time.time()
    _set_last_seen(client, moment - TOUCH_EVERY - 1)
    seen_at = timezone.now()
    with (
        mock.patch("comity.accounts.middleware.time") as clock,
        mock.patch("comity.accounts.middleware.timezone.now", return_value=seen_at),
        _session_saves() as saves,
    ):
        clock.time.return_value = moment
        assert client.get("/en/accounts/profile/").status_code == 200
        first = len(saves)
        assert client.get("/en/accounts/profile/").status_code == 200
    assert client.session[LAST_SEEN] == moment
    assert (first, len(saves)) == (1, 1)  # the second view wrote nothing
    assert UserSession.objects.get(user=users["member"]).last_seen_at == seen_at


def test_activity_within_the_minute_is_not_recorded(personas, users):
    client = personas["member"]
    recent = time.time() - TOUCH_EVERY + 5
    _set_last_seen(client, recent)
    seen_at = UserSession.objects.get(user=users["member"]).last_seen_at
    assert client.get("/en/accounts/profile/").status_code == 200
    assert client.session[LAST_SEEN] == recent
    assert UserSession.objects.get(user=users["member"]).last_seen_at == seen_at


def test_the_idle_timeout_counts_from_the_activity_recorded(personas):
    client = personas["member"]
    moment = time.time()
    _set_last_seen(client, moment - TOUCH_EVERY + 1)  # a view now is not recorded...
    assert client.get("/en/accounts/profile/").status_code == 200
    with mock.patch("comity.accounts.middleware.time") as clock:
        clock.time.return_value = moment + settings.SESSION_IDLE_TIMEOUT - TOUCH_EVERY + 2
        response = client.get("/en/accounts/profile/")  # ...so the session ends a minute early at most
    assert (response.status_code, response["Location"]) == (302, "/en/accounts/login/?next=/en/accounts/profile/")


def test_sessions_are_saved_only_when_they_change():
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert TOUCH_EVERY == 60


def test_views_get_the_user_itself_with_its_second_factor_not_a_lazy_proxy(users):
    """The middleware reads the user once and hands the views the user, not Django's and django-otp's lazy objects
    around it; the second factor and sign-out still work on it."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils.functional import LazyObject

    from comity.accounts import middleware
    from comity.testing import sign_in

    seen = []
    original = middleware.UserTimezoneMiddleware.__call__

    def spy(self, request):
        seen.append(request.user)
        return original(self, request)

    client = sign_in(Client(), users["member"])
    with mock.patch.object(middleware.UserTimezoneMiddleware, "__call__", spy):
        assert client.get("/en/accounts/profile/").status_code == 200
        client.post("/en/accounts/logout/")
        assert client.get("/en/accounts/profile/").status_code == 302
    member, after_logout = seen[0], seen[-1]
    assert type(member) is get_user_model() and not isinstance(member, LazyObject)
    assert member.pk == users["member"].pk and member.is_verified()
    assert not isinstance(after_logout, LazyObject) and not after_logout.is_authenticated
