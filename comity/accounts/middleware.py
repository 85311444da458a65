"""The second factor of a session, its lifetime (idle and absolute), revoked sessions, and the viewer's time zone."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django_otp.middleware import OTPMiddleware as BaseOTPMiddleware

from comity.accounts import kept
from comity.accounts.models import UserSession
from comity.core.timeutil import get_zone

AUTH_AT = "comity_auth_at"
LAST_SEEN = "comity_last_seen"
# Activity is recorded at most once a minute, so a page view writes neither the session nor the tracked
# session row: the idle timeout is therefore measured to the minute (a session ends between
# SESSION_IDLE_TIMEOUT - TOUCH_EVERY and SESSION_IDLE_TIMEOUT seconds after its last request).
TOUCH_EVERY = 60


class OTPMiddleware(BaseOTPMiddleware):
    """django-otp's middleware (`request.user.otp_device`, `is_verified()`), with the device kept between requests
    (`comity.accounts.kept`); it still checks the device's owner and confirmation on every request."""

    def _device_from_persistent_id(self, persistent_id: str):
        return kept.device(persistent_id, lambda: super(OTPMiddleware, self)._device_from_persistent_id(persistent_id))


def unwrapped(user):
    """The user behind `request.user`'s lazy objects (Django's, and django-otp's around it), read now: every later
    use of an attribute of the user (some 350 on a thread page) then goes straight to it, not through two proxies.
    Every middleware from here on reads the user anyway."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


class SessionLifetimeMiddleware:
    """Signs out a session that is idle too long, older than the absolute lifetime, or revoked.

    The session is saved only when it changes (SESSION_SAVE_EVERY_REQUEST is off): the last-seen time is
    refreshed when it is older than TOUCH_EVERY seconds, and that write also renews the session's expiry in
    the store, which is SESSION_IDLE_TIMEOUT after the save.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None:
            user = request.user = unwrapped(user)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            auth_at = session.get(AUTH_AT, 0)
            last_seen = session.get(LAST_SEEN, auth_at)
            expired = (
                now - auth_at > settings.SESSION_ABSOLUTE_LIFETIME or now - last_seen > settings.SESSION_IDLE_TIMEOUT
            )
            if expired or not kept.session_tracked(session.session_key, user.pk):
                UserSession.objects.filter(session_key=session.session_key, user=user).delete()
                logout(request)
            elif now - last_seen > TOUCH_EVERY and request.headers.get("X-Comity-Background") != "1":
                # Background polls (new posts, counters) do not count as activity for the idle timeout.
                UserSession.objects.filter(session_key=session.session_key, user=user).update(
                    last_seen_at=timezone.now()
                )
                session[LAST_SEEN] = now
        return self.get_response(request)


class UserTimezoneMiddleware:
    """Shows every date in the signed-in user's zone (UTC for visitors)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(get_zone(user.timezone))
        else:
            timezone.deactivate()
        return self.get_response(request)
