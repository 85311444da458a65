"""Editing the directory: national coordinators for their own countries, the secretariat for all.

Everyone else gets 404 (never 403), also on POST, and nothing is written. Every write goes through
`comity.directory.services`, which validates, versions and audits; a ValidationError it raises is shown on
the form next to the field it names, and the record stays as it was.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comity.core.decorators import member_required
from comity.directory import permissions, selectors, services
from comity.directory.forms import AUTHORITY_ERROR_FIELDS, AuthorityForm, ContactForm, HandoverForm
from comity.directory.views import common


def _editable_authority(request, pk):
    authority = selectors.authority_get_for(user=request.user, pk=pk)
    if not permissions.can_edit_authority(request.user, authority):
        raise Http404
    return authority


def _editable_contact(request, pk):
    contact = selectors.contact_get_for(user=request.user, pk=pk)
    if not permissions.can_edit_authority(request.user, contact.authority):
        raise Http404
    return contact


def _bound(request):
    return request.POST if request.method == "POST" else None


def _detail(authority_id: int, anchor: str = "") -> str:
    return reverse("directory:authority_detail", args=[authority_id]) + (f"#{anchor}" if anchor else "")


# --- authorities ---------------------------------------------------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def authority_create(request):
    countries = common.editable_countries(request.user)
    if not countries:
        raise Http404
    initial = {"is_active": True}
    if len(countries) == 1:
        initial.update(country=countries[0].iso2, timezone=countries[0].primary_timezone)
    form = AuthorityForm(_bound(request), countries=countries, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                authority = services.authority_create(actor=request.user, data=form.service_data())
            except ValidationError as exc:
                common.apply_service_errors(form, exc, AUTHORITY_ERROR_FIELDS)
            except PermissionDenied:
                form.add_error("country", _("You cannot add an authority for this country."))
            else:
                messages.success(request, _("The authority was added to the directory."))
                return redirect(_detail(authority.pk))
    return render(request, "directory/authority_form.html", {"form": form, "authority": None}, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def authority_edit(request, pk):
    authority = _editable_authority(request, pk)
    countries = common.editable_countries(request.user)
    form = AuthorityForm(
        _bound(request), countries=countries, editing=True, initial=AuthorityForm.initial_for(authority)
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                changes = services.authority_update(actor=request.user, authority=authority, data=form.service_data())
            except ValidationError as exc:
                common.apply_service_errors(form, exc, AUTHORITY_ERROR_FIELDS)
            except PermissionDenied:
                form.add_error("country", _("You cannot move an authority to this country."))
            else:
                if changes:
                    messages.success(request, _("Saved. The record now counts as confirmed today."))
                else:
                    messages.info(request, _("Nothing was changed. If the record is still correct, confirm it."))
                return redirect(_detail(authority.pk))
    return render(request, "directory/authority_form.html", {"form": form, "authority": authority}, status=status)


@member_required
@require_POST
def authority_confirm(request, pk):
    authority = _editable_authority(request, pk)
    services.authority_confirm(actor=request.user, authority=authority)
    messages.success(request, _("Thank you: the record is confirmed as still correct."))
    return redirect(_detail(authority.pk))


# --- contacts ----------------------------------------------------------------------------------------------------


def _contact_page(request, form, *, authority, contact=None, mode: str, status: int = 200):
    versions = []
    if contact is not None:
        versions = common.version_rows(selectors.versions_for(record_type="contact", record_id=contact.pk), "contact")
    return render(
        request,
        "directory/contact_form.html",
        {
            "form": form,
            "authority": authority,
            "contact": contact,
            "mode": mode,
            "versions": versions,
        },
        status=status,
    )


@member_required
@require_http_methods(["GET", "POST"])
def contact_create(request, pk):
    authority = _editable_authority(request, pk)
    form = ContactForm(_bound(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                contact = services.contact_create(
                    actor=request.user,
                    authority=authority,
                    data=form.service_data(),
                    seat_title=form.cleaned_data["seat_title"].strip(),
                )
            except ValidationError as exc:
                common.apply_service_errors(form, exc)
            else:
                messages.success(request, _("The contact point was added."))
                return redirect(_detail(authority.pk, f"contact-{contact.pk}"))
    return _contact_page(request, form, authority=authority, mode="create", status=status)


@member_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk):
    contact = _editable_contact(request, pk)
    authority = contact.authority
    form = ContactForm(_bound(request), with_seat=False, initial=ContactForm.initial_for(contact))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                changes = services.contact_update(actor=request.user, contact=contact, data=form.service_data())
            except ValidationError as exc:
                common.apply_service_errors(form, exc)
            else:
                if changes:
                    messages.success(request, _("Saved. The contact point now counts as confirmed today."))
                else:
                    messages.info(request, _("Nothing was changed. If the details are still correct, confirm them."))
                return redirect(_detail(authority.pk, f"contact-{contact.pk}"))
    return _contact_page(request, form, authority=authority, contact=contact, mode="edit", status=status)


@member_required
@require_POST
def contact_confirm(request, pk):
    contact = _editable_contact(request, pk)
    services.contact_confirm(actor=request.user, contact=contact)
    messages.success(request, _("Thank you: the contact point is confirmed as still correct."))
    return redirect(_detail(contact.authority_id, f"contact-{contact.pk}"))


@member_required
@require_http_methods(["GET", "POST"])
def contact_handover(request, pk):
    contact = _editable_contact(request, pk)
    authority = contact.authority
    initial = {"on": timezone.localdate(), "title": contact.title}
    initial.update({key: level for key, level in ContactForm.initial_for(contact).items() if key.startswith("vis_")})
    form = HandoverForm(_bound(request), initial=initial, holder_since=contact.start_date)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                successor = services.seat_handover(
                    actor=request.user, contact=contact, data=form.service_data(), on=form.cleaned_data["on"]
                )
            except ValidationError as exc:
                common.apply_service_errors(form, exc)
            else:
                messages.success(request, _("The seat was handed over to %(name)s.") % {"name": successor.name})
                return redirect(_detail(authority.pk, f"contact-{successor.pk}"))
    return _contact_page(request, form, authority=authority, contact=contact, mode="handover", status=status)
