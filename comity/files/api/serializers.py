"""JSON shapes of the file exchange."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from comity.files import selectors
from comity.files.models import Attachment, Upload
from comity.forum.models import TLP


class AttachmentSerializer(serializers.ModelSerializer):
    space = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.display_name", read_only=True)
    tlp = serializers.SerializerMethodField(
        help_text="Handling mark of the file's thread (or of the space for a "
        "file shared directly in a private consultation)."
    )
    download_url = serializers.SerializerMethodField()
    active_content = serializers.ListField(
        child=serializers.ChoiceField(choices=["javascript", "launch", "html"]),
        read_only=True,
        help_text="Active content found in the file (JavaScript or a launch action in a PDF, HTML markup); "
        "empty for none. Such files are served with a warning.",
    )

    class Meta:
        model = Attachment
        fields = [
            "id",
            "space",
            "post",
            "filename",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "created_at",
            "tlp",
            "download_url",
            "active_content",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=TLP.choices))
    def get_tlp(self, attachment: Attachment) -> str:
        return selectors.tlp_of(attachment, attachment.space)

    def get_download_url(self, attachment: Attachment) -> str:
        url = reverse("api-attachment-download", kwargs={"pk": attachment.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class AttachmentFilterSerializer(serializers.Serializer):
    space = serializers.SlugField(required=False, help_text="Only the files of this space (its slug).")
    post = serializers.IntegerField(required=False, min_value=1, help_text="Only the files of this post.")


class UploadStatusSerializer(serializers.ModelSerializer):
    space = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Upload
        fields = ["id", "space", "post", "filename", "length", "offset", "expires_at", "attachment"]
        read_only_fields = fields


class FileErrorSerializer(serializers.Serializer):
    class Body(serializers.Serializer):
        status = serializers.IntegerField()
        code = serializers.CharField()
        message = serializers.CharField()

    error = Body()
