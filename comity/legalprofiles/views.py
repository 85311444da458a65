"""The legal profile pages: the country list, a country's profile, a measure's fiche and the compare page (public,
no account needed, with ETag/Last-Modified and 304), the edit pages and confirmations (the secretariat, and national
coordinators for their countries; anyone else gets 404 and nothing is written) and the overdue list for editors.
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_GET, require_http_methods, require_POST

from comity.core.decorators import member_required
from comity.directory.models import Channel
from comity.legalprofiles import hooks, permissions, selectors, services
from comity.legalprofiles.choices import CooperationType, Measure
from comity.legalprofiles.forms import (
    CompareForm,
    FicheForm,
    ProfileForm,
    RulesForm,
    law_formset,
    laws_data,
)
from comity.legalprofiles.models import CooperationRules, MeasureFiche, ProfileVersion
from comity.reference import selectors as reference_selectors

# --- conditional GET ---------------------------------------------------------------------------------------------


def _has_pending_messages(request) -> bool:
    """A flash message waits to be shown: answer in full, never 304 (the message would be lost)."""
    if request.COOKIES.get("messages"):
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.get("_messages"))


def _etag(request, stamp) -> str | None:
    if stamp is None or _has_pending_messages(request):
        return None
    user = request.user
    viewer = user.pk if getattr(user, "is_authenticated", False) else 0
    raw = f"{get_language()}|{viewer}|{stamp.isoformat()}|{request.get_full_path()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _once(request, key: str, compute):
    """The ETag and the Last-Modified functions share one query per request."""
    cache = request.__dict__.setdefault("_legalprofiles_stamps", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _country_stamp(request, iso2, code=None):
    return _once(request, "country:" + iso2, lambda: _latest(selectors.last_modified(iso2=iso2), iso2))


def _latest(stamp, iso2: str):
    """The profile's own stamp, moved forward by what the apps above show on it (typical times measured)."""
    stamps = [s for s in (stamp, *hooks.typical_times_changed(iso2=iso2.upper())) if s is not None]
    return max(stamps) if stamps else None


def _country_last_modified(request, iso2, code=None):
    return None if _has_pending_messages(request) else _country_stamp(request, iso2)


def _country_etag(request, iso2, code=None):
    return _etag(request, _country_stamp(request, iso2))


def _list_stamp(request):
    return _once(request, "all", selectors.last_modified_all)


def _list_last_modified(request):
    return None if _has_pending_messages(request) else _list_stamp(request)


def _list_etag(request):
    return _etag(request, _list_stamp(request))


def _compare_stamp(request):
    a, b = request.GET.get("a", ""), request.GET.get("b", "")
    if not (a and b):
        return None
    stamps = [stamp for stamp in (_country_stamp(request, a), _country_stamp(request, b)) if stamp]
    return max(stamps) if stamps else None


def _compare_last_modified(request):
    return None if _has_pending_messages(request) else _compare_stamp(request)


def _compare_etag(request):
    return _etag(request, _compare_stamp(request))


# --- helpers -------------------------------------------------------------------------------------------------------


def confirmer_label(user, record) -> str:
    """Who last confirmed a record: the name for members, the role for the public."""
    person = record.confirmed_by
    if person is None:
        return ""
    if permissions.can_see_editor_names(user):
        return person.display_name
    if person.is_secretariat:
        return _("the secretariat")
    return _("a national coordinator")


def version_rows(versions: list[ProfileVersion]) -> list[dict]:
    labels = {"created": _("Created"), "updated": _("Updated"), "confirmed": _("Confirmed as still correct")}
    return [
        {
            "version": version,
            "action": labels.get(version.action, version.action),
            "actor": version.actor.display_name if version.actor else _("System"),
            "fields": sorted(version.changes),
        }
        for version in versions
    ]


def _country_or_redirect(iso2: str):
    country = selectors.country_get(iso2=iso2)
    return country, iso2 != country.iso2


def _editable_country(request, iso2):
    country = selectors.country_get(iso2=iso2)
    if not permissions.can_edit_country(request.user, country.iso2):
        raise Http404
    return country


def _type_or_404(code: str) -> str:
    if code not in CooperationType.values:
        raise Http404
    return code


def _measure_or_404(code: str) -> str:
    if code not in Measure.values:
        raise Http404
    return code


def apply_service_errors(form, exc: ValidationError, formset=None) -> None:
    """Attach a service ValidationError to the field it names (laws.N.field to row N of the laws)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.message_dict.items():
        parts = key.split(".")
        if formset is not None and parts[0] == "laws" and len(parts) == 3 and parts[1].isdigit():
            index = int(parts[1])
            rows = [f for f in formset.forms if f.cleaned_data.get("title")]
            if index < len(rows) and parts[2] in rows[index].fields:
                rows[index].add_error(parts[2], errors)
                continue
        form.add_error(key if key in form.fields else None, errors)


def rules_rows(profile, authorities: dict[str, list[dict]]) -> list[dict]:
    by_type = {rules.coop_type: rules for rules in profile.rules.all()} if profile is not None else {}
    return [
        {
            "code": code,
            "label": label,
            "rules": by_type.get(code),
            "authorities": authorities[code],
            "languages": selectors.languages_for_type(authorities[code]),
            "laws": selectors.laws_for_type(profile, code) if profile is not None else [],
        }
        for code, label in CooperationType.choices
    ]


# --- public pages --------------------------------------------------------------------------------------------------


@require_GET
@condition(etag_func=_list_etag, last_modified_func=_list_last_modified)
def country_list(request):
    rows = selectors.country_rows()
    rows.sort(key=lambda row: reference_selectors.name_key(row["country"]))
    with_profile = [row for row in rows if row["has_profile"] or row["fiches"]]
    without = [row for row in rows if not (row["has_profile"] or row["fiches"])]
    return render(
        request,
        "legalprofiles/country_list.html",
        {
            "with_profile": with_profile,
            "without": without,
            "can_see_overdue": permissions.can_see_overdue(request.user),
        },
    )


@require_GET
@condition(etag_func=_country_etag, last_modified_func=_country_last_modified)
def country_detail(request, iso2):
    country, moved = _country_or_redirect(iso2)
    if moved:
        return redirect("legalprofiles:country_detail", iso2=country.iso2, permanent=True)
    user = request.user
    now = timezone.now()
    profile = selectors.profile_for(country)
    fiches = selectors.fiches_for(country)
    authorities = selectors.authorities_by_type(user=user, country=country)
    can_edit = permissions.can_edit_country(user, country.iso2)
    context = {
        "country": country,
        "profile": profile,
        "rules_rows": rules_rows(profile, authorities),
        "measures": [{"code": code, "label": label, "fiche": fiches.get(code)} for code, label in Measure.choices],
        "freshness": selectors.freshness(profile.last_confirmed_at, now) if profile else None,
        "confirmer": confirmer_label(user, profile) if profile else "",
        "can_edit": can_edit,
        "versions": [],
        "channel_labels": dict(Channel.choices),
        "typical_times": [row for rows in hooks.typical_times(country=country) for row in rows],
    }
    if can_edit and profile is not None:
        context["versions"] = version_rows(selectors.versions_for(kind="profile", record_id=profile.pk))
    return render(request, "legalprofiles/country_detail.html", context)


@require_GET
@condition(etag_func=_country_etag, last_modified_func=_country_last_modified)
def measure_detail(request, iso2, code):
    country, moved = _country_or_redirect(iso2)
    code = _measure_or_404(code)
    if moved:
        return redirect("legalprofiles:measure_detail", iso2=country.iso2, code=code, permanent=True)
    user = request.user
    fiche = selectors.fiche_for(country, code)
    can_edit = permissions.can_edit_country(user, country.iso2)
    context = {
        "country": country,
        "code": code,
        "label": Measure(code).label,
        "types": [CooperationType(value).label for value in selectors.measure_types(code)],
        "fiche": fiche,
        "freshness": selectors.freshness(fiche.last_confirmed_at) if fiche else None,
        "confirmer": confirmer_label(user, fiche) if fiche else "",
        "can_edit": can_edit,
        "versions": [],
    }
    if can_edit and fiche is not None:
        context["versions"] = version_rows(selectors.versions_for(kind="fiche", record_id=fiche.pk))
    return render(request, "legalprofiles/measure_detail.html", context)


COMPARE_RULE_FIELDS = (
    "treatyless_basis",
    "dual_criminality",
    "extradites_nationals",
    "political_offence_exception",
    "fiscal_offence_exception",
    "death_penalty_assurance",
    "life_sentence_assurance",
    "evidentiary_standard",
    "certification",
    "apostille",
    "originals",
    "urgent_procedure",
    "typical_time",
    "practical_tips",
)
COMPARE_FICHE_FIELDS = ("availability", "legal_conditions", "competent_authority", "contents", "time_limits", "remarks")


def _display(record, name: str):
    if record is None:
        return None
    getter = getattr(record, f"get_{name}_display", None)
    value = getter() if getter is not None else getattr(record, name)
    return value


def compare_rows(sides, *, measure: str, coop_type: str) -> list[dict]:
    rows = []
    if coop_type:
        rows.append(
            {
                "label": _("Languages accepted"),
                "values": [selectors.languages_for_type(side.authorities) for side in sides],
                "kind": "languages",
            }
        )
        for name in COMPARE_RULE_FIELDS:
            label = CooperationRules._meta.get_field(name).verbose_name
            rows.append({"label": label, "values": [_display(side.rules, name) for side in sides], "kind": "text"})
        rows.append(
            {
                "label": _("Channels"),
                "values": [list(side.rules.channels) if side.rules else None for side in sides],
                "kind": "channels",
            }
        )
    if measure:
        for name in COMPARE_FICHE_FIELDS:
            label = MeasureFiche._meta.get_field(name).verbose_name
            kind = {"competent_authority": "authority", "contents": "list"}.get(name, "text")
            rows.append({"label": label, "values": [_display(side.fiche, name) for side in sides], "kind": kind})
    return rows


@require_GET
@condition(etag_func=_compare_etag, last_modified_func=_compare_last_modified)
def compare(request):
    countries = reference_selectors.sorted_by_name(reference_selectors.country_list().prefetch_related(None))
    # A link from a country's page names only `a` (and a measure or type): the form starts from it, unsubmitted.
    bound = "b" in request.GET
    initial = {"a": request.GET.get("a", "").upper(), **{k: request.GET.get(k, "") for k in ("measure", "type")}}
    form = CompareForm(request.GET if bound else None, countries=countries, initial=initial)
    context: dict = {"form": form, "sides": [], "rows": [], "channel_labels": dict(Channel.choices), "measure": ""}
    status = 200
    if bound and not form.is_valid():
        status = 400
    elif bound:
        data = form.cleaned_data
        by_code = {country.iso2: country for country in countries}
        a, b = by_code[data["a"]], by_code[data["b"]]
        sides = selectors.compare(user=request.user, a=a, b=b, measure=data["measure"], coop_type=data["type"])
        context.update(
            sides=sides,
            rows=compare_rows(sides, measure=data["measure"], coop_type=data["type"]),
            measure=data["measure"],
            coop_type=data["type"],
            subject=Measure(data["measure"]).label if data["measure"] else CooperationType(data["type"]).label,
        )
    return render(request, "legalprofiles/compare.html", context, status=status)


# --- editing -------------------------------------------------------------------------------------------------------


def _bound(request):
    return request.POST if request.method == "POST" else None


@member_required
@require_http_methods(["GET", "POST"])
def profile_edit(request, iso2):
    country = _editable_country(request, iso2)
    profile = selectors.profile_for(country)
    form = ProfileForm(_bound(request), initial=ProfileForm.initial_for(profile))
    laws = law_formset(_bound(request), profile)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and laws.is_valid():
            try:
                changes = services.profile_update(
                    actor=request.user,
                    country=country,
                    data={**form.service_data(), "laws": laws_data(laws)},
                    effective_from=form.cleaned_data["effective_from"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc, laws)
            except PermissionDenied as exc:  # the role changed since the page was opened
                raise Http404 from exc
            else:
                _saved_message(request, changes)
                return redirect("legalprofiles:country_detail", iso2=country.iso2)
    return render(
        request,
        "legalprofiles/profile_form.html",
        {"form": form, "laws": laws, "country": country, "profile": profile},
        status=status,
    )


@member_required
@require_http_methods(["GET", "POST"])
def rules_edit(request, iso2, coop_type):
    country = _editable_country(request, iso2)
    coop_type = _type_or_404(coop_type)
    profile = selectors.profile_for(country)
    rules = next((r for r in profile.rules.all() if r.coop_type == coop_type), None) if profile else None
    form = RulesForm(_bound(request), initial=RulesForm.initial_for(rules))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                changes = services.rules_update(
                    actor=request.user,
                    country=country,
                    coop_type=coop_type,
                    data=form.service_data(),
                    effective_from=form.cleaned_data["effective_from"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                _saved_message(request, changes)
                return redirect(
                    reverse("legalprofiles:country_detail", kwargs={"iso2": country.iso2}) + f"#{coop_type}"
                )
    authorities = selectors.authorities_by_type(user=request.user, country=country)[coop_type]
    return render(
        request,
        "legalprofiles/rules_form.html",
        {
            "form": form,
            "country": country,
            "coop_type": coop_type,
            "label": CooperationType(coop_type).label,
            "languages": selectors.languages_for_type(authorities),
        },
        status=status,
    )


@member_required
@require_http_methods(["GET", "POST"])
def fiche_edit(request, iso2, code):
    country = _editable_country(request, iso2)
    code = _measure_or_404(code)
    fiche = selectors.fiche_for(country, code)
    authorities = selectors.authorities_for_fiche(user=request.user, country=country)
    form = FicheForm(_bound(request), authorities=authorities, initial=FicheForm.initial_for(fiche))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                changes = services.fiche_update(
                    actor=request.user,
                    country=country,
                    measure=code,
                    data=form.service_data(),
                    effective_from=form.cleaned_data["effective_from"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                _saved_message(request, changes)
                return redirect("legalprofiles:measure_detail", iso2=country.iso2, code=code)
    return render(
        request,
        "legalprofiles/fiche_form.html",
        {"form": form, "country": country, "code": code, "label": Measure(code).label, "fiche": fiche},
        status=status,
    )


def _saved_message(request, changes: dict) -> None:
    if changes:
        messages.success(request, _("Saved. The page now counts as confirmed today."))
    else:
        messages.info(request, _("Nothing was changed. If the page is still correct, confirm it."))


@member_required
@require_POST
def profile_confirm(request, iso2):
    country = _editable_country(request, iso2)
    try:
        services.profile_confirm(actor=request.user, country=country)
    except ValidationError as exc:
        raise Http404 from exc
    messages.success(request, _("Thank you: the legal profile is confirmed as still correct."))
    return redirect("legalprofiles:country_detail", iso2=country.iso2)


@member_required
@require_POST
def fiche_confirm(request, iso2, code):
    country = _editable_country(request, iso2)
    code = _measure_or_404(code)
    try:
        services.fiche_confirm(actor=request.user, country=country, measure=code)
    except ValidationError as exc:
        raise Http404 from exc
    messages.success(request, _("Thank you: the fiche is confirmed as still correct."))
    return redirect("legalprofiles:measure_detail", iso2=country.iso2, code=code)


@member_required
@require_GET
def overdue(request):
    if not permissions.can_see_overdue(request.user):
        raise Http404
    now = timezone.now()
    found = selectors.overdue_for(user=request.user, now=now)
    return render(
        request,
        "legalprofiles/overdue.html",
        {
            "profiles": [(p, selectors.freshness(p.last_confirmed_at, now)) for p in found["profiles"]],
            "fiches": [(f, selectors.freshness(f.last_confirmed_at, now)) for f in found["fiches"]],
            "days": selectors.confirmation_days(),
        },
    )
