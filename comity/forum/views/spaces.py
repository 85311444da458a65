"""Spaces: the list with unread counts, a space's threads, joining and leaving, notification level, members.

A space the member cannot read answers 404 on every URL, also on POST, and nothing is written.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comity.core.decorators import member_required
from comity.core.permissions import get_visible_or_404
from comity.forum import permissions, selectors, services
from comity.forum.forms import AuthorityPickForm, InvitePersonForm, SpaceLevelForm
from comity.forum.models import TLP, SpaceKind, SpaceMember

ROSTER_KINDS = (SpaceKind.PRIVATE, SpaceKind.THEMATIC)


def _space_url(space) -> str:
    return reverse("forum:space_detail", args=[space.slug])


@member_required
@require_GET
def space_list(request):
    user = request.user
    return render(
        request,
        "forum/space_list.html",
        {
            "groups": selectors.space_groups_for(user=user),
            "joinable": selectors.joinable_spaces_for(user=user),
            "can_consult": permissions.can_open_consultation(user),
        },
    )


@member_required
@require_GET
def space_detail(request, slug):
    user = request.user
    space = selectors.space_get_for(user=user, slug=slug)
    page = Paginator(selectors.thread_list(user=user, space=space), selectors.THREADS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    membership = selectors.membership_of(user=user, space=space)
    level = membership.notify_level if membership and membership.state != SpaceMember.State.REMOVED else "normal"
    return render(
        request,
        "forum/space_detail.html",
        {
            "space": space,
            "name": space.localized_name(),
            "page": page,
            "threads": list(page.object_list),
            "can_start": permissions.can_start_thread(user, space),
            "can_leave": permissions.can_leave_space(user, space, membership),
            "has_roster": space.kind in ROSTER_KINDS,
            "can_close": not space.is_archived and permissions.can_manage_space(user, space),
            "level_form": SpaceLevelForm(initial={"level": level}),
            "default_tlp_label": TLP(space.default_tlp).label,
        },
    )


@member_required
@require_POST
def space_join(request, slug):
    space = get_visible_or_404(permissions.joinable_spaces(request.user), slug=slug)
    services.space_join(actor=request.user, space=space)
    messages.success(request, _("You joined %(space)s.") % {"space": space.localized_name()})
    return redirect(_space_url(space))


@member_required
@require_POST
def space_close(request, slug):
    """A space's managers close it: it stays readable, nobody writes in it any more."""
    space = selectors.space_get_for(user=request.user, slug=slug)
    try:
        services.space_close(actor=request.user, space=space)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The space is closed: it can be read but no longer written in."))
    return redirect(_space_url(space))


@member_required
@require_POST
def space_leave(request, slug):
    space = selectors.space_get_for(user=request.user, slug=slug)
    services.space_leave(actor=request.user, space=space)
    messages.success(request, _("You left %(space)s.") % {"space": space.localized_name()})
    return redirect(reverse("forum:space_list"))


@member_required
@require_POST
def space_notify(request, slug):
    space = selectors.space_get_for(user=request.user, slug=slug)
    form = SpaceLevelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose watching, normal or muted."))
        return redirect(_space_url(space))
    services.space_notify_level_set(actor=request.user, space=space, level=form.cleaned_data["level"])
    messages.success(
        request,
        _("Notifications for this space: %(level)s.")
        % {"level": selectors.notify_level_label(form.cleaned_data["level"])},
    )
    return redirect(_space_url(space))


# --- members of private consultations and thematic spaces -------------------------------------------------------


def _member_lookup(emails):
    return selectors.members_by_email(emails)


@member_required
@require_http_methods(["GET", "POST"])
def space_members(request, slug):
    """Who was invited (people, authorities), and for managers: invite by e-mail or authority, remove."""
    user = request.user
    space = selectors.space_get_for(user=user, slug=slug)
    if space.kind not in ROSTER_KINDS:
        raise Http404
    can_manage = permissions.can_manage_space(user, space)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    takes_authorities = space.kind == SpaceKind.PRIVATE
    source = request.POST if request.method == "POST" else request.GET
    country = source.get("country", "")
    countries = selectors.countries_with_authorities(user=user) if can_manage and takes_authorities else []
    authorities = selectors.authorities_of(user=user, countries=[country]) if country and countries else []
    action = request.POST.get("action", "")
    person_form = InvitePersonForm(request.POST if action == "invite_person" else None, lookup=_member_lookup)
    authority_form = AuthorityPickForm(
        request.POST if action == "invite_authority" else None,
        countries=countries,
        authorities=authorities,
        initial={"country": country},
    )
    status = 200
    if request.method == "POST":
        status = 400
        done = _manage(request, space, action, person_form, authority_form, takes_authorities, authorities)
        if done:
            return redirect(reverse("forum:space_members", args=[space.slug]))
    roster = selectors.space_roster(space=space)
    return render(
        request,
        "forum/space_members.html",
        {
            "space": space,
            "name": space.localized_name(),
            "roster": roster,
            "can_manage": can_manage,
            "takes_authorities": takes_authorities,
            "person_form": person_form,
            "authority_form": authority_form,
            "country": country,
        },
        status=status,
    )


def _manage(request, space, action, person_form, authority_form, takes_authorities, authorities) -> bool:
    """Run one management action; True when it was done (a message says what), False to show the errors."""
    actor = request.user
    if action == "invite_person":
        if not person_form.is_valid():
            return False
        person = person_form.cleaned_data["email"]
        services.space_member_add(actor=actor, space=space, user=person)
        messages.success(request, _("%(name)s was invited.") % {"name": person.display_name})
        return True
    if action == "invite_authority" and takes_authorities:
        if not authority_form.is_valid():
            return False
        authority = next(a for a in authorities if a.pk == authority_form.cleaned_data["authority"])
        services.space_member_add(actor=actor, space=space, authority=authority)
        messages.success(request, _("%(name)s was invited.") % {"name": authority.localized_name()})
        return True
    roster = selectors.space_roster(space=space)
    if action == "remove_person":
        person = next((row.user for row in roster.members if str(row.user_id) == request.POST.get("user")), None)
        if person is None:
            messages.error(request, _("This person is not a member of the space."))
            return False
        services.space_member_remove(actor=actor, space=space, user=person)
        messages.success(request, _("%(name)s was removed.") % {"name": person.display_name})
        return True
    if action == "remove_authority" and takes_authorities:
        authority = next(
            (row.authority for row in roster.authorities if str(row.authority_id) == request.POST.get("authority")),
            None,
        )
        if authority is None:
            messages.error(request, _("This authority is not invited to the space."))
            return False
        services.space_member_remove(actor=actor, space=space, authority=authority)
        messages.success(request, _("%(name)s was removed.") % {"name": authority.localized_name()})
        return True
    messages.error(request, _("Unknown action."))
    return False
