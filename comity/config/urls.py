"""Root URLs: language-prefixed pages, and unprefixed API, health check and admin."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from comity.accounts import views as accounts_views
from comity.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("comity.ops.urls")),
    path("api/v1/", include("comity.config.api_urls")),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
]

urlpatterns += i18n_patterns(
    path("", include("comity.portal.urls")),
    path("accounts/", include("comity.accounts.urls")),
    path("audit/", include("comity.audit.urls")),
    path("directory/", include("comity.directory.urls")),
    path("legal/", include("comity.legalprofiles.urls")),
    path("legal/", include("comity.treaties.urls")),
    path("legal/", include("comity.library.urls")),
    path("forum/", include("comity.forum.urls")),
    path("files/", include("comity.files.urls")),
    path("notifications/", include("comity.notifications.urls")),
    path("meetings/", include("comity.meetings.urls")),
    path("planner/", include("comity.planner.urls")),
    path("teams/", include("comity.teams.urls")),
    path("requests/", include("comity.requests.urls")),
    path("", include("comity.reference.urls")),
    prefix_default_language=True,
)

handler400 = "comity.core.views.bad_request"
handler403 = "comity.core.views.permission_denied"
handler404 = "comity.core.views.page_not_found"
handler500 = "comity.core.views.server_error"
