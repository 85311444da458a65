"""REST API of the file exchange: attachments (list, detail, download, delete). Uploads: api/tus.py.

Same rules as the pages: a file in a space or post the caller cannot read answers 404; the permission is
checked on every download.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from comity.core.api.permissions import IsMember, TokenScopePermission
from comity.files import responses, selectors, services
from comity.files.api.serializers import AttachmentFilterSerializer, AttachmentSerializer, FileErrorSerializer
from comity.files.api.tus import tus_error
from comity.files.models import Attachment


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=FileErrorSerializer, description=description)


NOT_FOUND = _error("No such file, or one in a space or post the caller cannot read.")


@extend_schema_view(
    list=extend_schema(
        summary="Files the caller may read",
        description="Newest first. `?space=<slug>` lists one space's files (404 for a space the caller cannot "
        "read), `?post=<id>` one post's. Deleted files are not listed (the space's file log keeps them).",
        parameters=[AttachmentFilterSerializer],
        responses={200: AttachmentSerializer(many=True), 404: _error("No such space or post.")},
    ),
    retrieve=extend_schema(summary="One file's details", responses={200: AttachmentSerializer, 404: NOT_FOUND}),
    destroy=extend_schema(
        summary="Delete a file",
        description="By the uploader or a moderator of the space (403 for other readers); refused while the "
        "thread is under legal hold (409). The bytes and the key are destroyed; the file log keeps "
        "the name, size and SHA-256. Audited.",
        responses={
            204: OpenApiResponse(description="Deleted."),
            403: _error("Not the uploader or a moderator."),
            404: NOT_FOUND,
            409: _error("Legal hold."),
        },
    ),
)
class AttachmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Encrypted files shared on posts and in private consultations."""

    serializer_class = AttachmentSerializer
    permission_classes = [IsMember, TokenScopePermission]
    http_method_names = ["get", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Attachment.objects.none()
        params = AttachmentFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        space = post = None
        if params.validated_data.get("space"):
            space = selectors.space_get_for(user=self.request.user, slug=params.validated_data["space"])
        if params.validated_data.get("post"):
            post = selectors.post_get_for(user=self.request.user, pk=params.validated_data["post"])
        return selectors.attachment_list(user=self.request.user, space=space, post=post)

    def get_object(self) -> Attachment:
        return selectors.attachment_get_for(user=self.request.user, pk=self.kwargs["pk"])

    def destroy(self, request, *args, **kwargs):
        attachment = self.get_object()
        try:
            services.attachment_delete(actor=request.user, attachment=attachment)
        except DjangoValidationError as exc:
            raise tus_error(409, "legal_hold", " ".join(exc.messages)) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Download a file",
        description="The decrypted bytes, streamed, as an attachment (`Content-Disposition` with `filename*`), "
        "with `Repr-Digest: sha-256=...` to check them against the file log. Every chunk's "
        "authentication tag is verified: a damaged file answers 500 and is logged, or is cut short "
        "when the damage is further in. Every download is logged and audited.",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: NOT_FOUND,
            500: _error("The stored file failed its integrity check (logged)."),
        },
    )
    @action(detail=True, methods=["get"], url_path="download", url_name="download")
    def download(self, request, pk=None):
        if request.method == "HEAD":  # a HEAD would be logged as a download without sending anything
            raise MethodNotAllowed("HEAD")
        attachment = self.get_object()
        try:
            return responses.download_response(actor=request.user, attachment=attachment)
        except services.DownloadFailed as exc:
            raise tus_error(500, exc.code, exc.message) from exc
