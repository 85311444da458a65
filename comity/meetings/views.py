"""Meetings pages: the events list and month view, an event's page, creating and editing events, registration,
participants (members only) and their exports, funded participation, and the personal calendar feed.

Hidden events answer 404, as do organiser pages for anyone who does not organise the event.
"""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comity.accounts.models import User
from comity.core.decorators import member_required
from comity.core.timeutil import is_valid_timezone
from comity.meetings import ics, permissions, selectors, services
from comity.meetings.forms import (
    ActionItemForm,
    BudgetForm,
    EligibilityForm,
    EventForm,
    FundingDecisionForm,
    FundingRequestForm,
    MinutesForm,
    RegistrationForm,
    SessionForm,
    initial_from_query,
)
from comity.meetings.models import CalendarFeed, EventKind, RegistrationStatus
from comity.reference.models import Network


def _apply(form, exc: ValidationError) -> None:
    for key, errors in exc.message_dict.items():
        target = key if key in form.fields else None
        for error in errors:
            form.add_error(target, error)


def _viewer_zone(request) -> str:
    user = request.user
    zone = getattr(user, "timezone", "") if getattr(user, "is_authenticated", False) else ""
    return zone if is_valid_timezone(zone) else "UTC"


def _managed(request, pk):
    event = selectors.event_get_for(user=request.user, pk=pk)
    if not permissions.can_manage(request.user, event):
        raise Http404
    return event


# --- list and month ----------------------------------------------------------------------------------------------


@require_GET
def event_list(request):
    q = request.GET
    errors: dict[str, str] = {}
    network = None
    if q.get("network"):
        if q["network"].isdigit():
            network = int(q["network"])
        else:
            errors["network"] = _("Unknown network.")
    kind = q.get("kind", "")
    if kind and kind not in EventKind.values:
        errors["kind"] = _("Unknown kind of event.")
        kind = ""
    region = q.get("region", "")
    if region and not (region.isdigit() and len(region) == 3):
        errors["region"] = _("A region is a three-digit UN M49 code.")
        region = ""
    when = "past" if q.get("when") == "past" else "upcoming"
    filters = selectors.EventFilters(
        when=when, network=network, region=region, kind=kind, language=q.get("language", "")[:10]
    )
    zone = _viewer_zone(request)
    context = {
        "filters": filters,
        "errors": errors,
        "networks": Network.objects.order_by("name"),
        "kinds": EventKind.choices,
        "viewer_zone": zone,
        "languages": [(code, code) for code in ("ar", "zh-hans", "en", "es", "fr", "ru", "pt")],
        "can_organise": permissions.can_organise(request.user),
    }
    if q.get("view") == "month":
        today = timezone.now().astimezone(dt.UTC).date()
        year, month = today.year, today.month
        raw = q.get("month", "")
        if raw:
            try:
                year_text, month_text = raw.split("-")
                year, month = int(year_text), int(month_text)
                if not 1900 <= year <= 2200:
                    raise ValueError(raw)
                dt.date(year, month, 1)
            except (ValueError, OverflowError):
                year, month = today.year, today.month
                errors["month"] = _("A month is written YYYY-MM.")
        first = dt.date(year, month, 1)
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        following = (first + dt.timedelta(days=32)).replace(day=1)
        context.update(
            weeks=selectors.month_grid(user=request.user, year=year, month=month, zone_name=zone),
            month=first,
            previous=previous.strftime("%Y-%m"),
            following=following.strftime("%Y-%m"),
        )
        return render(request, "meetings/month.html", context, status=400 if errors else 200)
    context["events"] = list(selectors.event_list(user=request.user, filters=filters)[:100])
    return render(request, "meetings/event_list.html", context, status=400 if errors else 200)


# --- create, edit, cancel ----------------------------------------------------------------------------------------


def _invitees(user_ids, authority_ids, actor):
    from comity.directory import permissions as directory_permissions

    return (
        list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("full_name")),
        list(
            directory_permissions.authorities_visible_to(actor).filter(pk__in=authority_ids).order_by("official_name")
        ),
    )


@member_required
@require_http_methods(["GET", "POST"])
def event_create(request):
    if not permissions.can_organise(request.user):
        raise Http404
    query_errors: dict[str, str] = {}
    if request.method == "POST":
        form = EventForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                event = services.event_create(
                    actor=request.user,
                    data=form.payload(),
                    invite_users=form.cleaned_data["invite_users"],
                    invite_authorities=form.cleaned_data["invite_authorities"],
                )
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("The event is created."))
                return redirect(event.get_absolute_url())
        users_ids = form.cleaned_data.get("invite_users") or [] if hasattr(form, "cleaned_data") else []
        authority_ids = form.cleaned_data.get("invite_authorities") or [] if hasattr(form, "cleaned_data") else []
    else:
        initial, query_errors = initial_from_query(request.GET)
        form = EventForm(initial=initial, user=request.user)
        users_ids = [int(i) for i in initial.get("invite_users", "").split(",") if i]
        authority_ids = [int(i) for i in initial.get("invite_authorities", "").split(",") if i]
    people, authorities = _invitees(users_ids, authority_ids, request.user)
    status = 400 if (form.errors or query_errors) else 200
    return render(
        request,
        "meetings/event_form.html",
        {"form": form, "event": None, "query_errors": query_errors, "people": people, "authorities": authorities},
        status=status,
    )


@member_required
@require_http_methods(["GET", "POST"])
def event_edit(request, pk):
    event = _managed(request, pk)
    if request.method == "POST":
        form = EventForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.event_update(actor=request.user, event=event, data=form.payload())
            except ValidationError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("The event is updated."))
                return redirect(event.get_absolute_url())
    else:
        from comity.core.timeutil import get_zone

        zone = get_zone(event.timezone)
        initial = {
            "kind": event.kind,
            "title_original": event.title_original,
            "description_original": event.description_original,
            "language": event.language,
            "languages": event.language_list,
            "venue": event.venue,
            "online_url": event.online_url,
            "timezone": event.timezone,
            "start": event.start.astimezone(zone).replace(tzinfo=None),
            "end": event.end.astimezone(zone).replace(tzinfo=None),
            "region_m49": event.region_m49,
            "network": event.network_id,
            "space": event.space_id,
            "audience": event.audience,
            "audience_spaces": list(event.audience_spaces.values_list("pk", flat=True)),
            "audience_networks": list(event.audience_networks.values_list("pk", flat=True)),
            "audience_countries": list(event.audience_countries.values_list("pk", flat=True)),
            "capacity": event.capacity,
            "requires_approval": event.requires_approval,
            "registration_fields": event.registration_fields,
            **{f"title_{code}": text for code, text in event.titles.items()},
            **{f"description_{code}": text for code, text in event.descriptions.items()},
        }
        form = EventForm(initial=initial, user=request.user)
    return render(
        request,
        "meetings/event_form.html",
        {"form": form, "event": event, "query_errors": {}, "people": [], "authorities": []},
        status=400 if form.errors else 200,
    )


@member_required
@require_POST
def event_cancel(request, pk):
    event = _managed(request, pk)
    try:
        services.event_cancel(actor=request.user, event=event)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The event is cancelled; participants are told."))
    return redirect(event.get_absolute_url())


# --- detail and iCalendar ----------------------------------------------------------------------------------------


@require_GET
def event_detail(request, pk):
    event = selectors.event_get_for(user=request.user, pk=pk)
    user = request.user
    manage = permissions.can_manage(user, event)
    registration = permissions.registration_of(user, event)
    context = {
        "event": event,
        "viewer_zone": _viewer_zone(request),
        "manage": manage,
        "registration": registration,
        "can_register": permissions.can_register(user, event),
        "members": permissions.is_member(user),
        "sessions": list(event.sessions.all()),
        "action_items": list(event.action_items.select_related("assignee")),
        "thread": event.thread if event.thread_id and permissions.is_member(user) else None,
        "eligible": permissions.is_member(user) and services.is_eligible(event, getattr(user, "country", None)),
        "my_funding": event.funding_requests.filter(user=user).first() if permissions.is_member(user) else None,
        "registration_form": RegistrationForm(event=event, user=user)
        if permissions.can_register(user, event)
        else None,
        "funding_form": FundingRequestForm(),
        "session_form": SessionForm() if manage else None,
        "action_form": ActionItemForm(assignees=User.objects.filter(is_active=True)) if manage else None,
        "minutes_form": MinutesForm(initial={"minutes": event.minutes, "recordings": event.recordings})
        if manage
        else None,
        "pending": list(event.registrations.filter(status=RegistrationStatus.PENDING).select_related("user"))
        if manage
        else [],
    }
    return render(request, "meetings/event_detail.html", context)


@require_GET
def event_ics(request, pk):
    event = selectors.event_get_for(user=request.user, pk=pk)
    body = ics.calendar_for(
        [event], members=permissions.is_member(request.user), base_url=request.build_absolute_uri("/")
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ics.filename_for(event)}"'
    return response


# --- agenda and minutes ------------------------------------------------------------------------------------------


@member_required
@require_POST
def session_add(request, pk):
    event = _managed(request, pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        from comity.meetings.forms import _aware

        data = form.cleaned_data
        try:
            services.session_add(
                actor=request.user,
                event=event,
                title=data["title"],
                start=_aware(data["start"], event.timezone),
                end=_aware(data["end"], event.timezone),
                room=data["room"],
                speakers=data["speakers"],
                documents=data["documents"],
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The session is added to the agenda."))
            return redirect(event.get_absolute_url())
    return render(
        request, "meetings/simple_form.html", {"event": event, "form": form, "title": _("Add a session")}, status=400
    )


@member_required
@require_POST
def action_add(request, pk):
    event = _managed(request, pk)
    form = ActionItemForm(request.POST, assignees=User.objects.filter(is_active=True))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.action_item_add(
                actor=request.user,
                event=event,
                title=data["title"],
                assignee=data["assignee"],
                due_date=data["due_date"],
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The action item is added."))
            return redirect(event.get_absolute_url())
    return render(
        request,
        "meetings/simple_form.html",
        {"event": event, "form": form, "title": _("Add an action item")},
        status=400,
    )


@member_required
@require_POST
def minutes_edit(request, pk):
    event = _managed(request, pk)
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            services.minutes_set(
                actor=request.user,
                event=event,
                minutes=form.cleaned_data["minutes"],
                recordings=form.cleaned_data["recordings"],
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The minutes are saved."))
            return redirect(event.get_absolute_url())
    return render(
        request, "meetings/simple_form.html", {"event": event, "form": form, "title": _("Minutes")}, status=400
    )


# --- registration ------------------------------------------------------------------------------------------------


@member_required
@require_POST
def register(request, pk):
    event = selectors.event_get_for(user=request.user, pk=pk)
    if not permissions.can_register(request.user, event):
        raise Http404
    form = RegistrationForm(request.POST, event=event, user=request.user)
    if form.is_valid():
        try:
            registration = services.registration_register(actor=request.user, event=event, data=form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Registration: %(status)s.") % {"status": registration.get_status_display()})
            return redirect(event.get_absolute_url())
    return render(
        request, "meetings/simple_form.html", {"event": event, "form": form, "title": _("Register")}, status=400
    )


@member_required
@require_POST
def registration_cancel(request, pk):
    registration = selectors.registration_for(user=request.user, pk=pk)
    try:
        services.registration_cancel(actor=request.user, registration=registration)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("The registration is cancelled."))
    return redirect(registration.event.get_absolute_url())


@member_required
@require_POST
def registration_decide(request, pk):
    registration = selectors.registration_for(user=request.user, pk=pk)
    if not permissions.can_manage(request.user, registration.event):
        raise Http404
    approve = request.POST.get("decision")
    if approve not in ("approve", "decline"):
        messages.error(request, _("Choose approve or decline."))
        return redirect(registration.event.get_absolute_url())
    try:
        services.registration_decide(actor=request.user, registration=registration, approve=approve == "approve")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(registration.event.get_absolute_url())


@member_required
@require_GET
def participants(request, pk):
    event = selectors.event_get_for(user=request.user, pk=pk)
    if not permissions.can_see_participants(request.user, event):
        raise Http404
    return render(
        request,
        "meetings/participants.html",
        {
            "event": event,
            "participants": list(selectors.participants(event)),
            "waiting": list(selectors.waiting_list(event)) if permissions.can_manage(request.user, event) else [],
            "manage": permissions.can_manage(request.user, event),
        },
    )


class _Echo:
    def write(self, value):
        return value


def _csv_response(rows, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _safe(value) -> str:
    """Neutralise spreadsheet formulas in exported cells."""
    text = str(value if value is not None else "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@member_required
@require_GET
def participants_csv(request, pk):
    event = _managed(request, pk)
    services.participants_export_record(actor=request.user, event=event, what="csv")
    header = [
        _("Name"),
        _("E-mail"),
        _("Country"),
        _("Status"),
        _("Role"),
        _("Authority"),
        _("Languages"),
        _("Dietary needs"),
        _("Accessibility needs"),
        _("Visa letter needed"),
    ]

    def rows():
        yield header
        for r in selectors.participants(event).iterator(chunk_size=500):
            yield [
                _safe(r.user.full_name),
                _safe(r.user.email),
                r.user.country.iso2 if r.user.country_id else "",
                r.status,
                _safe(r.role),
                _safe(r.authority.official_name if r.authority_id else ""),
                " ".join(r.languages),
                _safe(r.dietary),
                _safe(r.accessibility),
                "yes" if r.visa_letter else "no",
            ]

    return _csv_response(rows(), f"event-{event.pk}-participants.csv")


@member_required
@require_GET
def badges(request, pk):
    event = _managed(request, pk)
    services.participants_export_record(actor=request.user, event=event, what="badges")
    return render(
        request, "meetings/badges.html", {"event": event, "participants": list(selectors.participants(event))}
    )


@member_required
@require_GET
def signin_sheet(request, pk):
    event = _managed(request, pk)
    services.participants_export_record(actor=request.user, event=event, what="signin_sheet")
    return render(
        request, "meetings/signin_sheet.html", {"event": event, "participants": list(selectors.participants(event))}
    )


# --- funding -----------------------------------------------------------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def funding(request, pk):
    """The organiser's funding page: budget, eligibility, requests and decisions, the report by region."""
    event = _managed(request, pk)
    budget_form = BudgetForm(
        initial={
            "currency": event.budget_currency,
            "amount": event.budget_amount,
            "daily_allowance": event.daily_allowance,
        }
    )
    eligibility_form = EligibilityForm()
    status = 200
    if request.method == "POST":
        if request.POST.get("form") == "budget":
            budget_form = BudgetForm(request.POST)
            if budget_form.is_valid():
                try:
                    services.budget_set(actor=request.user, event=event, **budget_form.cleaned_data)
                except ValidationError as exc:
                    _apply(budget_form, exc)
                else:
                    messages.success(request, _("The budget is saved."))
                    return redirect("meetings:funding", pk=event.pk)
        elif request.POST.get("form") == "eligibility":
            if not permissions.can_add_eligible_country(request.user):
                raise Http404
            eligibility_form = EligibilityForm(request.POST)
            if eligibility_form.is_valid():
                try:
                    services.eligibility_add(actor=request.user, event=event, **eligibility_form.cleaned_data)
                except ValidationError as exc:
                    _apply(eligibility_form, exc)
                else:
                    messages.success(request, _("The country is now eligible."))
                    return redirect("meetings:funding", pk=event.pk)
        status = 400
    event.refresh_from_db()
    return render(
        request,
        "meetings/funding.html",
        {
            "event": event,
            "budget_form": budget_form,
            "eligibility_form": eligibility_form if permissions.can_add_eligible_country(request.user) else None,
            "extra": list(event.extra_eligible.select_related("country")),
            "requests": list(selectors.funding_requests(user=request.user, event=event)),
            "decision_form": FundingDecisionForm(),
            "report": selectors.funding_report(event),
        },
        status=status,
    )


@member_required
@require_POST
def funding_request(request, pk):
    event = selectors.event_get_for(user=request.user, pk=pk)
    form = FundingRequestForm(request.POST)
    if form.is_valid():
        try:
            services.funding_request_create(actor=request.user, event=event, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Your funding request is sent."))
            return redirect(event.get_absolute_url())
    return render(
        request, "meetings/simple_form.html", {"event": event, "form": form, "title": _("Ask for funding")}, status=400
    )


@member_required
@require_POST
def funding_decide(request, pk):
    row = selectors.funding_request_for(user=request.user, pk=pk)
    event = row.event
    if not permissions.can_manage(request.user, event):
        raise Http404
    form = FundingDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.funding_decide(actor=request.user, request=row, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The decision is recorded and the participant is told."))
            return redirect("meetings:funding", pk=event.pk)
    return render(
        request, "meetings/simple_form.html", {"event": event, "form": form, "title": _("Decide")}, status=400
    )


@member_required
@require_GET
def funding_csv(request, pk):
    event = _managed(request, pk)
    services.funding_export_record(actor=request.user, event=event)
    header = [
        _("Name"),
        _("E-mail"),
        _("Country"),
        _("Travel"),
        _("Days"),
        _("Requested"),
        _("Status"),
        _("Approved"),
        _("Currency"),
        _("Reason"),
        _("Decided at"),
    ]

    def rows():
        yield header
        for r in selectors.funding_requests(user=request.user, event=event).iterator(chunk_size=500):
            yield [
                _safe(r.user.full_name),
                _safe(r.user.email),
                r.country.iso2,
                r.travel_amount,
                r.allowance_days,
                r.requested_amount,
                r.status,
                r.approved_amount,
                event.budget_currency,
                _safe(r.decision_reason),
                r.decided_at.isoformat() if r.decided_at else "",
            ]

    return _csv_response(rows(), f"event-{event.pk}-funding.csv")


# --- personal calendar feed --------------------------------------------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request):
    token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_revoke(actor=request.user)
            messages.success(request, _("The calendar address is revoked: it no longer works."))
            return redirect("meetings:calendar")
        token = services.feed_create(actor=request.user)
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = request.build_absolute_uri(reverse("meetings:feed", kwargs={"token": token})) if token else ""
    return render(
        request,
        "meetings/calendar.html",
        {"feed": feed, "feed_url": url, "events": selectors.upcoming_events_for(user=request.user, limit=20)},
    )


@require_GET
def feed(request, token):
    """The personal feed: no session needed, the secret address is the credential; 404 once revoked or the person
    is deactivated."""
    row = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=services.feed_token_hash(token), user__is_active=True)
        .first()
    )
    if row is None:
        raise Http404
    CalendarFeed.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    body = ics.calendar_for(
        selectors.feed_events_for(row.user), members=True, base_url=request.build_absolute_uri("/"), name="Comity"
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
