"""Account pages: sign-in with two factors, invitations, profile, sessions, tokens, members."""

from __future__ import annotations

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login

from comity.accounts import forms, selectors, services
from comity.accounts.decorators import REAUTH_AT, member_required, recent_auth_required
from comity.accounts.middleware import AUTH_AT, LAST_SEEN
from comity.accounts.models import ApiToken, User
from comity.core.i18n import format_dt

PENDING_USER = "comity_pending_user"
PENDING_AT = "comity_pending_at"
PENDING_NEXT = "comity_pending_next"
SHOW_CODES = "comity_show_codes"
NEW_TOKEN = "comity_new_token"  # noqa: S105 - a session key name
PENDING_MAX_AGE = 10 * 60


def _safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, {request.get_host()}, request.is_secure()):
        return value
    return reverse("core:home")


def _lock_message(lock) -> str:
    return _("Too many failed attempts. Try again after %(time)s.") % {
        "time": format_dt(lock.retry_at_datetime, "short")}


def _pending_user(request) -> User | None:
    user_id = request.session.get(PENDING_USER)
    started = request.session.get(PENDING_AT, 0)
    if not user_id or time.time() - started > PENDING_MAX_AGE:
        return None
    return User.objects.filter(pk=user_id, is_active=True).select_related("country").first()


def _start_pending(request, user: User, next_url: str) -> None:
    request.session.cycle_key()
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_AT] = time.time()
    request.session[PENDING_NEXT] = next_url


def _finish_sign_in(request, user: User, device) -> HttpResponseRedirect:
    next_url = request.session.get(PENDING_NEXT)
    codes = request.session.get(SHOW_CODES)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")  # rotates the session key
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
    if codes:
        with translation.override(language):
            target = reverse("accounts:recovery_codes")
    elif next_url:
        target = _safe_next(request, next_url)
        if language and target.startswith(f"/{translation.get_language()}/"):
            target = f"/{language}/" + target[len(translation.get_language()) + 2:]
    else:
        with translation.override(language):
            target = reverse("core:home")
    response = redirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600,
                        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=True, samesite="Lax")
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
                request=request, email=form.cleaned_data["email"], password=form.cleaned_data["password"])
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


def _qr_svg(config_url: str) -> str:
    return segno.make(config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def _base32_key(device) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode()


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
    return render(request, "accounts/enrol.html", {
        "form": form, "qr_svg": _qr_svg(device.config_url), "secret": _base32_key(device),
    }, status=status)


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
    return redirect("core:home")


# --- invitations ------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    if request.user.is_authenticated:
        logout(request)
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationError as exc:
        return render(request, "accounts/invitation_invalid.html", {"message": str(exc)}, status=410)
    draft = User(email=invitation.email, full_name=invitation.full_name)
    form = forms.AcceptInvitationForm(request.POST or None, user=draft,
                                      initial={"full_name": invitation.full_name})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = services.invitation_accept(raw_token=token, full_name=form.cleaned_data["full_name"],
                                                  password=form.cleaned_data["password1"])
            except services.InvitationError as exc:
                return render(request, "accounts/invitation_invalid.html", {"message": str(exc)}, status=410)
            except ValidationError as exc:
                form.add_error("password1", exc)
            else:
                _start_pending(request, user, "")
                return redirect("accounts:enrol")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation},
                  status=status)


@member_required
@require_http_methods(["GET", "POST"])
def invitation_list(request):
    if not request.user.can_manage_members:
        raise Http404
    form = forms.InvitationForm(request.POST or None, actor=request.user,
                                initial={"language": translation.get_language()})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                invitation, _raw = services.invitation_create(
                    actor=request.user, email=data["email"], full_name=data["full_name"], country=data["country"],
                    role=data["role"], coordinated_countries=data.get("coordinated_countries") or [],
                    liaison_networks=data.get("liaison_networks") or [], language=data["language"])
            except PermissionDenied:
                form.add_error("country", _("You cannot invite for this country or role."))
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                return redirect("accounts:invitation_list")
    return render(request, "accounts/invitation_list.html", {
        "form": form, "invitations": selectors.invitation_list(actor=request.user)[:200]}, status=status)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@member_required
@require_POST
def invitation_revoke(request, pk):
    invitation = selectors.invitation_get_for(actor=request.user, pk=pk)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invitation revoked."))
    return redirect("accounts:invitation_list")


# --- password reset --------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_request(request):
    form = forms.PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"], language=translation.get_language())
        return render(request, "accounts/password_reset_sent.html")
    return render(request, "accounts/password_reset_request.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_confirm(request, uidb64, token):
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "accounts/invitation_invalid.html", {
            "message": _("This password reset link is not valid or has expired. Ask for a new one.")}, status=410)
    form = forms.SetPasswordForm(request.POST or None, user=user)
    if request.method == "POST":
        if form.is_valid():
            services.password_reset_complete(user=user, password=form.cleaned_data["password1"])
            messages.success(request, _("Your password was changed. Sign in with it and your second factor."))
            return redirect("accounts:login")
        return render(request, "accounts/password_reset_confirm.html", {"form": form}, status=400)
    return render(request, "accounts/password_reset_confirm.html", {"form": form})


# --- re-authentication, profile, sessions, tokens --------------------------------------------------------


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
            result = services.reauth_check(user=request.user, password=form.cleaned_data["password"],
                                           code=form.cleaned_data["code"])
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
    form = forms.ProfileForm(request.POST or None, initial={
        "full_name": user.full_name, "preferred_language": user.preferred_language,
        "timezone": user.timezone, "languages_spoken": user.languages_spoken})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.profile_update(user=user, full_name=data["full_name"],
                                        preferred_language=data["preferred_language"],
                                        timezone_name=data["timezone"], languages_spoken=data["languages_spoken"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Your profile was saved."))
                with translation.override(user.preferred_language):
                    response = redirect("accounts:profile")
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.preferred_language,
                                    max_age=365 * 24 * 3600, secure=settings.LANGUAGE_COOKIE_SECURE,
                                    httponly=True, samesite="Lax")
                return response
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at")
    new_token = request.session.pop(NEW_TOKEN, None)
    remaining_codes = user.recovery_codes.filter(used_at__isnull=True).count()
    return render(request, "accounts/profile.html", {
        "form": form, "tokens": tokens, "new_token": new_token, "token_form": forms.ApiTokenForm(),
        "remaining_codes": remaining_codes}, status=status)


@never_cache
@recent_auth_required
@require_POST
def token_create(request):
    form = forms.ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            _token, raw = services.api_token_create(user=request.user, name=form.cleaned_data["name"],
                                                    scope=form.cleaned_data["scope"], days=form.cleaned_data["days"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            request.session[NEW_TOKEN] = raw
            messages.success(request, _("Token created. Copy it now: it will not be shown again."))
    else:
        messages.error(request, _("The token was not created: %(errors)s") % {
            "errors": " ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items())})
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
    return render(request, "accounts/enrol.html", {
        "form": form, "qr_svg": _qr_svg(device.config_url), "secret": _base32_key(device), "replacing": True,
    }, status=status)


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
    return render(request, "accounts/sessions.html", {
        "sessions": selectors.session_list(user=request.user), "current": current})


# --- member management -------------------------------------------------------------------------------------


@member_required
def member_list(request):
    if not request.user.can_manage_members:
        raise Http404
    form = forms.MemberFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    members = selectors.member_list(actor=request.user, q=filters.get("q", ""),
                                    country=filters.get("country", ""), role=filters.get("role", ""))
    return render(request, "accounts/member_list.html", {"form": form, "members": members[:500]})


@member_required
@require_http_methods(["GET", "POST"])
def member_detail(request, pk):
    member = selectors.member_get_for(actor=request.user, pk=pk)
    role_form = forms.RoleForm(initial={
        "role": member.role,
        "coordinated_countries": [c.iso2 for c in member.coordinated_countries.all()],
        "liaison_networks": [n.slug for n in member.liaison_networks.all()]})
    return render(request, "accounts/member_detail.html", {
        "member": member, "role_form": role_form,
        "can_change_role": services.permissions.can_change_role(request.user, member),
        "can_deactivate": services.permissions.can_deactivate(request.user, member),
        "can_reset_2fa": services.permissions.can_reset_second_factor(request.user, member)})


@member_required
@require_POST
def member_status(request, pk):
    member = selectors.member_get_for(actor=request.user, pk=pk)
    try:
        if request.POST.get("action") == "reactivate":
            services.user_reactivate(actor=request.user, user=member)
            messages.success(request, _("The account was reactivated."))
        else:
            services.user_deactivate(actor=request.user, user=member)
            messages.success(request, _("The account was deactivated; its sessions and tokens were ended."))
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:member_detail", pk=member.pk)


@recent_auth_required
@require_POST
def member_role(request, pk):
    member = selectors.member_get_for(actor=request.user, pk=pk)
    if not services.permissions.can_change_role(request.user, member):
        raise Http404
    form = forms.RoleForm(request.POST)
    if form.is_valid():
        try:
            services.user_change_role(actor=request.user, user=member, role=form.cleaned_data["role"],
                                      coordinated_countries=form.cleaned_data["coordinated_countries"],
                                      liaison_networks=form.cleaned_data["liaison_networks"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The role was changed."))
    else:
        messages.error(request, _("The role was not changed: %(errors)s") % {
            "errors": " ".join(" ".join(v) for v in form.errors.values())})
    return redirect("accounts:member_detail", pk=member.pk)


@recent_auth_required
@require_POST
def member_reset_2fa(request, pk):
    member = selectors.member_get_for(actor=request.user, pk=pk)
    if not services.permissions.can_reset_second_factor(request.user, member):
        raise Http404
    services.second_factor_reset(actor=request.user, user=member)
    messages.success(request, _("Two-factor authentication was reset. The user enrols again at next sign-in."))
    return redirect("accounts:member_detail", pk=member.pk)


@require_POST
def set_language(request):
    """Django's language switch, also remembered on the signed-in user's profile."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    return django_set_language(request)
