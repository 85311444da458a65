"""The signed-in user's own pages: re-authentication, profile, API tokens, authenticator, sessions, language."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from comity.accounts import forms, selectors, services
from comity.accounts.models import ApiToken
from comity.accounts.views._common import (
    NEW_TOKEN,
    SHOW_CODES,
    _apply_errors,
    _base32_key,
    _lock_message,
    _qr_svg,
    _safe_next,
)
from comity.core.decorators import REAUTH_AT, member_required, recent_auth_required


@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def reauth(request):
    form = forms.ReauthForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            result = services.reauth_check(
                user=request.user, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
            )
            if result.ok:
                request.session[REAUTH_AT] = time.time()
                return redirect(_safe_next(request, next_url))
            if result.locked:
                form.add_error(None, _lock_message(result.lock))
                status = 429
            else:
                form.add_error(None, _("The password or the code is not correct."))
    return render(request, "accounts/reauth.html", {"form": form, "next": next_url}, status=status)


@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    form = forms.ProfileForm(
        request.POST or None,
        initial={
            "full_name": user.full_name,
            "preferred_language": user.preferred_language,
            "timezone": user.timezone,
            "languages_spoken": user.languages_spoken,
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.profile_update(
                    user=user,
                    full_name=data["full_name"],
                    preferred_language=data["preferred_language"],
                    timezone_name=data["timezone"],
                    languages_spoken=data["languages_spoken"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Your profile was saved."))
                with translation.override(user.preferred_language):
                    response = redirect("accounts:profile")
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    user.preferred_language,
                    max_age=365 * 24 * 3600,
                    secure=settings.LANGUAGE_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
                return response
    return _render_profile(request, form=form, status=status)


def _render_profile(request, *, form=None, password_form=None, status: int = 200):
    user = request.user
    if form is None:
        form = forms.ProfileForm(
            initial={
                "full_name": user.full_name,
                "preferred_language": user.preferred_language,
                "timezone": user.timezone,
                "languages_spoken": user.languages_spoken,
            }
        )
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at")
    new_token = request.session.pop(NEW_TOKEN, None)
    remaining_codes = user.recovery_codes.filter(used_at__isnull=True).count()
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "password_form": password_form or forms.PasswordChangeForm(user=user, auto_id="id_pw_%s"),
            "tokens": tokens,
            "new_token": new_token,
            "token_form": forms.ApiTokenForm(),
            "remaining_codes": remaining_codes,
        },
        status=status,
    )


@never_cache
@member_required
@require_POST
def password_change(request):
    """The member's own password, with the current password and a code; the member's other sessions end."""
    user = request.user
    form = forms.PasswordChangeForm(request.POST, user=user, auto_id="id_pw_%s")
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        old_key = request.session.session_key
        try:
            result = services.password_change(
                user=user,
                current_key=old_key,
                current_password=data["current_password"],
                code=data["code"],
                new_password=data["password1"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            if result.ok:
                update_session_auth_hash(request, user)  # keeps this session signed in, under a new key
                services.session_rekey(user=user, old_key=old_key, new_key=request.session.session_key)
                messages.success(request, _("Your password was changed. Your other sessions were signed out."))
                return redirect("accounts:profile")
            if result.locked:
                form.add_error(None, _lock_message(result.lock))
                status = 429
            else:
                form.add_error(None, _("The current password or the code is not correct."))
    return _render_profile(request, password_form=form, status=status)


@never_cache
@recent_auth_required
@require_POST
def token_create(request):
    form = forms.ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            _token, raw = services.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["days"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            request.session[NEW_TOKEN] = raw
            messages.success(request, _("Token created. Copy it now: it will not be shown again."))
    else:
        messages.error(
            request,
            _("The token was not created: %(errors)s")
            % {"errors": " ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items())},
        )
    return redirect("accounts:profile")


@member_required
@require_POST
def token_revoke(request, pk):
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")


@never_cache
@recent_auth_required
@require_POST
def recovery_codes_regenerate(request):
    request.session[SHOW_CODES] = services.recovery_codes_regenerate(user=request.user)
    return redirect("accounts:recovery_codes")


@never_cache
@recent_auth_required
@require_http_methods(["GET", "POST"])
def totp_replace(request):
    """Move the second factor to a new authenticator; the old one works until the new one is confirmed."""
    user = request.user
    device = services.totp_device_for_enrolment(user=user)
    form = forms.EnrolForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            codes = services.totp_enrolment_confirm(user=user, device=device, code=form.cleaned_data["code"])
            if codes is not None:
                otp_login(request, device)
                request.session[SHOW_CODES] = codes
                return redirect("accounts:recovery_codes")
            form.add_error("code", _("This code is not correct. Check the time on your phone and try again."))
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": _base32_key(device),
            "replacing": True,
        },
        status=status,
    )


@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def sessions(request):
    current = request.session.session_key
    if request.method == "POST":
        if request.POST.get("action") == "others":
            count = services.sessions_end_others(user=request.user, current_key=current)
            messages.success(request, _("Signed out %(count)s other session(s).") % {"count": count})
        else:
            try:
                session_id = int(request.POST.get("session", ""))
            except ValueError:
                session_id = -1
            if not services.session_revoke(user=request.user, session_id=session_id):
                raise Http404
            messages.success(request, _("Session signed out."))
        return redirect("accounts:sessions")
    return render(
        request, "accounts/sessions.html", {"sessions": selectors.session_list(user=request.user), "current": current}
    )
