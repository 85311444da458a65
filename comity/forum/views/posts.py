"""Posts: reply (with a quote), edit your own, read a post's edit history, and a permanent address per post."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comity.core.decorators import member_required, preserved_initial, take_preserved
from comity.forum import markdown, permissions, selectors, services
from comity.forum.forms import PostEditForm, PostForm
from comity.forum.models import TLP
from comity.forum.views import common
from comity.forum.views.threads import thread_page


@member_required
@require_POST
def post_create(request, pk):
    """Reply at the end of a thread. On an error the last page is shown again with the text kept.

    "Save draft" keeps the text on the server instead (the page's script also saves it as one types). With
    "attach files", the writer goes on to the upload page of the new post (no JavaScript needed) and comes back
    to the post; the page's script uploads the chosen files itself (tus) and asks for JSON here."""
    user = request.user
    thread = selectors.thread_get_for(user=user, pk=pk)
    form = PostForm(request.POST)
    last = selectors.page_count(thread)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    if not permissions.can_post(user, thread):
        form.add_error(None, permissions.why_cannot_post(user, thread))
        return thread_page(request, thread, reply_form=form, page_number=last, status=403)
    if "save_draft" in request.POST:
        services.draft_save(
            actor=user,
            space=thread.space,
            thread=thread,
            body=request.POST.get("body", ""),
            language=request.POST.get("language", ""),
        )
        messages.success(request, _("Your draft was saved. It will be here when you come back, on any computer."))
        return redirect(common.thread_url(thread.pk, page=last, anchor="reply"))
    if form.is_valid():
        quote_of = None
        if form.cleaned_data.get("quote_of"):
            quote_of = selectors.post_in_thread_for(user=user, thread=thread, pk=form.cleaned_data["quote_of"])
            if quote_of is None:
                form.add_error(None, _("You can only quote a post of the same thread."))
        if not form.errors:
            language = common.detected_language(form)
            try:
                post = services.post_create(
                    actor=user,
                    thread=thread,
                    body=form.cleaned_data["body"],
                    language=language,
                    quote_of=quote_of,
                )
            except ValidationError as exc:
                common.apply_service_errors(form, exc)
            else:
                common.language_note(request, chosen=form.cleaned_data["language"], used=language)
                if wants_json:
                    # The post's permanent address: a new page load (the thread's own address plus an anchor would
                    # only scroll the page the script is on), which the post detail sends on to the post.
                    url = reverse("forum:post_detail", args=[post.pk])
                    return JsonResponse({"post": post.pk, "url": url, "space": thread.space.slug})
                if request.POST.get("attach") == "1":
                    return redirect(reverse("files:upload", args=[thread.space.slug]) + f"?post={post.pk}")
                return redirect(common.post_url(post))
    if wants_json:
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    return thread_page(request, thread, reply_form=form, page_number=last, status=400)


@member_required
@require_http_methods(["GET", "POST"])
def post_edit(request, pk):
    """Authors edit their own posts; the earlier text stays readable in the post's history."""
    user = request.user
    post = selectors.post_get_for(user=user, pk=pk)
    if not permissions.can_edit_post(user, post):
        raise PermissionDenied
    initial = {"body": post.body, "language": post.language}
    initial.update(preserved_initial(take_preserved(request, action=request.path)))
    form = PostEditForm(common.bound(request), initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.post_edit(
                    actor=user,
                    post=post,
                    body=form.cleaned_data["body"],
                    language=form.cleaned_data["language"] or post.language,
                )
            except ValidationError as exc:
                common.apply_service_errors(form, exc)
            else:
                messages.success(request, _("Your post was updated; the earlier text is kept in its history."))
                return redirect(common.post_url(post))
    return render(
        request,
        "forum/post_edit.html",
        {
            "post": post,
            "thread": post.thread,
            "form": form,
            "tlp_label": TLP(post.thread.tlp).label,
        },
        status=status,
    )


@member_required
@require_GET
def post_history(request, pk):
    """Every earlier version of a post, newest first, as readers saw it."""
    post = selectors.post_get_for(user=request.user, pk=pk)
    revisions = [
        {"revision": revision, "html": markdown.render(revision.body)}
        for revision in selectors.post_revisions(post=post)
    ]
    return render(
        request,
        "forum/post_history.html",
        {
            "post": post,
            "thread": post.thread,
            "revisions": revisions,
            "tlp_label": TLP(post.thread.tlp).label,
            "post_url": common.post_url(post),
        },
    )


@member_required
@require_GET
def post_detail(request, pk):
    """A post's permanent address: the thread page that shows it, scrolled to it."""
    post = selectors.post_get_for(user=request.user, pk=pk)
    return redirect(common.post_url(post))
