"""Invitation pages: accept an invitation (creates the account), list and send invitations, revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from comity.accounts import forms, selectors, services
from comity.accounts.models import User
from comity.accounts.views._common import _apply_errors, _start_pending
from comity.core.decorators import member_required


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
    form = forms.AcceptInvitationForm(request.POST or None, user=draft, initial={"full_name": invitation.full_name})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = services.invitation_accept(
                    raw_token=token, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password1"]
                )
            except services.InvitationError as exc:
                return render(request, "accounts/invitation_invalid.html", {"message": str(exc)}, status=410)
            except ValidationError as exc:
                form.add_error("password1", exc)
            else:
                _start_pending(request, user, "")
                return redirect("accounts:enrol")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation}, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def invitation_list(request):
    if not request.user.can_manage_members:
        raise Http404
    form = forms.InvitationForm(
        request.POST or None, actor=request.user, initial={"language": translation.get_language()}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                invitation, _raw = services.invitation_create(
                    actor=request.user,
                    email=data["email"],
                    full_name=data["full_name"],
                    country=data["country"],
                    role=data["role"],
                    coordinated_countries=data.get("coordinated_countries") or [],
                    liaison_networks=data.get("liaison_networks") or [],
                    language=data["language"],
                )
            except PermissionDenied:
                form.add_error("country", _("You cannot invite for this country or role."))
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
                return redirect("accounts:invitation_list")
    return render(
        request,
        "accounts/invitation_list.html",
        {"form": form, "invitations": selectors.invitation_list(actor=request.user)[:200]},
        status=status,
    )


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
