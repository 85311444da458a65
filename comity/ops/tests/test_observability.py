"""/readyz, /metrics, the JSON log line and manage.py's refusal of development settings with DATABASE_URL."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from comity.core import context
from comity.core import logging as comity_logging
from comity.ops import metrics, services

ROOT = Path(__file__).resolve().parents[3]


def _alive():
    services.heartbeat_record(worker_id="w1", hostname="h", pid=1, started_at=timezone.now())


@pytest.mark.django_db
def test_readyz_ok_with_a_live_worker(client):
    _alive()
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert list(body["checks"]) == ["database", "cache", "object_store", "worker", "task_queue", "outbox"]


@pytest.mark.django_db
def test_readyz_names_what_failed(client, settings):
    from comity.mail.models import OutboxEmail, OutboxStatus
    from comity.ops.models import WorkerHeartbeat

    _alive()
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - dt.timedelta(minutes=5))
    OutboxEmail.objects.create(to="a@example.org", subject="s", body_text="b", status=OutboxStatus.FAILED)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["worker", "outbox"]
    assert body["checks"]["outbox"] == {"ok": False, "detail": "1 failed e-mail (limit 0)"}
    assert client.get("/healthz").json() == {"status": "ok"}  # the load balancer's contract is unchanged


@pytest.mark.django_db
def test_readyz_without_any_worker(client):
    body = client.get("/readyz").json()
    assert body["failed"] == ["worker"]
    assert body["checks"]["worker"]["detail"] == "no worker has reported (manage.py worker)"


@pytest.mark.django_db
def test_metrics_refused_without_token_or_allowed_address(client, settings):
    settings.COMITY_METRICS_TOKEN = "s3cret-token-for-metrics"
    settings.COMITY_METRICS_ALLOWED_NETWORKS = []
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token-for-metrics").status_code == 200
    settings.COMITY_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 403  # nothing configured: closed


@pytest.mark.django_db
def test_metrics_allow_list_and_content(client, settings):
    settings.COMITY_METRICS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    client.get("/healthz")
    client.post("/en/accounts/login/", {"email": "nobody@example.org", "password": "wrong password"})
    metrics.flush()
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'comity_http_requests_total{view="healthz",method="GET",status="200"} 1' in text
    assert 'comity_http_request_duration_seconds_bucket{view="healthz",le="+Inf"} 1' in text
    assert "# TYPE comity_http_request_duration_seconds histogram" in text
    assert "comity_signin_failures_total 1" in text
    assert "comity_audit_chain_length " in text
    assert "comity_tasks_oldest_ready_age_seconds 0" in text
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 403


def test_json_log_line_has_the_fields():
    record = logging.LogRecord("comity.access", logging.INFO, __file__, 1, "GET %s %s", ("/en/", 200), None)
    record.path, record.status, record.duration_ms = "/en/", 200, 12.5
    token = context.set_current(context.RequestContext(request_id="req-12345678"))
    user_token = comity_logging.set_user(42)
    try:
        comity_logging.ContextFilter().filter(record)
        line = json.loads(comity_logging.JsonFormatter().format(record))
    finally:
        comity_logging.reset_user(user_token)
        context.reset(token)
    assert set(line) == {"time", "level", "logger", "message", "request_id", "user", "path", "status", "duration_ms"}
    assert line["level"] == "INFO"
    assert line["logger"] == "comity.access"
    assert line["message"] == "GET /en/ 200"
    assert line["request_id"] == "req-12345678"
    assert line["user"] == comity_logging.user_hash(42) != "42"
    assert len(line["user"]) == 16
    assert line["status"] == 200
    assert line["time"].endswith("+00:00")


@pytest.mark.django_db
def test_access_line_redacts_space_slugs(client, caplog):
    with caplog.at_level(logging.INFO, logger="comity.access"):
        client.get("/en/forum/s/secret-case-name/")
    [record] = [r for r in caplog.records if r.name == "comity.access"]
    assert record.path == "/en/forum/s/*/"
    assert "secret-case-name" not in record.getMessage()


@pytest.mark.parametrize(
    ("environ", "refused"),
    [
        ({"DATABASE_URL": "postgres://x@db/comity"}, True),
        ({"DATABASE_URL": "postgres://x@db/comity", "DJANGO_SETTINGS_MODULE": "comity.config.settings.dev"}, True),
        ({"DATABASE_URL": "postgres://x@db/comity", "DJANGO_SETTINGS_MODULE": "comity.config.settings.prod"}, False),
        ({"DATABASE_URL": "postgres://x@db/comity", "COMITY_ALLOW_DEV_DATABASE_URL": "1"}, False),
        ({}, False),
    ],
)
def test_manage_py_refuses_database_url_with_development_settings(environ, refused):
    sys.path.insert(0, str(ROOT))
    try:
        import manage
    finally:
        sys.path.pop(0)
    assert bool(manage.refuse_development_settings_with_database_url(environ)) is refused


def test_manage_py_exits_before_touching_anything():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "DATABASE_URL is set but the settings are the development ones" in result.stderr


def test_grafana_dashboard_uses_only_exported_metrics():
    import re

    dashboard = json.loads((ROOT / "deploy" / "grafana" / "comity-dashboard.json").read_text())
    used = {
        re.sub(r"_(bucket|sum|count)$", "", name)
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"comity_[a-z_]+", target["expr"])
    }
    assert used == set(metrics.HELP)


@pytest.mark.django_db
def test_access_line_carries_the_user_hash_only_when_the_view_loaded_the_user(client, users, caplog):
    from comity.testing import sign_in

    with caplog.at_level(logging.INFO, logger="comity.access"):
        anonymous = client.get("/healthz")
        sign_in(client, users["member"])
        client.get("/en/notifications/")
    lines = [r for r in caplog.records if r.name == "comity.access"]
    assert [(r.path, r.user) for r in lines] == [
        ("/healthz", ""),
        ("/en/notifications/", comity_logging.user_hash(users["member"].pk)),
    ]
    assert anonymous.status_code == 200


@pytest.mark.django_db
def test_readyz_names_a_broken_object_store_and_cache_without_their_messages(client, monkeypatch):
    from comity.files import storage

    class Broken:
        def check(self):
            raise ConnectionError("could not reach s3.internal.example:9000")

    def broken_cache_set(*args, **kwargs):
        raise TimeoutError("redis.internal.example")

    _alive()
    monkeypatch.setattr(storage, "objects", Broken)
    monkeypatch.setattr("comity.ops.readiness.cache.set", broken_cache_set)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["cache", "object_store"]
    assert body["checks"]["object_store"] == {"ok": False, "detail": "ConnectionError"}
    assert "internal" not in response.content.decode()
