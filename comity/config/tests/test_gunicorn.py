"""The gunicorn worker that answers 503 to a request that waited too long for a thread (comity/config/gunicorn.py).

The worker is driven through gunicorn's own connection and parser over a socket pair: a request is written to one
end, the worker handles the other, and the test reads what a client would receive.
"""

from __future__ import annotations

import json
import os
import socket
import time
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from gunicorn.config import Config
from gunicorn.workers.gthread import TConn

from comity.config import gunicorn as settings_file
from comity.config.gunicorn import SheddingThreadWorker, max_queue_seconds, shed_response

FRENCH_PAGE = (
    '<!DOCTYPE html>\n<html lang="fr" dir="ltr">\n<head><meta charset="utf-8"><title>Le serveur est surchargé</title>'
    "</head>\n<body><h1>Le serveur est surchargé</h1>\n"
    "<p>Trop de demandes sont en attente. Réessayez dans quelques secondes.</p></body>\n</html>\n"
)


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


@pytest.fixture
def worker():
    cfg = Config()
    worker = SheddingThreadWorker(
        age=1, ppid=os.getpid(), sockets=[], app=mock.Mock(), timeout=30, cfg=cfg, log=mock.Mock()
    )
    worker.wsgi = mock.Mock(side_effect=application)
    yield worker
    worker.tmp.close()


def _serve(worker, path: str, *, waited: float, method: str = "GET", body: bytes = b"") -> tuple[bool, bytes]:
    """Send one request, let the worker handle it as if it had waited `waited` seconds; (keep-alive?, response)."""
    server_end, client_end = socket.socketpair()
    with client_end:
        head = f"{method} {path} HTTP/1.1\r\nHost: comity.test\r\nContent-Length: {len(body)}\r\n\r\n"
        client_end.sendall(head.encode() + body)
        conn = TConn(worker.cfg, server_end, ("127.0.0.1", 40000), ("127.0.0.1", 8000))
        conn.comity_queued_at = time.monotonic() - waited
        keep_alive = worker.handle(conn)
        server_end.close()
        client_end.settimeout(5)
        received = b""
        while chunk := client_end.recv(65536):
            received += chunk
    return keep_alive, received


def _parse(response: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    headers.pop("Date")
    return status_line, headers, body


def test_a_request_that_waited_too_long_is_answered_503_at_once_without_the_application(worker):
    keep_alive, response = _serve(worker, "/fr/forum/t/15/", waited=1.5)
    status, headers, body = _parse(response)
    assert keep_alive is False
    assert worker.wsgi.call_count == 0
    assert status == "HTTP/1.1 503 Service Unavailable"
    assert headers == {
        "Server": "gunicorn",
        "Connection": "close",
        "Retry-After": "5",
        "Cache-Control": "no-store",
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": "default-src 'none'",
        "X-Content-Type-Options": "nosniff",
        "Content-Length": str(len(FRENCH_PAGE.encode())),
    }
    assert body.decode() == FRENCH_PAGE


def test_an_api_request_gets_the_api_error_shape(worker):
    _keep_alive, response = _serve(worker, "/api/v1/threads/", waited=3)
    status, headers, body = _parse(response)
    assert status == "HTTP/1.1 503 Service Unavailable"
    assert (headers["Content-Type"], headers["Retry-After"]) == ("application/json", "5")
    assert json.loads(body) == {
        "error": {
            "status": 503,
            "code": "service_unavailable",
            "message": "The server is busy. Try again in a few seconds.",
            "retry_after_seconds": 5,
        }
    }


def test_a_request_served_in_time_reaches_the_application_and_keeps_the_connection(worker):
    worker.max_queue_seconds = 30
    keep_alive, response = _serve(worker, "/en/forum/t/15/", waited=0)
    status, headers, body = _parse(response)
    assert keep_alive is True
    assert worker.wsgi.call_count == 1
    assert (status, headers["Connection"], body) == ("HTTP/1.1 200 OK", "keep-alive", b"ok")


def test_a_request_with_a_body_is_served_however_long_it_waited(worker):
    keep_alive, response = _serve(worker, "/en/forum/t/15/reply/", waited=30, method="POST", body=b"body=Thanks")
    assert (keep_alive, _parse(response)[0]) == (True, "HTTP/1.1 200 OK")
    assert worker.wsgi.call_count == 1


def test_a_head_request_is_shed_without_a_body(worker):
    _keep_alive, response = _serve(worker, "/en/", waited=2, method="HEAD")
    status, headers, body = _parse(response)
    assert (status, headers["Retry-After"], headers["Content-Length"], body) == (
        "HTTP/1.1 503 Service Unavailable",
        "5",
        str(len(shed_response("/en/")[2])),  # the length the page would have, and no page
        b"",
    )
    assert worker.wsgi.call_count == 0


def test_a_limit_of_zero_never_sheds(worker):
    worker.max_queue_seconds = 0
    _keep_alive, response = _serve(worker, "/en/", waited=3600)
    assert _parse(response)[0] == "HTTP/1.1 200 OK"
    assert worker.wsgi.call_count == 1


def test_the_wait_runs_from_entering_the_queue_to_a_thread_taking_the_request(worker):
    conn = mock.Mock(spec=["comity_queued_at"])
    worker.tpool = mock.Mock()
    with mock.patch("comity.config.gunicorn.time.monotonic", return_value=100.0):
        worker.enqueue_req(conn)
    assert conn.comity_queued_at == 100.0
    assert worker.tpool.submit.call_args.args == (worker.handle, conn)
    with (
        mock.patch("comity.config.gunicorn.time.monotonic", return_value=101.25),
        mock.patch("gunicorn.workers.gthread.ThreadWorker.handle", return_value=False) as handle,
    ):
        assert worker.handle(conn) is False
    assert conn.comity_waited == 1.25
    handle.assert_called_once_with(conn)


def test_shedding_is_logged_at_most_every_ten_seconds_with_the_count(worker):
    for _ in range(3):
        _serve(worker, "/en/", waited=2)
    worker.log.warning.assert_called_once_with(
        "Overloaded: %d request(s) waited more than %s s for a thread and were answered 503.", 1, "1"
    )
    worker._shed_logged_at -= 10
    _serve(worker, "/en/", waited=2)
    assert worker.log.warning.call_args.args[1:] == (3, "1")


@pytest.mark.parametrize(
    ("path", "language", "direction", "title"),
    [
        ("/ar/directory/", "ar", "rtl", "الخادم مشغول"),
        ("/zh-hans/", "zh-hans", "ltr", "服务器繁忙"),
        ("/healthz", "en", "ltr", "The server is busy"),
    ],
)
def test_the_page_speaks_the_language_of_its_url(path, language, direction, title):
    status, _headers, body = shed_response(path)
    assert status == "503 Service Unavailable"
    opening = f'<!DOCTYPE html>\n<html lang="{language}" dir="{direction}">\n'
    assert body.decode().startswith(f'{opening}<head><meta charset="utf-8"><title>{title}</title>')


def test_the_limit_comes_from_the_environment(monkeypatch):
    assert max_queue_seconds() == 1.0
    monkeypatch.setenv("COMITY_MAX_QUEUE_SECONDS", "0.25")
    assert max_queue_seconds() == 0.25
    for bad in ("-1", "soon", "nan", "inf"):
        monkeypatch.setenv("COMITY_MAX_QUEUE_SECONDS", bad)
        with pytest.raises(ImproperlyConfigured, match=f"got '{bad}'"):
            max_queue_seconds()


def test_the_settings_file_selects_the_worker():
    cfg = Config()
    cfg.set("worker_class", settings_file.worker_class)
    assert cfg.worker_class is SheddingThreadWorker
