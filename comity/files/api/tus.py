"""Resumable uploads: tus 1.0.0 core with the creation, termination, checksum and expiration extensions.

    OPTIONS /api/v1/uploads/          what the server supports (no credentials needed)
    POST    /api/v1/uploads/          create: Upload-Length, Upload-Metadata (filename, space or post) -> 201 Location
    HEAD    /api/v1/uploads/{id}/     Upload-Offset and Upload-Length (Cache-Control: no-store)
    PATCH   /api/v1/uploads/{id}/     append at Upload-Offset (Content-Type: application/offset+octet-stream)
    DELETE  /api/v1/uploads/{id}/     forget the upload and its data
    GET     /api/v1/uploads/{id}/     (not tus) the upload's state as JSON, with the attachment once complete

The full protocol, with examples, is in docs/files-protocol.md. The request body is read in pieces from
the socket (never `request.body`) and encrypted as it arrives.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from comity.core.api.permissions import IsMember, TokenScopePermission
from comity.files import selectors, services, sniff, storage
from comity.files.api.serializers import FileErrorSerializer, UploadStatusSerializer
from comity.files.models import Upload
from comity.files.responses import ACTIVE_CONTENT_HEADER

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,checksum,expiration"
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
MAX_METADATA = 4096
_KEY = re.compile(r"^[A-Za-z0-9._~-]{1,64}$")
# Numbers in headers and metadata: ASCII digits only. str.isdigit() also accepts "²" or "٣", which int()
# then refuses or reads as another number; 18 digits stay below PostgreSQL's bigint and Python's int limits.
_NUMBER = re.compile(r"[0-9]{1,18}")
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,100}")


def tus_error(status_code: int, code: str, message: str) -> APIException:
    exc = APIException(detail=message, code=code)
    exc.status_code = status_code
    return exc


class TusPermission(BasePermission):
    """OPTIONS (capability discovery) is open; everything else needs a member, and writes a write-scope token."""

    message = TokenScopePermission.message

    def has_permission(self, request, view):
        if request.method == "OPTIONS":
            return True
        return IsMember().has_permission(request, view) and TokenScopePermission().has_permission(request, view)


class OffsetStreamParser(BaseParser):
    """Declared so that the schema and content negotiation know the PATCH body type; the view reads the
    raw stream itself."""

    media_type = OFFSET_CONTENT_TYPE

    def parse(self, stream, media_type=None, parser_context=None):  # pragma: no cover - never called
        return {}


def parse_metadata(header: str) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64(value)` pairs; keys unique; values UTF-8 here."""
    metadata: dict[str, str] = {}
    if not header.strip():
        return metadata
    if len(header) > MAX_METADATA:
        raise tus_error(
            400, "bad_metadata", _("Upload-Metadata is too long (at most %(max)s characters).") % {"max": MAX_METADATA}
        )
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        if len(parts) not in (1, 2) or not _KEY.match(parts[0]) or parts[0] in metadata:
            raise tus_error(
                400,
                "bad_metadata",
                _("Upload-Metadata is malformed: use comma-separated pairs of a key and a base64 value."),
            )
        value = ""
        if len(parts) == 2:
            try:
                value = base64.b64decode(parts[1], validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
                raise tus_error(
                    400,
                    "bad_metadata",
                    _("The value of %(key)s in Upload-Metadata is not base64 of UTF-8 text.") % {"key": parts[0]},
                ) from exc
        metadata[parts[0]] = value
    return metadata


def encode_metadata(metadata: dict[str, str]) -> str:
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" if value else key for key, value in metadata.items()
    )


def _header_int(request, name: str) -> int | None:
    raw = request.headers.get(name)
    if raw is None:
        return None
    if not _NUMBER.fullmatch(raw):
        raise tus_error(400, "bad_header", _("%(header)s must be a non-negative integer.") % {"header": name})
    return int(raw)


def _metadata_ref(metadata: dict[str, str], key: str, *, slug: bool = False) -> str:
    """A post id (ASCII digits) or a space reference (its slug or its id) from Upload-Metadata, or 400."""
    value = metadata.get(key, "")
    if value and not (_NUMBER.fullmatch(value) or (slug and _SLUG.fullmatch(value))):
        message = (
            _("The value of %(key)s in Upload-Metadata must be a slug or a number.")
            if slug
            else _("The value of %(key)s in Upload-Metadata must be a number.")
        )
        raise tus_error(400, "bad_metadata", message % {"key": key})
    return value


@contextlib.contextmanager
def service_errors():
    """The services' exceptions as tus/HTTP statuses."""
    try:
        yield
    except services.OffsetMismatch as exc:
        raise tus_error(409, exc.code, exc.message) from exc
    except services.FileTooLarge as exc:
        raise tus_error(413, exc.code, exc.message) from exc
    except services.UploadExpired as exc:
        raise tus_error(410, exc.code, exc.message) from exc
    except services.UploadBusy as exc:
        raise tus_error(423, exc.code, exc.message) from exc
    except services.ChecksumMismatch as exc:
        raise tus_error(460, exc.code, exc.message) from exc
    except services.DownloadFailed as exc:
        raise tus_error(500, exc.code, exc.message) from exc
    except sniff.Rejected as exc:
        raise tus_error(415, exc.code, exc.message) from exc
    except DjangoValidationError as exc:
        messages = (
            [m for values in exc.message_dict.values() for m in values] if hasattr(exc, "error_dict") else exc.messages
        )
        raise tus_error(400, "invalid", " ".join(messages)) from exc


TUS_RESUMABLE = OpenApiParameter(
    "Tus-Resumable",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="Must be 1.0.0 (412 otherwise).",
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=FileErrorSerializer, description=description)


class TusBase(APIView):
    permission_classes = [TusPermission]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != TUS_VERSION:
            raise tus_error(
                412,
                "tus_version",
                _("This server speaks tus %(version)s; send Tus-Resumable: %(version)s.") % {"version": TUS_VERSION},
            )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method != "OPTIONS":
            response["Tus-Resumable"] = TUS_VERSION
        if response.status_code == 412 or request.method == "OPTIONS":
            response["Tus-Version"] = TUS_VERSION
        response["Cache-Control"] = "no-store"
        return response

    def _expires(self, upload: Upload) -> str:
        return http_date(upload.expires_at.timestamp())

    def _completion_headers(self, request, upload: Upload) -> dict[str, str]:
        if not upload.attachment_id:
            return {}
        headers = {
            "Comity-Attachment-Id": str(upload.attachment_id),
            "Comity-Attachment-Url": request.build_absolute_uri(
                reverse("api-attachment-detail", kwargs={"pk": upload.attachment_id})
            ),
        }
        if upload.attachment.active_content:
            headers[ACTIVE_CONTENT_HEADER] = ", ".join(upload.attachment.active_content)
        return headers


class UploadListView(TusBase):
    """Create a resumable upload (tus creation)."""

    @extend_schema(
        summary="Server capabilities (tus)",
        auth=[{}],
        description="Tus-Version, Tus-Extension (creation, termination, checksum, expiration), Tus-Max-Size and "
        "Tus-Checksum-Algorithm. No credentials needed.",
        responses={204: OpenApiResponse(description="Capabilities in the headers.")},
    )
    def options(self, request, *args, **kwargs):
        return Response(
            status=status.HTTP_204_NO_CONTENT,
            headers={
                "Tus-Extension": TUS_EXTENSIONS,
                "Tus-Max-Size": str(storage.max_upload_bytes()),
                "Tus-Checksum-Algorithm": ",".join(services.CHECKSUM_ALGORITHMS),
            },
        )

    @extend_schema(
        summary="Start a resumable upload (tus creation)",
        description=(
            "Headers: `Upload-Length` (bytes, at most Tus-Max-Size) and `Upload-Metadata` with base64 values: "
            "`filename` (or `name`), and `space` (a space slug; files are shared directly only in private "
            "consultations) and/or `post` (the id of your own post). The body is empty. Answers 201 with "
            "`Location` (the upload URL) and `Upload-Expires`. 413 when too large, 415 when the file name's "
            "extension is never accepted, 404 for a space or post you cannot read, 403 when you may not upload "
            "there (observers, archived spaces, someone else's post)."
        ),
        parameters=[
            TUS_RESUMABLE,
            OpenApiParameter("Upload-Length", OpenApiTypes.INT, OpenApiParameter.HEADER, required=True),
            OpenApiParameter(
                "Upload-Metadata",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="e.g. `filename ZHJhZnQucGRm,space YnItaWQ=`",
            ),
        ],
        request=None,
        responses={
            201: OpenApiResponse(description="Created; `Location` is the upload URL."),
            400: _error("Missing or malformed header or metadata."),
            403: _error("Not allowed here."),
            404: _error("No such space or post (or one you cannot read)."),
            412: _error("Tus-Resumable missing or not 1.0.0."),
            413: _error("Larger than Tus-Max-Size."),
            415: _error("A file name extension that is never accepted."),
        },
    )
    def post(self, request, *args, **kwargs):
        if request.headers.get("Upload-Defer-Length"):
            raise tus_error(400, "defer_length", _("Upload-Defer-Length is not supported; send Upload-Length."))
        length = _header_int(request, "Upload-Length")
        if length is None:
            raise tus_error(400, "length_required", _("Send the file size in Upload-Length."))
        metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
        filename = metadata.get("filename") or metadata.get("name") or ""
        post_ref, space_ref = _metadata_ref(metadata, "post"), _metadata_ref(metadata, "space", slug=True)
        post = None
        if post_ref:
            post = selectors.post_get_for(user=request.user, pk=int(post_ref))
        if space_ref:
            space = selectors.space_get_for_ref(user=request.user, ref=space_ref)
        elif post is not None:
            space = post.thread.space
        else:
            raise tus_error(400, "space_required", _("Name the space (space) or the post (post) in Upload-Metadata."))
        if length > storage.max_upload_bytes():
            raise tus_error(
                413,
                "too_large",
                _("The file is larger than the limit of %(limit)s MiB.")
                % {"limit": f"{storage.max_upload_bytes() / 1024**2:,.0f}"},
            )
        with service_errors():
            upload = services.upload_create(
                actor=request.user,
                space=space,
                post=post,
                length=length,
                filename=filename,
                metadata=[[k, v] for k, v in metadata.items()],
            )
        location = request.build_absolute_uri(reverse("api-upload-detail", kwargs={"pk": upload.pk}))
        return Response(
            status=status.HTTP_201_CREATED,
            headers={"Location": location, "Upload-Expires": self._expires(upload), "Upload-Offset": "0"},
        )


class UploadDetailView(TusBase):
    """One upload in progress (tus core and termination)."""

    parser_classes = [OffsetStreamParser]

    def _upload(self, request, pk) -> Upload:
        upload = selectors.upload_get_for(user=request.user, pk=pk)
        if not upload.is_complete and upload.expires_at <= timezone.now():
            raise tus_error(410, "expired", _("This upload has expired; start again."))
        return upload

    @extend_schema(
        summary="How much of an upload the server has (tus)",
        description="`Upload-Offset` (bytes safely stored), `Upload-Length`, `Upload-Metadata`, `Upload-Expires`; "
        "once complete also `Comity-Attachment-Id` and `Comity-Attachment-Url`. 404 for someone "
        "else's upload, 410 when expired.",
        parameters=[TUS_RESUMABLE],
        request=None,
        responses={
            200: OpenApiResponse(description="State in the headers."),
            404: _error("No such upload."),
            410: _error("Expired."),
        },
    )
    def head(self, request, pk):
        upload = self._upload(request, pk)
        headers = {
            "Upload-Offset": str(services.upload_offset(upload)),
            "Upload-Length": str(upload.length),
            "Upload-Expires": self._expires(upload),
            **self._completion_headers(request, upload),
        }
        if upload.metadata:
            # Stored as [key, value] pairs: a JSON object would lose the client's order on PostgreSQL (jsonb).
            pairs = upload.metadata.items() if isinstance(upload.metadata, dict) else upload.metadata
            headers["Upload-Metadata"] = encode_metadata(dict(pairs))
        return Response(status=status.HTTP_200_OK, headers=headers)

    @extend_schema(
        summary="An upload's state as JSON (not part of tus)",
        parameters=[TUS_RESUMABLE],
        responses={200: UploadStatusSerializer, 404: _error("No such upload.")},
    )
    def get(self, request, pk):
        upload = self._upload(request, pk)
        upload.offset = services.upload_offset(upload)
        return Response(UploadStatusSerializer(upload).data)

    @extend_schema(
        summary="Append data to an upload (tus)",
        description=(
            "Body: the bytes from `Upload-Offset` on, `Content-Type: application/offset+octet-stream`, with a "
            "`Content-Length`. Answers 204 with the new `Upload-Offset`. Bytes are stored as they arrive: after "
            "an interruption, HEAD says where to resume. With `Upload-Checksum: <sha1|sha256|md5> <base64>` the "
            "request's bytes are kept only if they match (460 otherwise). 409 when Upload-Offset is not the "
            "stored offset, 413 beyond Upload-Length, 415 for another Content-Type or a file of a kind that is "
            "not accepted (the upload is then deleted; the message says why), 423 while another request "
            "appends to the same upload. The last byte turns the upload into an attachment "
            "(`Comity-Attachment-Id`)."
        ),
        parameters=[
            TUS_RESUMABLE,
            OpenApiParameter("Upload-Offset", OpenApiTypes.INT, OpenApiParameter.HEADER, required=True),
            OpenApiParameter("Upload-Checksum", OpenApiTypes.STR, OpenApiParameter.HEADER),
        ],
        request={OFFSET_CONTENT_TYPE: OpenApiTypes.BINARY},
        responses={
            204: OpenApiResponse(description="Stored; `Upload-Offset` is the new offset."),
            400: _error("Malformed header."),
            404: _error("No such upload."),
            409: _error("Wrong offset."),
            410: _error("Expired."),
            413: _error("Beyond Upload-Length."),
            415: _error("Wrong Content-Type, or a file that is not accepted."),
            423: _error("Busy."),
            460: _error("Checksum mismatch."),
        },
    )
    def patch(self, request, pk):
        upload = self._upload(request, pk)
        content_type = (request.content_type or "").split(";")[0].strip().lower()
        if content_type != OFFSET_CONTENT_TYPE:
            raise tus_error(
                415, "content_type", _("Send the data with Content-Type: %(type)s.") % {"type": OFFSET_CONTENT_TYPE}
            )
        offset = _header_int(request, "Upload-Offset")
        if offset is None:
            raise tus_error(400, "offset_required", _("Send Upload-Offset."))
        checksum = _checksum(request.headers.get("Upload-Checksum"))
        content_length = _header_int(request, "Content-Length")
        stream = request.stream or io.BytesIO(b"")
        with service_errors():
            result = services.upload_append(
                actor=request.user,
                upload=upload,
                offset=offset,
                stream=stream,
                content_length=content_length,
                checksum=checksum,
            )
        return Response(
            status=status.HTTP_204_NO_CONTENT,
            headers={
                "Upload-Offset": str(result.upload.offset),
                "Upload-Expires": self._expires(upload),
                **self._completion_headers(request, result.upload),
            },
        )

    @extend_schema(
        summary="Forget an upload in progress (tus termination)",
        parameters=[TUS_RESUMABLE],
        request=None,
        responses={204: OpenApiResponse(description="Gone."), 404: _error("No such upload.")},
    )
    def delete(self, request, pk):
        upload = selectors.upload_get_for(user=request.user, pk=pk)
        if upload.is_complete:
            raise tus_error(409, "complete", _("This upload is complete; delete the attachment instead."))
        with service_errors():
            services.upload_terminate(actor=request.user, upload=upload)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _checksum(header: str | None) -> tuple[str, bytes] | None:
    if not header:
        return None
    algorithm, _sep, value = header.strip().partition(" ")
    algorithm = algorithm.lower()
    if algorithm not in services.CHECKSUM_ALGORITHMS:
        raise tus_error(
            400,
            "checksum_algorithm",
            _("Unsupported checksum algorithm; use one of %(list)s.")
            % {"list": ", ".join(services.CHECKSUM_ALGORITHMS)},
        )
    try:
        return algorithm, base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise tus_error(400, "checksum", _("Upload-Checksum must be an algorithm and a base64 digest.")) from exc
