"""Pages of instruments, their parties and the legal-basis finder.

Reading is public (no sign-in): instruments, parties, the finder, the status table and the overview send
ETag/Last-Modified and answer conditional GETs with 304. Writing follows `permissions.py`; a page one may not
use answers 404.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_GET, require_http_methods, require_POST

from comity.core.decorators import member_required, recent_auth_required
from comity.legalprofiles.choices import CooperationType
from comity.reference import regions
from comity.reference import selectors as reference_selectors
from comity.treaties import importing, permissions, queries, selectors, services
from comity.treaties.forms import BasisForm, ImportForm, InstrumentForm, PartyForm, StatusFilterForm, country_choices
from comity.treaties.models import KIND_ORDER, Kind

STATUS_LABELS = {
    "in_force": gettext_lazy("in force"),
    "party": gettext_lazy("party, not yet in force"),
    "signed": gettext_lazy("signed"),
    "withdrawn": gettext_lazy("withdrawn"),
    "": "",
}


# --- conditional GETs -------------------------------------------------------------------------------------------


def _last_modified(request, *args, **kwargs) -> dt.datetime | None:
    return selectors.last_modified()


def _etag(request, *args, **kwargs) -> str:
    """The data's age, plus what else changes the page: language, viewer, query and (for defaults) today."""
    latest = selectors.last_modified()
    user = request.user
    viewer = f"{user.pk}:{user.role}" if user.is_authenticated else "-"
    parts = [
        latest.isoformat() if latest else "",
        translation.get_language() or "",
        viewer,
        request.get_full_path(),
        timezone.localdate().isoformat(),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def public_page(view):
    """A public page: conditional GET (ETag and Last-Modified), varying by cookie and language."""
    conditional = condition(etag_func=_etag, last_modified_func=_last_modified)(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = conditional(request, *args, **kwargs)
        patch_vary_headers(response, ["Cookie", "Accept-Language"])
        return response

    return require_GET(wrapper)


# --- instruments --------------------------------------------------------------------------------------------------


@public_page
def instrument_list(request):
    instruments = list(selectors.instrument_list())
    groups = [(kind, [i for i in instruments if i.kind == kind]) for kind in KIND_ORDER]
    return render(
        request,
        "treaties/instrument_list.html",
        {
            "groups": [(Kind(kind).label, rows) for kind, rows in groups if rows],
            "may_create": permissions.may_write_at_all(request.user),
            "type_labels": dict(CooperationType.choices),
        },
    )


@public_page
def instrument_detail(request, slug):
    instrument = selectors.instrument_get(slug=slug)
    parties = selectors.party_list(instrument=instrument)
    today = timezone.localdate()
    user = request.user
    states = [c.iso2 for c in instrument.states.all()]
    rows = [
        {
            "party": party,
            "status": STATUS_LABELS[selectors.party_status(party, today)],
            "may_edit": permissions.can_edit_party(user, country_iso2=party.country.iso2),
        }
        for party in parties
    ]
    return render(
        request,
        "treaties/instrument_detail.html",
        {
            "instrument": instrument,
            "rows": rows,
            "may_edit": permissions.can_edit_instrument(user, instrument, states=states),
            "may_add_party": permissions.may_write_at_all(user),
            "may_import": permissions.can_import(user),
            "may_verify": permissions.can_verify(user),
            "type_labels": dict(CooperationType.choices),
            "kind_label": Kind(instrument.kind).label,
        },
    )


def editor_required(view):
    """Signed in and allowed to write something here at all; everyone else gets 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.may_write_at_all(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return member_required(wrapper)


def _apply_errors(form, exc: ValidationError, *, rename: dict | None = None) -> None:
    for key, messages_ in exc.message_dict.items():
        name = (rename or {}).get(key, key)
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)


INSTRUMENT_RENAME = {"states": "state_a", "covers": None, "titles": None}


@never_cache
@editor_required
@require_http_methods(["GET", "POST"])
def instrument_create(request):
    countries = country_choices()
    form = InstrumentForm(request.POST or None, countries=countries)
    if request.method == "POST" and form.is_valid():
        try:
            instrument = services.instrument_create(actor=request.user, data=form.to_data())
        except PermissionDenied:
            form.add_error(None, _("You may create bilateral treaties of the countries you coordinate only."))
        except ValidationError as exc:
            _apply_errors(form, exc, rename=INSTRUMENT_RENAME)
        else:
            messages.success(request, _("Instrument created."))
            return redirect("treaties:instrument_detail", slug=instrument.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "treaties/instrument_form.html", {"form": form, "instrument": None}, status=status)


@never_cache
@editor_required
@require_http_methods(["GET", "POST"])
def instrument_edit(request, slug):
    instrument = selectors.instrument_get(slug=slug)
    if not permissions.can_edit_instrument(request.user, instrument):
        raise Http404
    countries = country_choices()
    form = InstrumentForm(request.POST or None, countries=countries, initial=InstrumentForm.initial_for(instrument))
    if request.method == "POST" and form.is_valid():
        try:
            services.instrument_update(actor=request.user, instrument=instrument, data=form.to_data())
        except PermissionDenied:
            form.add_error(None, _("You may edit bilateral treaties of the countries you coordinate only."))
        except ValidationError as exc:
            _apply_errors(form, exc, rename=INSTRUMENT_RENAME)
        else:
            messages.success(request, _("Instrument saved."))
            return redirect("treaties:instrument_detail", slug=form.cleaned_data["slug"])
    status = 400 if request.method == "POST" else 200
    return render(request, "treaties/instrument_form.html", {"form": form, "instrument": instrument}, status=status)


@never_cache
@editor_required
@require_http_methods(["GET", "POST"])
def party_create(request, slug):
    instrument = selectors.instrument_get(slug=slug)
    user = request.user
    countries = [row for row in country_choices() if permissions.can_edit_party(user, country_iso2=row[0])]
    form = PartyForm(request.POST or None, countries=countries)
    if request.method == "POST" and form.is_valid():
        country = services.clean_country(form.cleaned_data["country"])
        if selectors.party_exists(instrument=instrument, country=country):
            form.add_error("country", _("This state already has a row; edit it instead."))
        else:
            try:
                services.party_save(actor=user, instrument=instrument, country=country, data=form.to_data())
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Party recorded."))
                return redirect("treaties:instrument_detail", slug=instrument.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "treaties/party_form.html", {"form": form, "instrument": instrument, "party": None}, status=status
    )


@never_cache
@editor_required
@require_http_methods(["GET", "POST"])
def party_edit(request, slug, iso2):
    instrument = selectors.instrument_get(slug=slug)
    party = selectors.party_get(instrument=instrument, iso2=iso2)
    if not permissions.can_edit_party(request.user, country_iso2=party.country.iso2):
        raise Http404
    form = PartyForm(request.POST or None, countries=[], fixed_country=True, initial=PartyForm.initial_for(party))
    if request.method == "POST" and form.is_valid():
        try:
            services.party_save(actor=request.user, instrument=instrument, country=party.country, data=form.to_data())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Party saved."))
            return redirect("treaties:instrument_detail", slug=instrument.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "treaties/party_form.html", {"form": form, "instrument": instrument, "party": party}, status=status
    )


@member_required
@require_POST
def party_verify(request, slug, iso2):
    if not permissions.can_verify(request.user):
        raise Http404
    instrument = selectors.instrument_get(slug=slug)
    party = selectors.party_get(instrument=instrument, iso2=iso2)
    services.party_verify(actor=request.user, party=party)
    messages.success(request, _("Row confirmed against the depositary."))
    return redirect("treaties:instrument_detail", slug=instrument.slug)


def importer_required(view):
    """Signed in and allowed to import (the secretariat); everyone else gets 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.can_import(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return member_required(wrapper)


@never_cache
@importer_required
@recent_auth_required
@require_http_methods(["GET", "POST"])
def party_import(request, slug):
    instrument = selectors.instrument_get(slug=slug)
    form = ImportForm(request.POST or None, request.FILES or None)
    report, content, status = None, "", 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            content = form.cleaned_data["content"]
            try:
                report = importing.run_import(
                    actor=request.user,
                    instrument=instrument,
                    content=content,
                    mode=form.cleaned_data["action"],
                    source=form.cleaned_data["source"],
                    as_of=form.cleaned_data["as_of"],
                )
            except importing.ImportFileError as exc:
                form.add_error("file", exc.message)
            else:
                status = 200 if not report.has_errors or report.applied else 400
    return render(
        request,
        "treaties/import.html",
        {
            "form": form,
            "instrument": instrument,
            "report": report,
            "content": content,
            "columns": [importing.PARTICIPANT, importing.SIGNATURE, importing.CONSENT, importing.ENTRY_INTO_FORCE],
        },
        status=status,
    )


# --- the legal-basis finder, the status table, the overview ------------------------------------------------------


@public_page
def legal_basis(request):
    countries = country_choices(states_only=True)
    form = BasisForm(request.GET or None, countries=countries)
    result, status, errors = None, 200, {}
    if request.GET:
        try:
            requesting, requested, coop_type, on = queries.parse_basis_query(request.GET)
        except ValidationError as exc:
            errors = exc.message_dict
            status = 400
            form.is_valid()
            for key, messages_ in errors.items():
                for message in messages_:
                    if message not in form.errors.get(key, []):
                        form.add_error(key, message)
        else:
            result = selectors.legal_basis(requesting=requesting, requested=requested, coop_type=coop_type, on=on)
    return render(
        request,
        "treaties/basis.html",
        {
            "form": form,
            "result": result,
            "type_label": selectors.coop_type_label(result.coop_type) if result else "",
            "kind_labels": dict(Kind.choices),
        },
        status=status,
    )


def _status_filters(request):
    networks = list(reference_selectors.network_list())
    form = StatusFilterForm(request.GET or None, networks=networks)
    filters: dict[str, str] = {}
    if form.is_bound and form.is_valid():
        filters = {key: value for key, value in form.cleaned_data.items() if value}
    return form, filters


@public_page
def status_table(request):
    form, filters = _status_filters(request)
    status = 400 if form.is_bound and not form.is_valid() else 200
    today = timezone.localdate()
    instruments, rows = selectors.status_table(on=today, **filters) if status == 200 else ([], [])
    table = [
        (country, [(party, selectors.party_status(party, today)) for party in parties]) for country, parties in rows
    ]
    return render(
        request,
        "treaties/status.html",
        {
            "form": form,
            "instruments": instruments,
            "table": table,
            "labels": STATUS_LABELS,
            "query": request.GET.urlencode(),
        },
        status=status,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
def status_csv(request):
    form, filters = _status_filters(request)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "treaties/status.html",
            {"form": form, "instruments": [], "table": [], "labels": STATUS_LABELS, "query": ""},
            status=400,
        )
    today = timezone.localdate()
    instruments, rows = selectors.status_table(on=today, **filters)
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(["iso2", "country", *(i.slug for i in instruments)])
        for country, parties in rows:
            cells = []
            for party in parties:
                state = selectors.party_status(party, today)
                if party is not None and state and not party.verified:
                    state += " (unverified)"
                cells.append(state)
            yield writer.writerow([country.iso2, country.name, *cells])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="treaty-status-{today.isoformat()}.csv"'
    return response


REGION_CLASSES = {
    "002": "region-africa",
    "019": "region-americas",
    "142": "region-asia",
    "150": "region-europe",
    "009": "region-oceania",
}


@public_page
def overview(request):
    today = timezone.localdate()
    return render(
        request,
        "treaties/overview.html",
        {
            "items": selectors.overview(on=today),
            "region_name": regions.area_name,
            "region_class": lambda code: REGION_CLASSES.get(code, "region-other"),
            "kind_labels": dict(Kind.choices),
        },
    )
