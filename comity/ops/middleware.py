"""The access log line and the request metrics, one per request.

It sits after authentication so that the line can carry the user (as a stable hash, `core/logging.py`). The path is
logged with private consultations' slugs replaced (`forum/logfilters.py`); the metrics use the view's name, never
the path."""

from __future__ import annotations

import logging
import time

from comity.core import logging as comity_logging
from comity.forum.logfilters import redact
from comity.ops import metrics

access = logging.getLogger("comity.access")
logger = logging.getLogger(__name__)
UNROUTED = "unrouted"


class AccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        token = comity_logging.set_request(request)
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            seconds = time.monotonic() - started
            match = getattr(request, "resolver_match", None)
            view = (match.view_name or UNROUTED) if match is not None else UNROUTED
            access.info(
                "%s %s %s",
                request.method,
                redact(request.path),
                status,
                extra={
                    "method": request.method,
                    "path": redact(request.path),
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                    "view": view,
                },
            )
            try:
                metrics.observe_request(view=view, method=request.method, status=status, seconds=seconds)
            except Exception:  # metrics must never break a request
                logger.exception("could not record request metrics")
            comity_logging.reset_request(token)
