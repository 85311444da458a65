"""The audit log pages: the filtered, paginated list and its CSV export."""

from __future__ import annotations

import json
from functools import wraps

from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from comity.audit import permissions, selectors, services
from comity.audit.export import csv_lines
from comity.audit.forms import AuditFilterForm
from comity.core.decorators import member_required, recent_auth_required
from comity.core.i18n import territory_name

PAGE_SIZE = 50
EXPORT_BATCH_SIZE = 1000


def audit_reader_required(view):
    """Signed in with two factors and allowed to read the audit log; everyone else gets 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.can_view_audit(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return member_required(wrapper)


def _filter_form(request) -> AuditFilterForm:
    return AuditFilterForm(request.GET, zone=timezone.get_current_timezone())


def _selector_filters(form: AuditFilterForm) -> dict:
    data = form.cleaned_data
    return {
        "actor": data["actor"],
        "action": data["action"],
        "country": data["country"],
        "since": data["since"],
        "until": data["until"],
    }


def _render_list(request, form: AuditFilterForm, page=None, status: int = 200):
    query = request.GET.copy()
    query.pop("page", None)
    rows = [
        (event, json.dumps(event.details, sort_keys=True, ensure_ascii=False))
        for event in (page.object_list if page is not None else [])
    ]
    user = request.user
    scope = (
        None
        if user.is_secretariat
        else [f"{territory_name(code)} ({code})" for code in sorted(user.coordinated_country_codes())]
    )
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "scope": scope,
            "zone_name": timezone.get_current_timezone_name(),
        },
        status=status,
    )


@audit_reader_required
@require_GET
def event_list(request):
    form = _filter_form(request)
    if not form.is_valid():
        return _render_list(request, form, status=400)
    events = selectors.audit_event_list(user=request.user, **_selector_filters(form))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return _render_list(request, form, page)


@audit_reader_required
@recent_auth_required
@require_GET
def event_export(request):
    """Stream the filtered events as CSV. The export itself is audited before the first row is sent,
    and covers the events that existed at that moment (not the export's own event)."""
    form = _filter_form(request)
    if not form.is_valid():
        return _render_list(request, form, status=400)
    record = services.audit_export_record(actor=request.user, filters=form.filters())
    events = (
        selectors.audit_event_list(user=request.user, **_selector_filters(form))
        .filter(seq__lt=record.seq)
        .select_related(None)
    )
    response = StreamingHttpResponse(
        csv_lines(selectors.audit_events_by_seq(events, batch_size=EXPORT_BATCH_SIZE)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = record.created_at.strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="comity-audit-{stamp}.csv"'
    return response
