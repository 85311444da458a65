"""Private consultations: any member (not observers) opens one, inviting authorities and/or people.

Authorities are picked country by country: "Show" posts the form back with that country's authorities added
to the list, keeping everything typed so far (with JavaScript, htmx swaps only the picker). The creator
moderates the consultation.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from comity.core.decorators import member_required
from comity.forum import permissions, selectors, services
from comity.forum.forms import ConsultationForm, tlp_help_all
from comity.forum.models import TLP, SpaceKind


@member_required
@require_http_methods(["GET", "POST"])
def consultation_create(request):
    user = request.user
    if not permissions.can_open_consultation(user):
        raise PermissionDenied
    countries = selectors.countries_with_authorities(user=user)
    known = {country.iso2 for country in countries}
    data = request.POST if request.method == "POST" else None
    shown = [code for code in (data.getlist("shown") if data else []) if code in known]
    picked = data.get("country", "") if data else ""
    showing = "show" in data if data else False
    if showing and picked in known and picked not in shown:
        shown.append(picked)
    authorities = selectors.authorities_of(user=user, countries=shown)
    options = {"countries": countries, "authorities": authorities, "lookup": selectors.members_by_email, "user": user}
    if showing:  # keep what was typed, without complaining about what is not filled in yet
        form = ConsultationForm(
            initial={
                "name": data.get("name", ""),
                "description": data.get("description", ""),
                "default_tlp": data.get("default_tlp", TLP.AMBER),
                "people": data.get("people", ""),
                "authorities": data.getlist("authorities"),
                "shown": shown,
            },
            **options,
        )
    else:
        if data is not None:
            data = data.copy()
            data.setlist("shown", shown)
        form = ConsultationForm(data, initial={"default_tlp": TLP.AMBER}, **options)
    status = 200
    if data is not None and not showing:
        status = 400
        if form.is_valid():
            chosen = set(form.cleaned_data["authorities"])
            try:
                space = services.space_create(
                    actor=user,
                    kind=SpaceKind.PRIVATE,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    default_tlp=form.cleaned_data["default_tlp"],
                    invite_users=form.cleaned_data["people"],
                    invite_authorities=[a for a in authorities if a.pk in chosen],
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("The consultation is open. Only those you invited can read it."))
                return redirect(reverse("forum:space_detail", args=[space.slug]))
    groups = []
    for code in shown:
        members = [a for a in authorities if a.country.iso2 == code]
        country = next(c for c in countries if c.iso2 == code)
        groups.append(
            {
                "country": country,
                "boxes": [box for box in form["authorities"] if int(box.data["value"]) in {a.pk for a in members}],
            }
        )
    return render(
        request,
        "forum/consultation_form.html",
        {
            "form": form,
            "groups": groups,
            "tlp_help": tlp_help_all(),
        },
        status=status,
    )
