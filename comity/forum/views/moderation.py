"""Moderation pages and actions: flag, queue, hide/restore, lock, pin, move, legal hold, retention, export.

Every action needs a signed-in member. A thread or post the user cannot read answers 404, and so does a
moderation action for someone who does not moderate the space: nothing reveals that it exists.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comity.core.decorators import member_required
from comity.forum import moderation, permissions
from comity.forum.models import TLP, Space, SpaceKind

QUEUE_PAGE_SIZE = 50


def thread_url(thread_id: int, post_id: int | None = None) -> str:
    """The thread page, or a post's permanent address (it redirects to the page of the thread that shows it)."""
    if post_id:
        return reverse("forum:post_detail", args=[post_id])
    return reverse("forum:thread_detail", args=[thread_id])


def _back(request, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _form_page(
    request,
    *,
    form,
    title: str,
    intro: str,
    submit: str,
    action: str,
    thread=None,
    post=None,
    space=None,
    danger: bool = False,
    status: int = 200,
):
    return render(
        request,
        "forum/moderation_form.html",
        {
            "form": form,
            "title": title,
            "intro": intro,
            "submit": submit,
            "action": action,
            "thread": thread,
            "post": post,
            "space": space,
            "danger": danger,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "back_url": thread_url(thread.pk, post.pk if post else None) if thread else None,
        },
        status=status,
    )


# --- forms -------------------------------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=moderation.MAX_FLAG_REASON
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason shown to readers"),
        max_length=moderation.MAX_HIDE_REASON,
        help_text=gettext_lazy("Readers see that the post was hidden and this reason."),
    )


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason or case reference"), required=False, max_length=moderation.MAX_HOLD_REASON
    )


class MoveForm(forms.Form):
    space = forms.ModelChoiceField(label=gettext_lazy("Move to"), queryset=Space.objects.none(), empty_label=None)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["space"].queryset = targets
        self.fields["space"].error_messages["invalid_choice"] = _("Choose another open space that you moderate.")


class RetentionForm(forms.Form):
    retention_months = forms.IntegerField(
        label=gettext_lazy("Delete posts older than (months)"),
        required=False,
        min_value=1,
        max_value=moderation.MAX_RETENTION_MONTHS,
        help_text=gettext_lazy("Leave empty to keep posts forever. Threads under legal hold are always kept."),
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("markdown", gettext_lazy("Markdown (.md)")), ("text", gettext_lazy("Plain text (.txt)"))],
    )


# --- flags and the queue -----------------------------------------------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def post_flag(request, pk: int):
    post = moderation.visible_post(request.user, pk)
    thread = post.thread
    form = ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                moderation.post_flag(actor=request.user, post=post, reason=form.cleaned_data["reason"])
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Thank you. The moderators of this space will look at the post."))
                return _back(request, thread_url(thread.pk, post.pk))
        status = 400
    return _form_page(
        request,
        form=form,
        title=_("Flag a post for the moderators"),
        intro=_("Say what is wrong with this post. Only the moderators of the space see your report."),
        submit=_("Send to the moderators"),
        action=reverse("forum:post_flag", kwargs={"pk": post.pk}),
        thread=thread,
        post=post,
        status=status,
    )


@member_required
@require_GET
def moderation_queue(request):
    user = request.user
    spaces = list(moderation.moderated_spaces(user).order_by("name", "pk"))
    if not spaces:
        raise Http404
    selected = None
    slug = request.GET.get("space", "")
    if slug:
        selected = next((space for space in spaces if space.slug == slug), None)
        if selected is None:
            raise Http404
    flags = moderation.flag_queue(user=user, space=selected)
    page = Paginator(flags, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return render(
        request,
        "forum/moderation_queue.html",
        {
            "page": page,
            "spaces": spaces,
            "selected": selected,
            "hide_form": HideForm(),
            "thread_url": thread_url,
            "space_query": f"space={selected.slug}&" if selected else "",
        },
    )


@member_required
@require_POST
def flag_dismiss(request, pk: int):
    flag = moderation.moderated_flag(request.user, pk)
    try:
        moderation.flag_dismiss(actor=request.user, flag=flag)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The flags were dismissed; the post stays as it is."))
    return _back(request, reverse("forum:moderation_queue"))


# --- hiding and restoring ----------------------------------------------------------------------------------------


def _moderated_post(request, pk: int):
    post = moderation.visible_post(request.user, pk)
    if not permissions.can_moderate(request.user, post.thread.space):
        raise Http404
    return post


@member_required
@require_http_methods(["GET", "POST"])
def post_hide(request, pk: int):
    post = _moderated_post(request, pk)
    form = HideForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                moderation.post_hide(actor=request.user, post=post, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The post is hidden from readers."))
                return _back(request, thread_url(post.thread_id, post.pk))
        status = 400
    return _form_page(
        request,
        form=form,
        title=_("Hide a post"),
        intro=_(
            "Readers will see that a moderator hid the post, and the reason. Moderators still see its text. Open "
            "flags on the post are resolved."
        ),
        submit=_("Hide the post"),
        action=reverse("forum:post_hide", kwargs={"pk": post.pk}),
        thread=post.thread,
        post=post,
        danger=True,
        status=status,
    )


@member_required
@require_POST
def post_restore(request, pk: int):
    post = _moderated_post(request, pk)
    try:
        moderation.post_restore(actor=request.user, post=post)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The post is visible again."))
    return _back(request, thread_url(post.thread_id, post.pk))


# --- lock, pin, move ---------------------------------------------------------------------------------------------


def _toggle(service, success: str):
    @member_required
    @require_POST
    def view(request, pk: int):
        thread = moderation.moderated_thread(request.user, pk)
        try:
            service(actor=request.user, thread=thread)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, success)
        return _back(request, thread_url(thread.pk))

    return view


thread_lock = _toggle(moderation.thread_lock, gettext_lazy("The thread is locked: only moderators can post."))
thread_unlock = _toggle(moderation.thread_unlock, gettext_lazy("The thread is unlocked."))
thread_pin = _toggle(moderation.thread_pin, gettext_lazy("The thread is pinned to the top of its space."))
thread_unpin = _toggle(moderation.thread_unpin, gettext_lazy("The thread is no longer pinned."))


@member_required
@require_http_methods(["GET", "POST"])
def thread_move(request, pk: int):
    thread = moderation.moderated_thread(request.user, pk)
    targets = moderation.move_targets(request.user, thread)
    form = MoveForm(request.POST or None, targets=targets)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                moderation.thread_move(actor=request.user, thread=thread, to_space=form.cleaned_data["space"])
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The thread was moved to %(space)s.") % {"space": thread.space.name})
                return _back(request, thread_url(thread.pk))
        status = 400
    if thread.space.kind == SpaceKind.PRIVATE:
        intro = _(
            "A thread of a private consultation cannot be moved: only the consultation's participants may read it."
        )
    else:
        intro = _(
            "Readers of the new space will see the thread; readers of this space who cannot read the new "
            "one will lose it. You can move it to spaces you moderate."
        )
    return _form_page(
        request,
        form=form,
        title=_("Move a thread"),
        intro=intro,
        submit=_("Move the thread"),
        action=reverse("forum:thread_move", kwargs={"pk": thread.pk}),
        thread=thread,
        status=status,
    )


@member_required
@require_http_methods(["GET", "POST"])
def thread_legal_hold(request, pk: int):
    thread = moderation.visible_thread(request.user, pk)
    if not moderation.can_set_legal_hold(request.user, thread):
        raise Http404
    form = LegalHoldForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                if thread.legal_hold:
                    moderation.thread_legal_hold_release(actor=request.user, thread=thread, reason=reason)
                    done = _("The legal hold is released: the space's retention applies again.")
                else:
                    moderation.thread_legal_hold_set(actor=request.user, thread=thread, reason=reason)
                    done = _("The thread is under legal hold: none of its posts will be deleted.")
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, done)
                return _back(request, thread_url(thread.pk))
        status = 400
    if thread.legal_hold:
        title, submit = _("Release the legal hold"), _("Release the hold")
        intro = _(
            "The thread is under legal hold. Once released, its posts are deleted by the space's retention "
            "rule when they are old enough."
        )
    else:
        title, submit = _("Place a legal hold"), _("Place the hold")
        intro = _(
            "No post of a thread under legal hold is deleted, whatever the space's retention rule. Give the "
            "reason or the case reference."
        )
    return _form_page(
        request,
        form=form,
        title=title,
        intro=intro,
        submit=submit,
        action=reverse("forum:thread_legal_hold", kwargs={"pk": thread.pk}),
        thread=thread,
        status=status,
    )


# --- retention ---------------------------------------------------------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def space_retention(request, slug: str):
    space = permissions.spaces_visible_to(request.user).filter(slug=slug).first()
    if space is None or not permissions.can_manage_space(request.user, space):
        raise Http404
    form = RetentionForm(request.POST or None, initial={"retention_months": space.retention_months})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                moderation.space_retention_set(
                    actor=request.user, space=space, months=form.cleaned_data["retention_months"]
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                if space.retention_months:
                    messages.success(
                        request,
                        _("Posts older than %(months)s months will be deleted, except in threads under legal hold.")
                        % {"months": space.retention_months},
                    )
                else:
                    messages.success(request, _("Posts in this space are kept forever."))
                return _back(request, reverse("forum:space_retention", kwargs={"slug": space.slug}))
        status = 400
    if space.retention_months:
        intro = _(
            "Now: posts older than %(months)s months are deleted every night, except in threads under legal hold."
        ) % {"months": space.retention_months}
    else:
        intro = _("Now: posts are kept forever.")
    return _form_page(
        request,
        form=form,
        title=_("Retention of %(space)s") % {"space": space.localized_name()},
        intro=intro,
        submit=_("Save"),
        space=space,
        status=status,
        action=reverse("forum:space_retention", kwargs={"slug": space.slug}),
    )


# --- export ------------------------------------------------------------------------------------------------------


@member_required
@require_GET
def thread_export(request, pk: int):
    """Without `format`: the page that offers the formats (or explains why a RED thread cannot be exported)."""
    thread = moderation.visible_thread(request.user, pk)
    exportable = moderation.can_export(thread)
    form = ExportForm(request.GET if "format" in request.GET else None)
    if exportable and form.is_bound and form.is_valid():
        export = moderation.thread_export(actor=request.user, thread=thread, fmt=form.cleaned_data["format"])
        response = StreamingHttpResponse(export.chunks, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
    status = 200
    if not exportable:
        status = 403 if form.is_bound else 200
    elif form.is_bound:
        status = 400
    return render(
        request,
        "forum/moderation_export.html",
        {
            "thread": thread,
            "form": form,
            "exportable": exportable,
            "mark": TLP(thread.tlp).label,
            "definition": moderation.tlp_definition(thread.tlp),
            "back_url": thread_url(thread.pk),
        },
        status=status,
    )
