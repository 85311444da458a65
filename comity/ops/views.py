"""/readyz (is this host ready, and which shared part is not) and /metrics (Prometheus, token or allow-list)."""

from __future__ import annotations

import hmac
import ipaddress
import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from comity.core.middleware import client_ip
from comity.ops import metrics, readiness

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def readyz(request):
    checks = readiness.run_checks()
    failed = [check.name for check in checks if not check.ok]
    if failed:
        logger.warning("not ready: %s", ", ".join(failed))
    return JsonResponse(
        {
            "status": "unavailable" if failed else "ok",
            "failed": failed,
            "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in checks},
        },
        status=503 if failed else 200,
    )


def _allowed(request) -> bool:
    token = settings.COMITY_METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip().encode(), token.encode()):
        return True
    networks = settings.COMITY_METRICS_ALLOWED_NETWORKS
    address = client_ip(request)
    if networks and address:
        ip = ipaddress.ip_address(address)
        return any(ip in ipaddress.ip_network(network, strict=False) for network in networks)
    return False


@never_cache
@require_GET
def metrics_view(request):
    if not _allowed(request):
        response = HttpResponse("Forbidden: a metrics token or an allowed address is required.\n", status=403)
        response["Content-Type"] = "text/plain; charset=utf-8"
        if settings.COMITY_METRICS_TOKEN:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")
