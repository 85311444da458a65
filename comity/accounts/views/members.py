"""Member management pages: list, detail, deactivate or reactivate, change a role, reset a second factor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comity.accounts import forms, permissions, selectors, services
from comity.accounts.models import User
from comity.core.decorators import member_required, recent_auth_required


@member_required
def member_list(request):
    if not request.user.can_manage_members:
        raise Http404
    form = forms.MemberFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    members = selectors.member_list(
        actor=request.user, q=filters.get("q", ""), country=filters.get("country", ""), role=filters.get("role", "")
    )
    return render(request, "accounts/member_list.html", {"form": form, "members": members[:500]})


@member_required
@require_http_methods(["GET", "POST"])
def member_detail(request, pk):
    member = selectors.member_get_for(actor=request.user, pk=pk)
    role_form = forms.RoleForm(
        initial={
            "role": member.role,
            "coordinated_countries": [c.iso2 for c in member.coordinated_countries.all()],
            "liaison_networks": [n.slug for n in member.liaison_networks.all()],
        }
    )
    return render(
        request,
        "accounts/member_detail.html",
        {
            "member": member,
            "role_form": role_form,
            "can_change_role": permissions.can_change_role(request.user, member),
            "can_deactivate": permissions.can_deactivate(request.user, member),
            "can_reset_2fa": permissions.can_reset_second_factor(request.user, member),
        },
    )


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


def _member_action(allowed: Callable[[User, User], bool]):
    """A POST about one member after a recent re-authentication: the member must be visible and `allowed`
    must grant the action (404 otherwise, as for a hidden member); then back to the member's page."""

    def decorate(action: Callable[[HttpRequest, User], None]):
        @recent_auth_required
        @require_POST
        @wraps(action)
        def view(request, pk):
            member = selectors.member_get_for(actor=request.user, pk=pk)
            if not allowed(request.user, member):
                raise Http404
            action(request, member)
            return redirect("accounts:member_detail", pk=member.pk)

        return view

    return decorate


@_member_action(permissions.can_change_role)
def member_role(request, member: User) -> None:
    form = forms.RoleForm(request.POST)
    if form.is_valid():
        try:
            services.user_change_role(
                actor=request.user,
                user=member,
                role=form.cleaned_data["role"],
                coordinated_countries=form.cleaned_data["coordinated_countries"],
                liaison_networks=form.cleaned_data["liaison_networks"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The role was changed."))
    else:
        messages.error(
            request,
            _("The role was not changed: %(errors)s") % {"errors": " ".join(" ".join(v) for v in form.errors.values())},
        )


@_member_action(permissions.can_reset_second_factor)
def member_reset_2fa(request, member: User) -> None:
    services.second_factor_reset(actor=request.user, user=member)
    messages.success(request, _("Two-factor authentication was reset. The user enrols again at next sign-in."))
