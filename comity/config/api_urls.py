"""/api/v1/: every app's API routes, the OpenAPI schema and self-hosted docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("comity.reference.api.urls")),
    path("", include("comity.accounts.api.urls")),
    path("", include("comity.directory.api.urls")),
    path("", include("comity.legalprofiles.api.urls")),
    path("", include("comity.treaties.api.urls")),
    path("", include("comity.library.api.urls")),
    path("", include("comity.forum.api.urls")),
    path("", include("comity.files.api.urls")),
    path("", include("comity.notifications.api.urls")),
    path("", include("comity.meetings.api.urls")),
    path("", include("comity.planner.api.urls")),
    path("", include("comity.teams.api.urls")),
    path("", include("comity.requests.api.urls")),
    path("", include("comity.ops.api.urls")),
]
