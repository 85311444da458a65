"""The file exchange pages: a space's files with the upload form (no JavaScript needed), download, delete,
and the space's file log with its CSV export. Everything hidden answers 404."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from comity.core.decorators import member_required, recent_auth_required
from comity.files import permissions, responses, selectors, services, sniff, storage
from comity.files.handlers import FIELD_NAME, EncryptingUploadHandler
from comity.forum.models import TLP

PAGE_SIZE = 50
EXPORT_BATCH_SIZE = 1000
# Multipart framing around the file: boundaries, headers and the CSRF field.
FORM_OVERHEAD = 64 * 1024


def _tlp_label(value: str) -> str:
    return TLP(value).label


def _post_from_query(request, space):
    raw = request.GET.get("post")
    if not raw:
        return None
    post = selectors.post_get_for(user=request.user, pk=raw)
    if post.thread.space_id != space.pk:
        raise Http404
    return post


def _list_context(request, space, *, post=None, error: str = "") -> dict:
    files = selectors.attachment_list(user=request.user, space=space)
    page = Paginator(files, PAGE_SIZE).get_page(request.GET.get("page"))
    deletable = permissions.deletable_in(request.user, space)
    rows = [
        {"attachment": a, "tlp": _tlp_label(selectors.tlp_of(a, space)), "can_delete": deletable(a)}
        for a in page.object_list
    ]
    return {
        "space": space,
        "page": page,
        "rows": rows,
        "post": post,
        "error": error,
        "can_upload": permissions.can_upload(request.user, space, post),
        "accept": ",".join(f".{ext}" for ext in sniff.ALLOWED_EXTENSIONS),
        "accepted": sniff.accepted_list(),
        "max_mib": f"{storage.max_upload_bytes() / 1024**2:,.0f}",
        "space_tlp": _tlp_label(space.default_tlp),
        "post_tlp": _tlp_label(post.thread.tlp) if post else "",
        "zone_name": timezone.get_current_timezone_name(),
    }


@member_required
@require_GET
def space_files(request, slug):
    space = selectors.space_get_for(user=request.user, slug=slug)
    return render(request, "files/space_files.html", _list_context(request, space))


@csrf_exempt  # the CSRF check runs in _upload, after the encrypting upload handler is installed
@member_required
@require_http_methods(["GET", "POST"])
def upload(request, slug):
    """The no-JavaScript upload form (one request, not resumable; API clients use tus)."""
    space = selectors.space_get_for(user=request.user, slug=slug)
    post = _post_from_query(request, space)
    if not permissions.can_upload(request.user, space, post):
        raise PermissionDenied
    handler = None
    if request.method == "POST":
        limit = storage.max_upload_bytes()
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit + FORM_OVERHEAD:
            return _upload_form(
                request,
                space,
                post,
                services.FileTooLarge(
                    _("The file is larger than the limit of %(limit)s MiB.") % {"limit": f"{limit / 1024**2:,.0f}"}
                ).message,
                status=413,
            )
        handler = EncryptingUploadHandler(request, max_bytes=limit)
        request.upload_handlers = [handler]
    return _upload(request, space, post, handler)


@csrf_protect
def _upload(request, space, post, handler):
    if request.method == "GET":
        return _upload_form(request, space, post)
    sealed = request.FILES.get(FIELD_NAME)
    if handler.error:
        return _upload_form(request, space, post, handler.error, status=handler.error_status)
    if sealed is None:
        return _upload_form(request, space, post, _("Choose a file to upload."), status=400)
    try:
        attachment = services.attachment_create_from_sealed(
            actor=request.user, space=space, post=post, filename=handler.filename, sealed=sealed
        )
    except sniff.Rejected as exc:
        return _upload_form(request, space, post, exc.message, status=415)
    except ValidationError as exc:
        return _upload_form(request, space, post, " ".join(exc.messages), status=400)
    messages.success(
        request,
        _("%(name)s was uploaded and encrypted. SHA-256: %(hash)s")
        % {"name": attachment.filename, "hash": attachment.sha256},
    )
    if attachment.active_content:
        messages.warning(
            request,
            _("%(name)s contains %(what)s; everyone who downloads it will be warned.")
            % {"name": attachment.filename, "what": attachment.active_content_label},
        )
    for earlier in selectors.same_content_in_space(user=request.user, attachment=attachment):
        messages.info(request, duplicate_message(earlier))
    if post is not None:
        return redirect("forum:post_detail", pk=post.pk)
    return redirect("files:space_files", slug=space.slug)


def duplicate_message(earlier) -> str:
    """A second upload of the same content in the same space is pointed out (it is kept all the same)."""
    if earlier.post_id:
        return _("The same file was already shared in this space as %(name)s, in “%(thread)s”.") % {
            "name": earlier.filename,
            "thread": earlier.post.thread.title,
        }
    return _("The same file was already shared in this space as %(name)s.") % {"name": earlier.filename}


def _upload_form(request, space, post, error: str = "", status: int = 200):
    return render(request, "files/upload.html", _list_context(request, space, post=post, error=error), status=status)


@member_required
@require_GET
def download(request, pk):
    """Permission is checked on every request; the bytes are decrypted and verified as they stream."""
    attachment = selectors.attachment_get_for(user=request.user, pk=pk)
    try:
        return responses.download_response(actor=request.user, attachment=attachment)
    except services.DownloadFailed as exc:
        return render(
            request, "files/integrity_error.html", {"attachment": attachment, "message": exc.message}, status=500
        )


@member_required
@require_http_methods(["GET", "POST"])
def delete(request, pk):
    attachment = selectors.attachment_get_for(user=request.user, pk=pk)
    if not permissions.can_delete(request.user, attachment):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            services.attachment_delete(actor=request.user, attachment=attachment)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("%(name)s was deleted. The file log keeps its name and hash.") % {"name": attachment.filename},
            )
            return redirect("files:space_files", slug=attachment.space.slug)
    return render(
        request,
        "files/delete.html",
        {"attachment": attachment, "error": error, "tlp": _tlp_label(selectors.tlp_of(attachment, attachment.space))},
        status=409 if error else 200,
    )


def _log_rows(events, space) -> list[dict]:
    return [{"event": e, "tlp": _tlp_label(selectors.tlp_of(e.attachment, space))} for e in events]


@member_required
@require_GET
def space_log(request, slug):
    space = selectors.space_get_for(user=request.user, slug=slug)
    events = selectors.file_event_list(user=request.user, space=space)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "files/space_log.html",
        {
            "space": space,
            "page": page,
            "rows": _log_rows(page.object_list, space),
            "space_tlp": _tlp_label(space.default_tlp),
            "zone_name": timezone.get_current_timezone_name(),
        },
    )


class _Line:
    def write(self, value: str) -> str:
        return value


EXPORT_COLUMNS = [
    "event",
    "time_utc",
    "action",
    "user",
    "file_id",
    "filename",
    "size",
    "sha256",
    "post",
    "tlp",
    "ip",
    "request_id",
    "detail",
]
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def export_lines(events, space) -> Iterator[str]:
    """CSV of a file log. A file in a TLP:RED thread keeps its hash and size but not its name: RED
    content does not leave the platform."""
    writer = csv.writer(_Line())
    yield writer.writerow(EXPORT_COLUMNS)
    for event in events:
        tlp = selectors.tlp_of(event.attachment, space)
        filename = f"[{TLP.RED.label}]" if tlp == TLP.RED and event.filename else event.filename
        yield writer.writerow(
            [
                _cell(v)
                for v in (
                    event.pk,
                    event.created_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
                    event.action,
                    event.user_label,
                    event.attachment_id or "",
                    filename,
                    "" if event.size is None else event.size,
                    event.sha256,
                    (event.attachment.post_id if event.attachment else None) or "",
                    TLP(tlp).label,
                    event.ip or "",
                    event.request_id,
                    event.detail,
                )
            ]
        )


def space_reader_required(view):
    """Signed in and able to read the space (404 otherwise, before any re-authentication prompt)."""

    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        return view(request, selectors.space_get_for(user=request.user, slug=slug), *args, **kwargs)

    return member_required(wrapper)


@space_reader_required
@recent_auth_required
@require_GET
def space_log_export(request, space):
    """The whole file log as CSV, including the export's own line; audited before the first row is sent."""
    record = services.file_log_export_record(actor=request.user, space=space)
    events = selectors.file_event_list(user=request.user, space=space).filter(pk__lte=record.pk).order_by("pk")
    response = StreamingHttpResponse(
        export_lines(events.iterator(chunk_size=EXPORT_BATCH_SIZE), space), content_type="text/csv; charset=utf-8"
    )
    stamp = record.created_at.strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="comity-file-log-{space.slug}-{stamp}.csv"'
    return response
