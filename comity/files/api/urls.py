"""File exchange routes under /api/v1/: attachments, and tus resumable uploads."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from comity.files.api import tus, views

router = SimpleRouter()
router.register("attachments", views.AttachmentViewSet, basename="api-attachment")

urlpatterns = [
    path("uploads/", tus.UploadListView.as_view(), name="api-upload-list"),
    # <str:pk>, not <uuid:pk>: a malformed id reaches the API view and gets its JSON 404, not an HTML page.
    path("uploads/<str:pk>/", tus.UploadDetailView.as_view(), name="api-upload-detail"),
    *router.urls,
]
