"""View guards: signed in with two factors; recent re-authentication for sensitive actions."""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

REAUTH_AT = "comity_reauth_at"


def member_required(view):
    """Signed in, active and verified with a second factor; everyone else goes to sign-in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_verified()):
            return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
        return view(request, *args, **kwargs)

    return wrapper


def recent_auth_required(view):
    """Sensitive actions ask for the password and a code when the last check is too old."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        last = request.session.get(REAUTH_AT, 0)
        if time.time() - last > settings.REAUTH_MAX_AGE:
            target = (
                request.get_full_path()
                if request.method == "GET"
                else request.META.get("HTTP_REFERER", request.get_full_path())
            )
            return redirect(reverse("accounts:reauth") + "?" + urlencode({"next": target}))
        return view(request, *args, **kwargs)

    return member_required(wrapper)
