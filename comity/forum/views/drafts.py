"""Drafts kept on the server as one types (the page's script posts them), and people to mention (suggestions as one
types @..., and the same list as a plain page without JavaScript), and a person's page that mentions link to."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from comity.core.decorators import member_required
from comity.forum import selectors, services


@member_required
@require_POST
def draft_save(request, slug):
    """Save (or, with an empty text, drop) the draft of a reply (?thread=<id>) or of a new thread in this space.
    Answers 204; 404 for a space or thread one cannot read, 403 where one may not write."""
    space = selectors.space_get_for(user=request.user, slug=slug)
    thread = None
    if request.GET.get("thread"):
        thread = selectors.thread_get_for(user=request.user, pk=request.GET["thread"])
        if thread.space_id != space.pk:
            raise Http404
    try:
        services.draft_save(
            actor=request.user,
            space=space,
            thread=thread,
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
            language=request.POST.get("language", ""),
        )
    except PermissionDenied:
        return HttpResponse(status=403)
    return HttpResponse(status=204)


@member_required
@require_GET
def mention_suggestions(request, slug):
    """People who can read the space and whose name starts with ?q=... JSON for the script; a page otherwise."""
    space = selectors.space_get_for(user=request.user, slug=slug)
    query = request.GET.get("q", "")
    people = selectors.people_to_mention(user=request.user, space=space, query=query)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(
            {
                "people": [
                    {
                        "name": person.display_name,
                        "handle": person.mention_handle,
                        "country": person.country.name if person.country_id else "",
                    }
                    for person in people
                ]
            }
        )
    return render(
        request,
        "forum/mention_suggestions.html",
        {"space": space, "name": space.localized_name(), "query": query, "people": people},
    )


@member_required
@require_GET
def person_detail(request, pk):
    """A member as the forum shows them: name, country, and their authorities in the directory."""
    person = selectors.person_get_for(user=request.user, pk=pk)
    return render(request, "forum/person.html", {"person": person})
