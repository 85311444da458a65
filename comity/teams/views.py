"""The joint-team pages: list, set-up, the workspace (members, action items, shelf, timeline, evaluation), the
model agreement (printable page and DOCX) and the secretariat's template. Every write goes through a service;
a team the user is not an active member of, or an action they may not take, answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comity.core.decorators import member_required
from comity.core.i18n import UI_LANGUAGES, language_name
from comity.directory import permissions as directory_permissions
from comity.files.services import FileError
from comity.teams import agreement, forms, permissions, selectors, services
from comity.teams.models import ActionItem


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, messages_ in exc.message_dict.items():
            for message in messages_:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _choices_of_members(team) -> list[tuple[str, str]]:
    return [(str(m.user_id), m.user.display_name) for m in selectors.active_members(team)]


def _context(request, team, **forms_) -> dict:
    user = request.user
    today = timezone.localdate()
    members = selectors.active_members(team)
    items = selectors.action_items(team)
    context = {
        "team": team,
        "members": members,
        "leaders": [m for m in members if m.is_leader],
        "items": [{"item": item, "due": selectors.due_moment(item)} for item in items],
        "documents": selectors.documents(team),
        "timeline": selectors.timeline(team),
        "evaluations": selectors.evaluations(team),
        "extensions": list(team.extensions.select_related("created_by")),
        "can_write": permissions.can_write(user, team),
        "can_lead": permissions.can_lead(user, team),
        "led_country": permissions.led_country_id(user, team),
        "can_evaluate": permissions.can_evaluate(user, team, today),
        "may_update": lambda item: permissions.can_update_item(user, team, item),
        "status_choices": ActionItem.Status.choices,
        "member_form": forms.MemberAddForm(
            choices=[(str(u.pk), u.display_name) for u in selectors.invitable_users(user=user, team=team)]
        ),
        "extension_form": forms.ExtensionForm(),
        "item_form": forms.ActionItemForm(choices=_choices_of_members(team)),
        "document_form": forms.DocumentForm(),
        "version_form": forms.VersionForm(),
        "evaluation_form": forms.EvaluationForm(initial={"would_repeat": True}),
    }
    context.update(forms_)
    return context


def _detail(request, team, status=200, **forms_):
    return render(request, "teams/team_detail.html", _context(request, team, **forms_), status=status)


@require_GET
@member_required
def team_list(request):
    return render(
        request,
        "teams/team_list.html",
        {
            "teams": list(selectors.team_list(user=request.user)),
            "can_create": permissions.can_create_team(request.user),
            "can_edit_template": permissions.can_edit_template(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@member_required
def team_create(request):
    user = request.user
    if not permissions.can_create_team(user):
        raise Http404
    data = request.POST if request.method == "POST" else None
    search = (request.POST.get("leader_search") or request.GET.get("leader_search") or "").strip()
    candidates = selectors.leader_candidates(user=user)
    chosen = [v for v in (data.getlist("leaders") if data else []) if v.isdigit()]
    if search:
        candidates = candidates.filter(full_name__icontains=search) | candidates.filter(pk__in=chosen)
    leader_choices = [
        (str(u.pk), f"{u.display_name} ({u.country.iso2})") for u in candidates.order_by("full_name")[:200]
    ]
    authority_choices = [
        (str(a.pk), f"{a.localized_name()} ({a.country.iso2})")
        for a in directory_permissions.authorities_visible_to(user).select_related("country")[:500]
    ]
    form = forms.TeamCreateForm(
        data,
        leader_choices=leader_choices,
        authority_choices=authority_choices,
        initial={"leaders": [str(user.pk)]},
    )
    status = 200
    if data is not None and request.POST.get("action") != "search":
        if form.is_valid():
            cleaned = form.cleaned_data
            leaders = list(selectors.leader_candidates(user=user).filter(pk__in=cleaned["leaders"]))
            authorities = list(directory_permissions.authorities_visible_to(user).filter(pk__in=cleaned["authorities"]))
            try:
                team = services.team_create(
                    actor=user,
                    name=cleaned["name"],
                    purpose=cleaned["purpose"],
                    agreement_reference=cleaned["agreement_reference"],
                    starts_on=cleaned["starts_on"],
                    ends_on=cleaned["ends_on"],
                    leaders=leaders,
                    authorities=authorities,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The team is set up, with its private space."))
                return redirect("teams:detail", pk=team.pk)
        status = 400
    return render(request, "teams/team_form.html", {"form": form}, status=status)


@require_GET
@member_required
def team_detail(request, pk):
    team = selectors.team_get_for(user=request.user, pk=pk)
    return _detail(request, team)


def _post_action(request, pk, form_name, build_form, run):
    """Shared flow of the workspace's forms: find the team, check the form, run the service, redirect back;
    an invalid form re-renders the workspace with the errors on their fields (400)."""
    team = selectors.team_get_for(user=request.user, pk=pk)
    form = build_form(team)
    if form.is_valid():
        try:
            run(team, form.cleaned_data)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            _apply_errors(form, exc)
        except FileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("teams:detail", pk=team.pk)
    return _detail(request, team, status=400, **{form_name: form})


def _user_in(team, value):
    return next((m.user for m in selectors.active_members(team) if str(m.user_id) == str(value)), None)


@require_POST
@member_required
def member_add(request, pk):
    def build(team):
        return forms.MemberAddForm(
            request.POST,
            choices=[(str(u.pk), u.display_name) for u in selectors.invitable_users(user=request.user, team=team)],
        )

    def run(team, data):
        person = selectors.invitable_users(user=request.user, team=team).filter(pk=data["user"]).first()
        services.member_add(actor=request.user, team=team, user=person)
        messages.success(request, _("Member added."))

    return _post_action(request, pk, "member_form", build, run)


@require_POST
@member_required
def member_remove(request, pk, user_id):
    team = selectors.team_get_for(user=request.user, pk=pk)
    person = _user_in(team, user_id)
    if person is None:
        raise Http404
    try:
        services.member_remove(actor=request.user, team=team, user=person)
    except (PermissionDenied, ValidationError) as exc:
        raise Http404 from exc
    messages.success(request, _("Member removed; their access ended."))
    return redirect("teams:detail", pk=team.pk)


@require_POST
@member_required
def extend(request, pk):
    def run(team, data):
        services.team_extend(actor=request.user, team=team, new_end=data["new_end"], reason=data["reason"])

    return _post_action(request, pk, "extension_form", lambda team: forms.ExtensionForm(request.POST), run)


@require_POST
@member_required
def close(request, pk):
    team = selectors.team_get_for(user=request.user, pk=pk)
    try:
        services.team_close(actor=request.user, team=team)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The team is closed; its workspace is now read-only."))
    return redirect("teams:detail", pk=team.pk)


@require_POST
@member_required
def item_create(request, pk):
    def build(team):
        return forms.ActionItemForm(request.POST, choices=_choices_of_members(team))

    def run(team, data):
        services.action_item_create(
            actor=request.user,
            team=team,
            title=data["title"],
            assignee=_user_in(team, data["assignee"]),
            due_on=data["due_on"],
        )

    return _post_action(request, pk, "item_form", build, run)


@require_POST
@member_required
def item_status(request, pk, item_id):
    team = selectors.team_get_for(user=request.user, pk=pk)
    item = selectors.action_item_get_for(user=request.user, team=team, pk=item_id)
    form = forms.ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose open, in progress or done."))
        return redirect("teams:detail", pk=team.pk)
    try:
        services.action_item_set_status(actor=request.user, item=item, status=form.cleaned_data["status"])
    except PermissionDenied as exc:
        raise Http404 from exc
    return redirect("teams:detail", pk=team.pk)


@require_POST
@member_required
def document_add(request, pk):
    def run(team, data):
        upload = data["file"]
        services.document_add(
            actor=request.user, team=team, title=data["title"], filename=upload.name, content=upload, note=data["note"]
        )

    return _post_action(request, pk, "document_form", lambda team: forms.DocumentForm(request.POST, request.FILES), run)


@require_POST
@member_required
def version_add(request, pk, document_id):
    def run(team, data):
        document = selectors.document_get_for(team=team, pk=document_id)
        upload = data["file"]
        services.document_version_add(
            actor=request.user, document=document, filename=upload.name, content=upload, note=data["note"]
        )

    return _post_action(request, pk, "version_form", lambda team: forms.VersionForm(request.POST, request.FILES), run)


@require_POST
@member_required
def evaluate(request, pk):
    def run(team, data):
        services.evaluation_submit(actor=request.user, team=team, **data)

    return _post_action(request, pk, "evaluation_form", lambda team: forms.EvaluationForm(request.POST), run)


@require_http_methods(["GET", "POST"])
@member_required
def agreement_edit(request, pk):
    team = selectors.team_get_for(user=request.user, pk=pk)
    if not permissions.can_lead(request.user, team):
        raise Http404
    status = 200
    if request.method == "POST" and request.POST.get("action") == "draft":
        try:
            services.agreement_draft(actor=request.user, team=team, language=translation.get_language() or "en")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("teams:agreement_edit", pk=team.pk)
    form = forms.AgreementForm(
        request.POST if request.method == "POST" else None, initial={"text": team.agreement_text}
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.agreement_update(actor=request.user, team=team, text=form.cleaned_data["text"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Agreement saved."))
                return redirect("teams:agreement", pk=team.pk)
        status = 400
    return render(request, "teams/agreement_form.html", {"team": team, "form": form}, status=status)


def _agreement_text(team) -> str:
    return team.agreement_text or agreement.fill(
        selectors.template_body(translation.get_language() or "en"), team, selectors.leaders_of(team)
    )


@require_GET
@member_required
def agreement_print(request, pk):
    team = selectors.team_get_for(user=request.user, pk=pk)
    return render(
        request,
        "teams/agreement_print.html",
        {
            "team": team,
            "blocks": [b.strip() for b in _agreement_text(team).split("\n\n") if b.strip()],
            "leaders": selectors.leaders_of(team),
            "drafted": bool(team.agreement_text),
        },
    )


@require_GET
@member_required
def agreement_docx(request, pk):
    team = selectors.team_get_for(user=request.user, pk=pk)
    content = agreement.docx_bytes(team=team, leaders=selectors.leaders_of(team), text=_agreement_text(team))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    name = slugify(team.name)[:60] or "agreement"
    response["Content-Disposition"] = f'attachment; filename="{name}-agreement.docx"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@member_required
def template_edit(request):
    if not permissions.can_edit_template(request.user):
        raise Http404
    languages = [(code, language_name(code)) for code in UI_LANGUAGES]
    language = request.POST.get("language") or request.GET.get("language") or "en"
    if language not in UI_LANGUAGES:
        language = "en"
    form = forms.TemplateForm(
        request.POST if request.method == "POST" else None,
        languages=languages,
        initial={"language": language, "body": selectors.template_body(language)},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.template_update(
                    actor=request.user, language=form.cleaned_data["language"], body=form.cleaned_data["body"]
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Template saved."))
                return redirect(f"{request.path}?language={language}")
        status = 400
    return render(
        request,
        "teams/template_form.html",
        {"form": form, "templates": selectors.template_list(), "placeholders": agreement.PLACEHOLDERS},
        status=status,
    )
