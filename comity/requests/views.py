"""Pages of the guided writer and the follow-up: parse, authorize, call a service or selector, render.

Every page works without JavaScript: each step is a form whose POST saves the draft and moves on. Pages answer 404
to anyone who may not see them (the secretariat reaches only the counts page)."""

from __future__ import annotations

import csv
from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comity.accounts.models import User
from comity.core.decorators import member_required
from comity.core.i18n import language_name
from comity.directory.models import Channel
from comity.legalprofiles.choices import Measure
from comity.requests import documents, forms, permissions, selectors, services, transitions, writer
from comity.requests.models import RequestType, Status

PAGE_SIZE = 50


def writer_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.may_write(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return member_required(wrapper)


def _channel_label(code: str) -> str:
    return str(dict(Channel.choices).get(code, code))


def _steps_context(draft, current: str) -> dict:
    steps = writer.steps_for(draft.coop_type)
    names = [name for name, _label in steps]
    index = names.index(current) if current in names else 0
    return {
        "steps": steps,
        "step": current,
        "next_step": names[index + 1] if index + 1 < len(names) else None,
        "previous_step": names[index - 1] if index > 0 else None,
    }


def _page(request, draft, step: str, form, reqs, status: int = 200, **extra):
    context = {
        "draft": draft,
        "form": form,
        "reqs": reqs,
        "missing": writer.missing_items(draft=draft, reqs=reqs),
        "measure_labels": dict(Measure.choices),
        "channel_label": _channel_label,
        "language_label": language_name,
        **_steps_context(draft, step),
        **extra,
    }
    return render(request, "requests/step.html", context, status=status)


@writer_required
def home(request):
    return render(
        request,
        "requests/home.html",
        {
            "drafts": selectors.draft_list(user=request.user)[:PAGE_SIZE],
            "notices": selectors.unread_notices(user=request.user)[:PAGE_SIZE],
        },
    )


@writer_required
@require_http_methods(["GET", "POST"])
def draft_new(request):
    authorities = permissions.own_authorities(request.user)
    form = forms.BasicsForm(request.POST or None, authorities=authorities)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.draft_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return redirect("requests:draft_step", pk=draft.pk, step="content")
    status = 400 if request.method == "POST" else 200
    return render(request, "requests/new.html", {"form": form, "no_authority": not authorities.exists()}, status=status)


def _measure_fields(draft, reqs, data=None):
    """The measures step as (measure, fiche, [(field name, item, value, error)])."""
    rows = []
    for measure in draft.measures:
        fiche = reqs.fiches.get(measure)
        answers = draft.measure_items.get(measure, {})
        items = []
        for index, item in enumerate(writer.fiche_items(fiche)):
            name = f"m-{measure}-{index}"
            value = data.get(name, "") if data is not None else answers.get(item, "")
            items.append({"name": name, "item": item, "value": value})
        rows.append({"measure": measure, "fiche": fiche, "items": items})
    return rows


@writer_required
@require_http_methods(["GET", "POST"])
def draft_step(request, pk, step):
    draft = selectors.draft_get_for(user=request.user, pk=pk)
    names = [name for name, _label in writer.steps_for(draft.coop_type)]
    if step not in names:
        raise Http404
    if request.method == "POST" and not permissions.can_edit_draft(request.user, draft):
        raise Http404
    reqs = writer.requirements(user=request.user, draft=draft)
    if step == "basics":
        authorities = permissions.own_authorities(request.user)
        initial = {
            "requesting_authority": draft.requesting_authority,
            "requested_country": draft.requested_country,
            "coop_type": draft.coop_type,
            "measures": draft.measures,
            "urgent": draft.urgent,
            "deadline": draft.deadline,
        }
        form = forms.BasicsForm(request.POST or None, authorities=authorities, initial=initial)
    elif step == "content":
        form = forms.ContentForm(request.POST or None, initial=draft.content)
    elif step == "extradition":
        form = forms.ExtraditionForm(
            request.POST or None, initial=draft.content, assurances_required=reqs.assurances_required
        )
    elif step == "addressing":
        initial = {
            "requested_authority": str(draft.requested_authority_id or ""),
            "legal_basis": draft.legal_basis,
            "language": draft.language,
            "channel": draft.channel,
            "our_reference": draft.our_reference,
        }
        form = forms.AddressingForm(
            request.POST or None,
            initial=initial,
            reqs=reqs,
            language_label=language_name,
            channel_label=_channel_label,
        )
    else:
        form = None
    extra = {"measure_rows": _measure_fields(draft, reqs, request.POST if request.method == "POST" else None)}
    if step == "review":
        extra["share_form"] = forms.ShareForm()
        extra["can_share"] = permissions.can_share_draft(request.user, draft)
    if request.method == "GET":
        return _page(request, draft, step, form, reqs, **extra)
    if form is not None and not form.is_valid():
        return _page(request, draft, step, form, reqs, status=400, **extra)
    if step == "measures":
        data = {
            row["measure"]: {i["item"]: request.POST.get(i["name"], "") for i in row["items"]}
            for row in extra["measure_rows"]
        }
    elif form is not None:
        data = form.cleaned_data
    else:
        data = {}
    try:
        if step != "review":
            services.draft_save_step(actor=request.user, draft=draft, step=step, data=data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            for error in errors:
                if form is not None:
                    form.add_error(field if field in form.fields else None, error)
        return _page(request, draft, step, form, reqs, status=400, **extra)
    target = request.POST.get("go") or ""
    names = [name for name, _label in writer.steps_for(draft.coop_type)]
    if target not in names:
        index = names.index(step)
        target = names[min(index + 1, len(names) - 1)]
    return redirect("requests:draft_step", pk=draft.pk, step=target)


@writer_required
@require_POST
def draft_finalise(request, pk):
    draft = selectors.draft_get_for(user=request.user, pk=pk)
    try:
        created = services.draft_finalise(actor=request.user, draft=draft)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        reqs = writer.requirements(user=request.user, draft=draft)
        errors = [e for errors in exc.message_dict.values() for e in errors]
        return _page(
            request,
            draft,
            "review",
            None,
            reqs,
            status=400,
            finalise_errors=errors,
            measure_rows=[],
            share_form=forms.ShareForm(),
            can_share=permissions.can_share_draft(request.user, draft),
        )
    return redirect("requests:request_detail", pk=created.pk)


@writer_required
@require_POST
def draft_share(request, pk):
    draft = selectors.draft_get_for(user=request.user, pk=pk)
    form = forms.ShareForm(request.POST)
    error = ""
    if form.is_valid():
        colleague = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        try:
            if colleague is None:
                raise ValidationError(
                    {"user": [_("You can share a draft only with a colleague of your own authority.")]}
                )
            services.draft_share(actor=request.user, draft=draft, user=colleague)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            error = " ".join(e for errors in exc.message_dict.values() for e in errors)
    else:
        error = _("Enter an e-mail address.")
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    return redirect("requests:draft_step", pk=draft.pk, step="review")


@writer_required
@require_POST
def draft_delete(request, pk):
    draft = selectors.draft_get_for(user=request.user, pk=pk)
    try:
        services.draft_delete(actor=request.user, draft=draft)
    except PermissionDenied as exc:
        raise Http404 from exc
    return redirect("requests:home")


def _letter_language(request, draft) -> str:
    language = request.GET.get("language") or draft.language or ""
    reqs = writer.requirements(user=request.user, draft=draft)
    if language not in reqs.letter_languages:
        language = reqs.letter_languages[0]
    return language


def _letter_page(request, draft, req=None):
    language = request.GET.get("language") or (req.language if req else "") or _letter_language(request, draft)
    language, blocks = documents.letter_blocks(draft=draft, request=req, language=language)
    return render(
        request, "requests/letter.html", {"blocks": blocks, "letter_language": language, "rtl": language == "ar"}
    )


def _docx(draft, req, language, user) -> HttpResponse:
    content = documents.letter_docx(draft=draft, request=req, language=language)
    services.document_downloaded(actor=user, request=req, draft=None if req else draft, fmt="docx")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    name = f"request-{req.pk}-{language}.docx" if req else f"draft-{draft.pk}-{language}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@writer_required
def draft_letter(request, pk):
    draft = selectors.draft_get_for(user=request.user, pk=pk)
    return _letter_page(request, draft)


@writer_required
def draft_docx(request, pk):
    draft = selectors.draft_get_for(user=request.user, pk=pk)
    return _docx(draft, None, _letter_language(request, draft), request.user)


@writer_required
def draft_annexes(request, pk):
    draft = selectors.draft_get_for(user=request.user, pk=pk)
    reqs = writer.requirements(user=request.user, draft=draft)
    return render(
        request, "requests/annexes.html", {"draft": draft, "items": documents.annex_checklist(draft=draft, reqs=reqs)}
    )


# --- the shared record -------------------------------------------------------------------------------------------


def _detail(request, req, status_form=None, reference_form=None, status: int = 200):
    sides = permissions.sides_of(request.user, req)
    targets = transitions.targets_for(req.status, sides)
    services.notice_mark_read(user=request.user, request=req)
    return render(
        request,
        "requests/detail.html",
        {
            "req": req,
            "draft": req.draft,
            "sides": sides,
            "history": selectors.history_for(req),
            "status_form": status_form or (forms.StatusForm(targets=targets) if targets else None),
            "reference_form": reference_form or forms.ReferenceForm(),
            "measure_labels": dict(Measure.choices),
            "channel_label": _channel_label,
            "language_label": language_name,
        },
        status=status,
    )


@writer_required
def request_detail(request, pk):
    req = selectors.request_get_for(user=request.user, pk=pk)
    return _detail(request, req)


@writer_required
@require_POST
def request_status(request, pk):
    req = selectors.request_get_for(user=request.user, pk=pk)
    sides = permissions.sides_of(request.user, req)
    form = forms.StatusForm(request.POST, targets=Status.values)
    if form.is_valid():
        try:
            services.request_status_set(
                actor=request.user, request=req, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return redirect("requests:request_detail", pk=req.pk)
    form.fields["status"].choices = [(v, Status(v).label) for v in transitions.targets_for(req.status, sides)]
    return _detail(request, req, status_form=form, status=400)


@writer_required
@require_POST
def request_reference(request, pk):
    req = selectors.request_get_for(user=request.user, pk=pk)
    form = forms.ReferenceForm(request.POST)
    if not form.is_valid():
        return _detail(request, req, reference_form=form, status=400)
    services.request_reference_set(actor=request.user, request=req, reference=form.cleaned_data["reference"])
    return redirect("requests:request_detail", pk=req.pk)


@writer_required
@require_POST
def request_thread(request, pk):
    req = selectors.request_get_for(user=request.user, pk=pk)
    space = services.request_thread_open(actor=request.user, request=req)
    return redirect("forum:space_detail", slug=space.slug)


@writer_required
def request_letter(request, pk):
    req = selectors.request_get_for(user=request.user, pk=pk)
    return _letter_page(request, req.draft, req)


@writer_required
def request_docx(request, pk):
    req = selectors.request_get_for(user=request.user, pk=pk)
    return _docx(req.draft, req, req.language, request.user)


# --- registers -------------------------------------------------------------------------------------------------


def _filters(form) -> selectors.RegisterFilters:
    data = form.cleaned_data
    urgent = {"1": True, "0": False}.get(data.get("urgent") or "")
    return selectors.RegisterFilters(
        direction=data.get("direction") or "",
        status=data.get("status") or "",
        coop_type=data.get("coop_type") or "",
        country=data.get("country") or "",
        urgent=urgent,
        sent_from=data.get("sent_from"),
        sent_to=data.get("sent_to"),
    )


@writer_required
def register(request):
    form = forms.RegisterFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(request, "requests/register.html", {"form": form, "rows": [], "query": ""}, status=400)
    filters = _filters(form) if form.is_bound else selectors.RegisterFilters()
    rows = list(selectors.register(user=request.user, filters=filters)[: PAGE_SIZE + 1])
    return render(
        request,
        "requests/register.html",
        {
            "form": form,
            "rows": rows[:PAGE_SIZE],
            "more": len(rows) > PAGE_SIZE,
            "query": request.GET.urlencode(),
        },
    )


class _Echo:
    def write(self, value):
        return value


@writer_required
def register_csv(request):
    form = forms.RegisterFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return HttpResponse(_("Correct the filters."), status=400, content_type="text/plain; charset=utf-8")
    filters = _filters(form) if form.is_bound else selectors.RegisterFilters()
    qs = selectors.register(user=request.user, filters=filters)
    services.register_exported(
        actor=request.user, direction=filters.direction or "both", rows=qs.count(), filters=filters.as_dict()
    )
    out = csv.writer(_Echo())

    def lines():
        yield out.writerow(
            [
                "id",
                "requesting_country",
                "requested_country",
                "requesting_authority",
                "requested_authority",
                "type",
                "measures",
                "urgent",
                "status",
                "sent_at",
                "received_at",
                "acknowledged_at",
                "closed_at",
                "requesting_reference",
                "requested_reference",
                "channel",
            ]
        )
        for r in qs.iterator(chunk_size=500):
            yield out.writerow(
                [
                    r.pk,
                    r.requesting_country.iso2,
                    r.requested_country.iso2,
                    r.requesting_authority.official_name,
                    r.requested_authority.official_name,
                    r.coop_type,
                    " ".join(r.measures),
                    int(r.urgent),
                    r.status,
                    r.sent_at.isoformat(),
                    r.received_at.isoformat() if r.received_at else "",
                    r.acknowledged_at.isoformat() if r.acknowledged_at else "",
                    r.closed_at.isoformat() if r.closed_at else "",
                    _safe(r.requesting_reference),
                    _safe(r.requested_reference),
                    r.channel,
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="comity-requests-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _safe(value: str) -> str:
    """Neutralise spreadsheet formulas in free text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@member_required
def counts(request):
    if not permissions.may_see_counts(request.user):
        raise Http404
    rows = selectors.counts()
    return render(
        request,
        "requests/counts.html",
        {"rows": rows, "type_labels": dict(RequestType.choices), "status_labels": dict(Status.choices)},
    )
