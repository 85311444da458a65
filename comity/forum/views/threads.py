"""Threads: start one, read it page by page (marking it read), new posts without a reload, subscriptions,
questions to countries with their addressees' availability and the accepted answer.

The thread page runs a fixed number of queries whatever the thread's length, and each costs the same for a short
and a long thread: posts come 50 a page (a range of post numbers) with their authors and countries in one query;
the addressees' authorities with their office hours in a few more.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from markupsafe import Markup

from comity.core import fragments
from comity.core.decorators import member_required, preserved_initial, take_preserved
from comity.forum import hooks, markdown, moderation, permissions, selectors, services, translation
from comity.forum.forms import PostForm, ThreadForm, ThreadLevelForm, tlp_help, tlp_help_all
from comity.forum.models import RESTRICTED_TLP, TLP, Post, Thread
from comity.forum.views import common


@dataclass
class PostRow:
    """A post as this reader sees it on the page."""

    post: Post
    number: int
    is_new: bool
    show_body: bool
    can_edit: bool
    can_accept: bool
    is_accepted: bool
    attachments: list


@dataclass
class Viewer:
    """What the reader may do in this thread, worked out once per request."""

    user: object
    moderator: bool
    can_post: bool
    can_accept: bool


def viewer_for(user, thread: Thread) -> Viewer:
    moderator = permissions.can_moderate(user, thread.space)
    return Viewer(
        user=user,
        moderator=moderator,
        can_post=permissions.can_post(user, thread),
        can_accept=permissions.can_accept_answer(user, thread),
    )


def post_rows(viewer: Viewer, thread: Thread, posts, *, read_number: int) -> list[PostRow]:
    """Rows for a page of posts; the files of the posts shown come in one query."""
    attachments: dict[int, list] = {}
    for found in hooks.post_attachments(
        user=viewer.user, post_ids=[post.pk for post in posts if not post.is_hidden or viewer.moderator]
    ):
        for post_id, items in found.items():
            attachments.setdefault(post_id, []).extend(items)
    rows = []
    for post in posts:
        number = post.number
        visible = not post.is_hidden or viewer.moderator
        rows.append(
            PostRow(
                post=post,
                number=number,
                is_new=number > read_number,
                show_body=visible,
                can_edit=permissions.can_edit_post(viewer.user, post, may_post=viewer.can_post),
                can_accept=viewer.can_accept
                and permissions.is_answer_candidate(thread, post)
                and thread.accepted_post_id != post.pk,
                is_accepted=thread.accepted_post_id == post.pk,
                attachments=attachments.get(post.pk, []),
            )
        )
    return rows


def url_for_draft(*, space, thread=None) -> str:
    if thread is not None:
        return reverse("forum:draft_save", args=[space.slug]) + f"?thread={thread.pk}"
    return reverse("forum:draft_save", args=[space.slug])


@dataclass
class Audience:
    """Who a reply will reach: the first name and how many others, and all of them for a list."""

    people: list
    first: str
    others: int

    @property
    def label(self) -> str:
        if self.others == 0:
            return self.first
        return ngettext("%(name)s and %(count)s other", "%(name)s and %(count)s others", self.others) % {
            "name": self.first,
            "count": self.others,
        }


def audience_summary(user, thread: Thread) -> Audience:
    """Who a reply by `user` would reach: the thread's audience, the same for every writer but themselves, is kept
    in the shared cache until the thread, the memberships or the people change."""

    def everyone() -> list:
        people: list = []
        for found in hooks.reply_audience(user=None, thread=thread):
            people.extend(found)
        return sorted({person.pk: person for person in people}.values(), key=lambda p: p.display_name.casefold())

    people = fragments.cached(
        "forum-audience",
        (thread.pk,),
        everyone,
        generation_names=(selectors.GENERATION, permissions.MEMBERS_GENERATION),
        localized=False,
    )
    people = [person for person in people if person.pk != user.pk]
    return Audience(people=people, first=people[0].display_name if people else "", others=max(0, len(people) - 1))


def _countries():
    countries = selectors.all_countries()
    return countries, {country.iso2: country for country in countries}


@member_required
@require_http_methods(["GET", "POST"])
def thread_create(request, slug):
    user = request.user
    space = selectors.space_get_for(user=user, slug=slug)
    if not permissions.can_start_thread(user, space):
        raise PermissionDenied
    countries, by_code = _countries()
    initial = {
        "language": selectors.default_thread_language(user=user),
        "tlp": space.default_tlp,
        "kind": Thread.Kind.DISCUSSION,
    }
    draft = selectors.draft_for(user=user, space=space) if request.method == "GET" else None
    if draft is not None:
        initial.update(title=draft.title, body=draft.body, language=draft.language or initial["language"])
    initial.update(preserved_initial(take_preserved(request, action=request.path), multiple=("addressed_countries",)))
    form = ThreadForm(common.bound(request), countries=countries, initial=initial)
    status = 200
    if request.method == "POST" and "save_draft" in request.POST:
        services.draft_save(
            actor=user,
            space=space,
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
            language=request.POST.get("language", ""),
        )
        messages.success(request, _("Your draft was saved. It will be here when you come back, on any computer."))
        return redirect("forum:thread_create", slug=space.slug)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            kwargs = form.service_kwargs(by_code)
            kwargs["language"] = common.detected_language(form)
            try:
                thread = services.thread_create(actor=user, space=space, **kwargs)
            except ValidationError as exc:
                common.apply_service_errors(form, exc)
            else:
                messages.success(request, _("Your thread was started."))
                common.language_note(request, chosen=form.cleaned_data["language"], used=kwargs["language"])
                first = selectors.thread_posts(thread=thread).first()
                if request.headers.get("Accept", "").startswith("application/json"):
                    return JsonResponse(
                        {"post": first.pk if first else None, "url": common.thread_url(thread.pk), "space": space.slug}
                    )
                if request.POST.get("attach") == "1" and first is not None:
                    return redirect(reverse("files:upload", args=[space.slug]) + f"?post={first.pk}")
                return redirect(common.thread_url(thread.pk))
    return render(
        request,
        "forum/thread_form.html",
        {
            "space": space,
            "name": space.localized_name(),
            "form": form,
            "tlp_help": tlp_help_all(),
            "draft": draft,
            "draft_url": url_for_draft(space=space),
            "mention_url": reverse("forum:mention_suggestions", args=[space.slug]),
        },
        status=status,
    )


@dataclass
class PostsShown:
    html: Markup
    last: tuple[int, int] | None  # the last post shown: (pk, number)


def posts_shown(
    request, viewer: Viewer, thread: Thread, paginator, number: int, read_number: int, translation_available: bool
) -> PostsShown:
    """The posts of a page, rendered. For a reader without per-post forms (no moderation, no accepting, no
    translating: their forms carry the session's CSRF token) the HTML is kept in the shared cache and shared by
    every reader of the thread alike: same page, same part of it read, and the author of none of its posts (an
    author sees "Edit" on theirs: their page is kept for them alone). A post, thread, file or audited write
    anywhere in the forum gives new keys (the "forum" generation)."""

    def render_posts() -> tuple[str, tuple[int, int] | None, frozenset[int]]:
        posts = list(paginator.page(number).object_list)
        rows = post_rows(viewer, thread, posts, read_number=read_number)
        context = {
            "rows": rows,
            "thread": thread,
            "viewer": viewer,
            "quote_page": number,
            "translation_available": translation_available,
        }
        html = render_to_string("forum/_post_rows.html", context, request)
        last = (posts[-1].pk, posts[-1].number) if posts else None
        return html, last, frozenset(post.author_id for post in posts)

    if viewer.moderator or viewer.can_accept or translation_available:
        html, last, _authors = render_posts()
    else:
        low, high = paginator.number_range(number)
        read = min(max(read_number, low), high)  # which posts are new to this reader
        html, last, _authors = fragments.cached_apart_for(
            "forum-posts",
            (thread.pk, number, low, high, read, viewer.can_post),
            render_posts,
            reader=viewer.user.pk,
            generation_names=(selectors.GENERATION,),
        )
    return PostsShown(Markup(html), last)  # noqa: S704 - rendered by our autoescaping templates


def thread_page(request, thread: Thread, *, reply_form: PostForm | None = None, page_number=None, status: int = 200):
    """Render a thread page: marks it read up to the last post shown."""
    user = request.user
    viewer = viewer_for(user, thread)
    paginator = selectors.ThreadPaginator(thread)
    number = paginator.page_number(page_number if page_number is not None else request.GET.get("page"))
    read_number = selectors.read_marker(user=user, thread=thread)
    unread = selectors.first_unread(user=user, thread=thread, read_number=read_number or 0)
    translation_available = translation.available_for(thread)
    shown = posts_shown(request, viewer, thread, paginator, number, read_number or 0, translation_available)
    page = paginator.without_posts(number)
    if shown.last and (read_number is None or shown.last[1] > read_number):
        services.mark_read(user=user, thread=thread, up_to_post_id=shown.last[0], up_to_number=shown.last[1])
    if reply_form is None and viewer.can_post:
        initial = {"language": selectors.default_reply_language(user=user, thread=thread)}
        draft = selectors.draft_for(user=user, thread=thread)
        if draft is not None:
            initial.update(body=draft.body, language=draft.language or initial["language"])
        initial.update(
            preserved_initial(take_preserved(request, action=reverse("forum:post_create", args=[thread.pk])))
        )
        quoted = (
            selectors.post_in_thread_for(user=user, thread=thread, pk=request.GET["quote"])
            if request.GET.get("quote")
            else None
        )
        if quoted is not None:
            initial.update(body=markdown.quote(quoted.body, quoted.author.display_name), quote_of=quoted.pk)
        reply_form = PostForm(initial=initial)
    space_level = services.space_notify_level(user=user, space=thread.space)
    return render(
        request,
        "forum/thread_detail.html",
        {
            "thread": thread,
            "space": thread.space,
            "space_name": thread.space.localized_name(),
            "tlp_label": TLP(thread.tlp).label,
            "tlp_help": tlp_help(thread.tlp),
            "tlp_restricted": thread.tlp in RESTRICTED_TLP,
            "page": page,
            "posts_html": shown.html,
            "viewer": viewer,
            "unread": unread,
            "unread_here": unread is not None and unread.page == page.number,
            "poll_after": shown.last[0] if shown.last and page.number == paginator.num_pages else None,
            "reply_form": reply_form,
            "audience": audience_summary(user, thread) if viewer.can_post else None,
            "draft_url": url_for_draft(space=thread.space, thread=thread),
            "mention_url": reverse("forum:mention_suggestions", args=[thread.space.slug]),
            "why_not": "" if viewer.can_post else permissions.why_cannot_post(user, thread),
            "level_form": ThreadLevelForm(
                initial={"level": selectors.thread_subscription_level(user=user, thread=thread)}
            ),
            "space_level_label": selectors.notify_level_label(space_level),
            "addressees": selectors.addressees(user=user, thread=thread, at=common.now())
            if thread.kind == Thread.Kind.QUESTION
            else [],
            "can_hold": moderation.can_set_legal_hold(user, thread),
            "translation_available": translation_available,
            "translation_configured": translation.is_configured(),
            "accepted": thread.accepted_post
            if thread.accepted_post_id and (not thread.accepted_post.is_hidden or viewer.moderator)
            else None,
        },
        status=status,
    )


@member_required
@require_GET
def thread_detail(request, pk):
    thread = selectors.thread_page_get_for(user=request.user, pk=pk)
    return thread_page(request, thread)


@member_required
@require_GET
def thread_new_posts(request, pk):
    """The posts after `?after=<post id>`, for htmx to append (204 when there are none); marks them read."""
    user = request.user
    thread = selectors.thread_get_for(user=user, pk=pk)
    try:
        after = int(request.GET.get("after", ""))
    except ValueError:
        return HttpResponseBadRequest(
            _("The address must say after which post to look, e.g. ?after=120."),
            content_type="text/plain; charset=utf-8",
        )
    posts = selectors.new_posts_after(thread=thread, after=after)
    if not posts:
        return HttpResponse(status=204)
    viewer = viewer_for(user, thread)
    read_number = selectors.read_marker(user=user, thread=thread) or 0
    services.mark_read(user=user, thread=thread, up_to_post_id=posts[-1].pk, up_to_number=posts[-1].number)
    return render(
        request,
        "forum/_new_posts.html",
        {
            "translation_available": translation.available_for(thread),
            "thread": thread,
            "viewer": viewer,
            "poll_after": posts[-1].pk,
            "quote_page": selectors.page_count(thread),
            "rows": post_rows(viewer, thread, posts, read_number=read_number),
        },
    )


@member_required
@require_GET
def thread_unread(request, pk):
    """Jump to the first unread post (or the last post when everything is read)."""
    thread = selectors.thread_get_for(user=request.user, pk=pk)
    position = selectors.first_unread(user=request.user, thread=thread) or selectors.last_post_position(thread=thread)
    if position is None:
        return redirect(common.thread_url(thread.pk))
    return redirect(common.thread_url(thread.pk, page=position.page, anchor=f"post-{position.post_id}"))


@member_required
@require_POST
def thread_notify(request, pk):
    thread = selectors.thread_get_for(user=request.user, pk=pk)
    form = ThreadLevelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose watching, normal, muted, or as for the space."))
        return redirect(common.thread_url(thread.pk))
    level = form.cleaned_data["level"]
    services.thread_subscription_set(actor=request.user, thread=thread, level=level)
    if level:
        messages.success(
            request, _("Notifications for this thread: %(level)s.") % {"level": selectors.notify_level_label(level)}
        )
    else:
        messages.success(request, _("This thread now follows your notification level for the space."))
    return redirect(common.thread_url(thread.pk))


@member_required
@require_POST
def question_accept(request, pk):
    """The asker (or a moderator) accepts an answer: the question is resolved."""
    user = request.user
    thread = selectors.thread_get_for(user=user, pk=pk)
    post = selectors.post_in_thread_for(user=user, thread=thread, pk=request.POST.get("post"))
    if post is None:
        messages.error(request, _("Choose an answer in this question."))
        return redirect(common.thread_url(thread.pk))
    try:
        services.question_accept_answer(actor=user, thread=thread, post=post)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(common.thread_url(thread.pk))
    messages.success(request, _("The answer was accepted and the question is resolved."))
    return redirect(common.post_url(post))


@member_required
@require_POST
def question_unaccept(request, pk):
    """The asker (or a moderator) withdraws the accepted answer: the question is answered (or open) again."""
    user = request.user
    thread = selectors.thread_get_for(user=user, pk=pk)
    try:
        services.question_unaccept_answer(actor=user, thread=thread)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(common.thread_url(thread.pk))
    messages.success(request, _("The accepted answer was withdrawn."))
    return redirect(common.thread_url(thread.pk))
