"""The "translate" action on a post: the translation beside the original, never instead of it.

POST only. With htmx (HX-Request) the answer is a fragment for the post's translation box and always has status
200 (htmx swaps only successful answers), so that a refusal or a failure is shown where the translation would be.
Without JavaScript the answer is a whole page with the original and the translation side by side.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import translation as dj_translation
from django.views.decorators.http import require_POST

from comity.core.decorators import member_required
from comity.core.i18n import language_name
from comity.forum import moderation, translation
from comity.forum.models import TLP
from comity.forum.views.moderation import thread_url


@member_required
@require_POST
def post_translate(request, pk: int):
    post = moderation.visible_post(request.user, pk)
    if not translation.is_configured():
        raise Http404
    thread = post.thread
    target = request.POST.get("target") or dj_translation.get_language() or "en"
    result, error, status = None, "", 200
    try:
        result = translation.post_translate(actor=request.user, post=post, target=target)
    except PermissionDenied as exc:
        raise Http404 from exc
    except translation.TranslationRefused as exc:
        error, status = exc.message, 403
    except translation.TranslationFailed as exc:
        error, status = exc.message, 502
    except ValidationError as exc:
        error, status = " ".join(exc.messages), 400
    htmx = request.headers.get("HX-Request") == "true"
    context = {
        "post": post,
        "thread": thread,
        "mark": TLP(thread.tlp).label,
        "result": result,
        "error": error,
        "paragraphs": [part.splitlines() for part in result.text.split("\n\n")] if result else [],
        "source_name": language_name(post.language),
        "target_name": language_name(result.target) if result else "",
        "back_url": thread_url(thread.pk, post.pk),
        "self_hosted": translation.is_self_hosted(),
    }
    if htmx:
        return render(request, "forum/translate_result.html", context)
    return render(request, "forum/translate.html", context, status=status)
