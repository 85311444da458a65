"""The notification centre, e-mail preferences and one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from comity.core.decorators import member_required
from comity.forum import permissions
from comity.notifications import links, selectors, services
from comity.notifications.forms import DefaultPreferenceForm, SpacePreferenceForm, ThreadPreferenceForm
from comity.notifications.models import EmailMode, NotificationKind

PAGE_SIZE = 50


@member_required
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.notification_list(user=request.user, unread_only=unread_only)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "unread_count": selectors.notification_unread_count(user=request.user),
            "unread_only": unread_only,
            "kinds": dict(NotificationKind.choices),
        },
    )


@member_required
def notification_open(request, pk):
    """Mark one notification read and go to the post (or thread) it is about."""
    notification = selectors.notification_get_for(user=request.user, pk=pk)
    services.notification_mark_read(user=request.user, notification=notification)
    post = notification.post if notification.post_id and not notification.post.is_hidden else None
    return redirect(links.thread_path(notification.thread_id, post))


@member_required
@require_POST
def notification_read(request, pk):
    notification = selectors.notification_get_for(user=request.user, pk=pk)
    services.notification_mark_read(user=request.user, notification=notification)
    if request.headers.get("HX-Request") == "true":
        return render(request, "notifications/_row.html", {"n": notification, "kinds": dict(NotificationKind.choices)})
    return redirect(_back(request))


@member_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(user=request.user)
    messages.success(
        request,
        ngettext("%(count)s notification marked as read.", "%(count)s notifications marked as read.", count)
        % {"count": count},
    )
    return redirect("notifications:list")


def unread_count(request):
    """The header's link to the centre with the unread count, fetched once per page by htmx (no polling:
    a poll would keep an unattended session alive past its idle timeout). Not signed in: 204, nothing to
    swap, so an expired session never pastes the sign-in page into the header."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_verified()):
        return HttpResponse(status=204)
    return render(
        request, "notifications/_badge.html", {"unread_count": selectors.notification_unread_count(user=user)}
    )


def _back(request) -> str:
    page = request.POST.get("page", "")
    base = reverse("notifications:list")
    return f"{base}?page={int(page)}" if page.isdigit() else base


def _thread_from(request):
    raw = request.GET.get("thread") or request.POST.get("thread") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    thread = permissions.threads_visible_to(request.user).select_related("space").filter(pk=int(raw)).first()
    if thread is None:
        raise Http404
    return thread


@member_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    user = request.user
    thread = _thread_from(request)
    spaces = list(permissions.spaces_visible_to(user).order_by("kind", "name"))
    rows = selectors.preference_list(user=user)
    default_row = next((p for p in rows if p.space_id is None and p.thread_id is None), None)
    action = request.POST.get("action") if request.method == "POST" else None
    default_form = DefaultPreferenceForm(
        request.POST if action == "default" else None,
        prefix="default",
        initial={"email_mode": default_row.email_mode if default_row else EmailMode.IMMEDIATE},
    )
    space_form = SpacePreferenceForm(request.POST if action == "space" else None, prefix="space", spaces=spaces)
    thread_form = ThreadPreferenceForm(
        request.POST if action == "thread" else None,
        prefix="thread",
        initial={
            "email_mode": next((p.email_mode for p in rows if thread and p.thread_id == thread.pk), EmailMode.IMMEDIATE)
        },
    )
    page_errors: list[str] = []
    if request.method == "POST":
        if _apply_preferences(request, action, default_form, space_form, thread_form, thread, page_errors):
            messages.success(request, _("Your notification preferences were saved."))
            return redirect(
                reverse("notifications:preferences")
                + (f"?thread={thread.pk}" if thread is not None and action == "thread" else "")
            )
    failed = page_errors or any(form.is_bound and form.errors for form in (default_form, space_form, thread_form))
    return render(
        request,
        "notifications/preferences.html",
        {
            "default_form": default_form,
            "space_form": space_form,
            "thread_form": thread_form,
            "thread": thread,
            "overrides": [p for p in rows if p.space_id is not None or p.thread_id is not None],
            "modes": dict(EmailMode.choices),
            "page_errors": page_errors,
        },
        status=400 if failed else 200,
    )


def _apply_preferences(request, action, default_form, space_form, thread_form, thread, page_errors) -> bool:
    """Carry out the posted action; False (with form or page errors) when it was refused."""
    user = request.user
    forms_by_action = {"default": default_form, "space": space_form, "thread": thread_form}
    try:
        if action == "default" and default_form.is_valid():
            services.preference_set(user=user, email_mode=default_form.cleaned_data["email_mode"])
            return True
        if action == "space" and space_form.is_valid():
            services.preference_set(
                user=user, email_mode=space_form.cleaned_data["email_mode"], space=space_form.cleaned_data["space"]
            )
            return True
        if action == "thread":
            if thread is None:
                raise Http404
            if thread_form.is_valid():
                services.preference_set(user=user, email_mode=thread_form.cleaned_data["email_mode"], thread=thread)
                return True
        if action == "remove":
            raw = request.POST.get("preference", "")
            if not raw.isdigit():
                raise Http404
            services.preference_remove(user=user, preference=selectors.preference_get_for(user=user, pk=int(raw)))
            return True
    except ValidationError as exc:
        form = forms_by_action.get(action)
        if form is not None and hasattr(form, "cleaned_data"):
            form.add_error(None, exc.messages)
        else:
            page_errors.extend(exc.messages)
        return False
    if action not in ("default", "space", "thread", "remove"):
        page_errors.append(_("Unknown action."))
    return False


# --- one-click unsubscribe ------------------------------------------------------------------------------------

SCOPE_TEXT = {
    "thread": (
        lambda: _("Stop notifications about this thread"),
        lambda: _(
            "You will no longer be notified about this thread, except when someone mentions you by "
            "name (then only in Comity, not by e-mail)."
        ),
    ),
    "space": (
        lambda: _("Stop notifications about this space"),
        lambda: _(
            "You will no longer be notified about this space, except when someone mentions you by "
            "name (then only in Comity, not by e-mail)."
        ),
    ),
    "daily": (
        lambda: _("Stop the daily digest"),
        lambda: _("You will no longer receive the daily digest by e-mail. Notifications stay in Comity."),
    ),
    "weekly": (
        lambda: _("Stop the weekly digest"),
        lambda: _("You will no longer receive the weekly digest by e-mail. Notifications stay in Comity."),
    ),
}


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no cookie and no CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET shows what the link does and a button; only POST changes anything. No sign-in needed: the signed
    token is the authorisation, and it can do nothing but this one unsubscribe."""
    try:
        unsubscribe_request = links.read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(
            request,
            "notifications/unsubscribe.html",
            {
                "state": "invalid",
                "message": _(
                    "This unsubscribe link is not valid: it may have been cut or changed. Sign in and "
                    "change your notification preferences instead."
                ),
            },
            status=400,
        )
    title, explanation = (text() for text in SCOPE_TEXT[unsubscribe_request.scope])
    context = {"state": "confirm", "title": title, "explanation": explanation, "token": token}
    if request.method == "POST":
        try:
            services.unsubscribe_apply(request=unsubscribe_request)
        except LookupError:
            return render(
                request,
                "notifications/unsubscribe.html",
                {
                    "state": "gone",
                    "message": _(
                        "There is nothing to unsubscribe from: the account, thread or space no longer exists."
                    ),
                },
                status=404,
            )
        context["state"] = "done"
    return render(request, "notifications/unsubscribe.html", context)
