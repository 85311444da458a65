"""Sign-in pages: password, second factor, first enrolment, recovery codes shown once, sign-out."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from comity.accounts import forms, services
from comity.accounts.backends import BACKEND
from comity.accounts.middleware import AUTH_AT, LAST_SEEN
from comity.accounts.models import User
from comity.accounts.views._common import (
    PENDING_NEXT,
    SHOW_CODES,
    _base32_key,
    _lock_message,
    _pending_user,
    _qr_svg,
    _safe_next,
    _start_pending,
)
from comity.accounts.views.language import announce_sign_in_language
from comity.core.decorators import REAUTH_AT, member_required


def _finish_sign_in(request, user: User, device) -> HttpResponseRedirect:
    next_url = request.session.get(PENDING_NEXT)
    codes = request.session.get(SHOW_CODES)
    login(request, user, backend=BACKEND)  # rotates the session key
    if device is not None:
        otp_login(request, device)
    now = time.time()
    request.session[AUTH_AT] = now
    request.session[LAST_SEEN] = now
    request.session[REAUTH_AT] = now
    if codes:
        request.session[SHOW_CODES] = codes
    services.sign_in_complete(request=request, user=user)
    language = user.preferred_language
    announce_sign_in_language(request, language=language, page_language=translation.get_language())
    if codes:
        with translation.override(language):
            target = reverse("accounts:recovery_codes")
    elif next_url:
        target = _safe_next(request, next_url)
        if language and target.startswith(f"/{translation.get_language()}/"):
            target = f"/{language}/" + target[len(translation.get_language()) + 2 :]
    else:
        with translation.override(language):
            target = reverse("portal:home")
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request):
    if request.user.is_authenticated:
        return redirect(_safe_next(request, request.GET.get("next")))
    form = forms.SignInForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result = services.sign_in_check_password(
                request=request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
            )
            if result.user is not None:
                _start_pending(request, result.user, next_url)
                if services.confirmed_totp_device(result.user) is None:
                    return redirect("accounts:enrol")
                return redirect("accounts:verify")
            if result.locked:
                form.add_error(None, _lock_message(result.lock))
                status = 429
            else:
                form.add_error(None, _("The e-mail address or password is not correct."))
                status = 400
        else:
            status = 400
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    user = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    if services.confirmed_totp_device(user) is None:
        return redirect("accounts:enrol")
    form = forms.CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = services.second_factor_verify(user=user, code=form.cleaned_data["code"])
            if result.ok:
                if result.used_recovery_code:
                    messages.warning(request, _("You used a recovery code. Each code works only once."))
                return _finish_sign_in(request, user, result.device)
            if result.locked:
                form.add_error(None, _lock_message(result.lock))
                status = 429
            else:
                form.add_error("code", _("This code is not correct or has already been used."))
    return render(request, "accounts/verify.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Two-factor enrolment during sign-in (first time, or after a reset)."""
    user = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    if services.confirmed_totp_device(user) is not None:
        return redirect("accounts:verify")
    device = services.totp_device_for_enrolment(user=user)
    form = forms.EnrolForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            codes = services.totp_enrolment_confirm(user=user, device=device, code=form.cleaned_data["code"])
            if codes is not None:
                request.session[SHOW_CODES] = codes
                return _finish_sign_in(request, user, device)
            form.add_error("code", _("This code is not correct. Check the time on your phone and try again."))
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": _base32_key(device),
        },
        status=status,
    )


@never_cache
@member_required
def recovery_codes(request):
    codes = request.session.pop(SHOW_CODES, None)
    if not codes:
        messages.info(request, _("Recovery codes are shown only once. You can create new ones on your profile."))
        return redirect("accounts:profile")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@require_POST
def sign_out(request):
    if request.user.is_authenticated:
        services.session_end(user=request.user, session_key=request.session.session_key)
    logout(request)
    return redirect("portal:home")
