"""Site-wide views: health check, and error pages that never leak internals."""

from __future__ import annotations

import logging

from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: database unavailable")
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok"})


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _error(request, status: int, title, message):
    if _is_api(request):
        codes = {400: "bad_request", 403: "permission_denied", 404: "not_found", 500: "server_error"}
        return JsonResponse(
            {"error": {"status": status, "code": codes[status], "message": str(message)}}, status=status
        )
    try:
        return render(request, "core/error.html", {"title": title, "message": message}, status=status)
    except Exception:  # a broken template must never turn an error page into a traceback
        logger.exception("error page rendering failed")
        return HttpResponse(str(title), status=status, content_type="text/plain; charset=utf-8")


def bad_request(request, exception=None):
    from django.utils.translation import gettext as _

    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def permission_denied(request, exception=None):
    from django.utils.translation import gettext as _

    return _error(request, 403, _("Access denied"), _("You are not allowed to do this."))


def page_not_found(request, exception=None):
    from django.utils.translation import gettext as _

    return _error(request, 404, _("Page not found"), _("There is nothing here, or you are not allowed to see it."))


def server_error(request):
    from django.utils.translation import gettext as _

    return _error(request, 500, _("Something went wrong"), _("The error has been logged. Please try again later."))
