"""gunicorn settings: `gunicorn -c python:comity.config.gunicorn comity.config.wsgi` (plus --bind, --workers, ...).

The one thing this file changes is the worker: gunicorn's threaded worker, which sheds load instead of queueing it
without limit. A gthread worker accepts every connection and hands each request to a pool of a few threads; when
requests arrive faster than the threads finish them they wait in the pool's queue, and with 200 connections a
request waited 12 s there before Django saw it. No middleware can help: it runs only once a thread is free. So the
worker stamps each request when it enters the queue, and a thread that takes one which waited longer than
COMITY_MAX_QUEUE_SECONDS answers it at once with 503 and `Retry-After` (a short page in the language of the URL, or
the API's JSON error shape under /api/) and closes the connection, without calling Django. The threads then spend
their time on requests that can still be answered in time, and a client or proxy learns at once to come back later.
Only GET and HEAD requests are shed (see SHED_METHODS).

HTTP/2 connections are served as gunicorn serves them, without shedding.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from gunicorn.http import wsgi
from gunicorn.workers.gthread import ThreadWorker

from comity.config.env import env_str

RETRY_AFTER_SECONDS = 5
SHED_LOG_EVERY_SECONDS = 10
# Only reads are shed. A request with a body (a form, an upload) is served however long it waited: answering it
# early would mean draining or resetting what the client is still sending, and it is the request a user would
# least like to repeat.
SHED_METHODS = frozenset({"GET", "HEAD"})

worker_class = "comity.config.gunicorn.SheddingThreadWorker"


def max_queue_seconds() -> float:
    """COMITY_MAX_QUEUE_SECONDS: how long a request may wait for a thread before it is answered 503; 0 never sheds."""
    value = env_str("COMITY_MAX_QUEUE_SECONDS", "1")
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ImproperlyConfigured(f"COMITY_MAX_QUEUE_SECONDS must be a number of seconds, 0 or more, got {value!r}.")
    return seconds


max_queue_seconds()  # a bad value stops gunicorn when it reads this file, not each worker as it starts


def _language(path: str) -> str | None:
    """The UI language of a page's URL (/fr/..., /zh-hans/...); None for the API and other unprefixed paths."""
    from django.conf import settings

    prefix = path.lstrip("/").split("/", 1)[0].lower()
    return prefix if prefix in {code for code, _name in settings.LANGUAGES} else None


def shed_response(path: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """Status, headers and body of the answer to a request that waited too long for a thread."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.html import escape
    from django.utils.translation import gettext as _

    headers = [("Retry-After", str(RETRY_AFTER_SECONDS)), ("Cache-Control", "no-store")]
    if path.startswith("/api/"):
        message = "The server is busy. Try again in a few seconds."
        error = {"status": 503, "code": "service_unavailable", "message": message}
        body = json.dumps({"error": {**error, "retry_after_seconds": RETRY_AFTER_SECONDS}}).encode()
        headers.append(("Content-Type", "application/json"))
    else:
        language = _language(path) or settings.LANGUAGE_CODE
        with translation.override(language):
            title, message = _("The server is busy"), _("Too many requests are waiting. Try again in a few seconds.")
            direction = "rtl" if translation.get_language_bidi() else "ltr"
        body = (
            f'<!DOCTYPE html>\n<html lang="{language}" dir="{direction}">\n<head><meta charset="utf-8">'
            f"<title>{escape(title)}</title></head>\n<body><h1>{escape(title)}</h1>\n<p>{escape(message)}</p></body>\n"
            "</html>\n"
        ).encode()
        headers += [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Security-Policy", "default-src 'none'"),
            ("X-Content-Type-Options", "nosniff"),
        ]
    headers.append(("Content-Length", str(len(body))))
    return "503 Service Unavailable", headers, body


class SheddingThreadWorker(ThreadWorker):
    """gunicorn's gthread worker, answering 503 to a request that waited longer than `max_queue_seconds`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_queue_seconds = max_queue_seconds()
        self._shed_lock = threading.Lock()
        self._shed_count = 0
        self._shed_logged_at = float("-inf")  # the first shed request is logged at once

    def enqueue_req(self, conn):
        """Every request enters the threads' queue here: a new connection, or a kept-alive one that is readable."""
        conn.comity_queued_at = time.monotonic()
        super().enqueue_req(conn)

    def handle(self, conn):
        """Runs in a thread, as soon as one is free: the request has waited from `comity_queued_at` until now."""
        queued_at = getattr(conn, "comity_queued_at", None)
        conn.comity_waited = 0.0 if queued_at is None else time.monotonic() - queued_at
        return super().handle(conn)

    def handle_request(self, req, conn):
        if req.method in SHED_METHODS and 0 < self.max_queue_seconds < getattr(conn, "comity_waited", 0.0):
            return self.shed(req, conn)
        return super().handle_request(req, conn)

    def shed(self, req, conn) -> bool:
        """Answer 503 without calling the application, and close the connection (False: do not keep it alive)."""
        started = time.monotonic()
        resp, request_environ = wsgi.create(req, conn.sock, conn.client, conn.server, self.cfg)
        resp.force_close()
        status, headers, body = shed_response(request_environ.get("PATH_INFO", "/"))
        resp.start_response(status, headers)
        resp.write(body)
        resp.close()
        self.log.access(resp, req, request_environ, timedelta(seconds=time.monotonic() - started))
        self._count_shed()
        return False

    def _count_shed(self) -> None:
        """One warning every SHED_LOG_EVERY_SECONDS at most, with how many requests were shed meanwhile."""
        with self._shed_lock:
            self._shed_count += 1
            now = time.monotonic()
            if now - self._shed_logged_at < SHED_LOG_EVERY_SECONDS:
                return
            count, self._shed_count, self._shed_logged_at = self._shed_count, 0, now
        self.log.warning(
            "Overloaded: %d request(s) waited more than %s s for a thread and were answered 503.",
            count,
            f"{self.max_queue_seconds:g}",
        )
