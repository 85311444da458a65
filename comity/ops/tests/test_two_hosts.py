"""Two application servers (gunicorn, each with its own disk) on two loopback ports against one PostgreSQL, one
Redis and one S3-compatible store (moto's server): a tus upload started on one resumes on the other, an import
dry run on one is applied on the other, and a session and the sign-in rate limit hold across both.

Runs where CI's Redis run runs it: DATABASE_URL on PostgreSQL and REDIS_URL set (skipped otherwise)."""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from comity.testing import sign_in

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
        reason="two hosts need PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.3)
    raise RuntimeError(f"server on port {port} did not start")


class Host:
    """One application server, spoken to over HTTP with its own cookie jar per caller."""

    def __init__(self, port: int):
        self.port = port

    def request(self, method: str, path: str, *, body: bytes = b"", headers: dict | None = None, cookies=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        all_headers = dict(headers or {})
        if cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        content = response.read()
        if cookies is not None:
            for header in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie(header)
                for name, morsel in jar.items():
                    cookies[name] = morsel.value
        conn.close()
        return response.status, dict(response.headers), content


@pytest.fixture(scope="module")
def object_store():
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(port, process)
        import boto3

        bucket = f"comity-two-hosts-{uuid.uuid4().hex[:8]}"
        endpoint = f"http://127.0.0.1:{port}"
        boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
        ).create_bucket(Bucket=bucket)
        yield {
            "COMITY_FILE_STORE": "s3",
            "COMITY_S3_BUCKET": bucket,
            "COMITY_S3_ENDPOINT_URL": endpoint,
            "COMITY_S3_ACCESS_KEY_ID": "k",
            "COMITY_S3_SECRET_ACCESS_KEY": "s",
        }
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def hosts(object_store, tmp_path, django_db_blocker):
    db = connection.settings_dict
    database_url = (
        f"postgres://{urllib.parse.quote(db['USER'] or '')}"
        f"{':' + urllib.parse.quote(db['PASSWORD']) if db.get('PASSWORD') else ''}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    processes, found = [], []
    try:
        for name in ("a", "b"):
            port = _free_port()
            env = {
                **os.environ,
                **object_store,
                "DJANGO_SETTINGS_MODULE": "comity.config.settings.test",
                "DATABASE_URL": database_url,
                "REDIS_URL": os.environ["REDIS_URL"],
                "COMITY_VAR_DIR": str(tmp_path / name),  # each host its own disk
            }
            process = subprocess.Popen(  # noqa: S603
                [
                    sys.executable, "-m", "gunicorn", "comity.config.wsgi",
                    "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4", "--log-level", "warning",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )  # fmt: skip
            processes.append(process)
            _wait(port, process)
            found.append(Host(port))
        yield found
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(20)


def _session_cookies(user) -> dict:
    client = sign_in(Client(), user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def _csrf(host: Host, path: str, cookies: dict) -> str:
    status, _headers, body = host.request("GET", path, cookies=cookies)
    assert status == 200, (path, status)
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()


def _form(fields: dict) -> tuple[bytes, dict]:
    return urllib.parse.urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"}


def test_session_and_sign_in_rate_limit_hold_across_hosts(hosts, users):
    a, b = hosts
    cookies = _session_cookies(users["member"])
    for host in (a, b):
        status, _headers, _body = host.request("GET", "/en/notifications/", cookies=dict(cookies))
        assert status == 200
    anonymous: dict = {}
    outcomes = []
    for attempt in range(settings.LOGIN_FREE_ATTEMPTS):
        host = (a, b)[attempt % 2]
        token = _csrf(host, "/en/accounts/login/", anonymous)
        body, headers = _form(
            {"csrfmiddlewaretoken": token, "email": users["member"].email, "password": "wrong wrong wrong"}
        )
        outcomes.append(host.request("POST", "/en/accounts/login/", body=body, headers=headers, cookies=anonymous)[0])
    assert outcomes == [400] * (settings.LOGIN_FREE_ATTEMPTS - 1) + [429]


def test_a_revoked_session_and_a_deactivated_account_end_on_both_hosts_at_once(hosts, users):
    """Each host keeps who is signed in between requests (comity.accounts.kept); a change made elsewhere (here, by
    this process) replaces the shared generation in Redis, so neither host serves the kept rows again."""
    from comity.accounts.models import User, UserSession

    a, b = hosts
    member, coordinator = _session_cookies(users["member"]), _session_cookies(users["coordinator"])
    for host in (a, b):
        for _ in range(2):  # the second request is served from what the host kept
            assert host.request("GET", "/en/accounts/profile/", cookies=dict(member))[0] == 200
            assert host.request("GET", "/en/accounts/profile/", cookies=dict(coordinator))[0] == 200
    UserSession.objects.filter(user=users["member"]).delete()  # the session store itself still holds the session
    coordinator_row = User.objects.get(pk=users["coordinator"].pk)
    coordinator_row.is_active = False
    coordinator_row.save(update_fields=["is_active"])
    for host in (a, b):
        assert host.request("GET", "/en/accounts/profile/", cookies=dict(member))[0] == 302
        assert host.request("GET", "/en/accounts/profile/", cookies=dict(coordinator))[0] == 302


def _b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def test_tus_upload_started_on_one_host_resumes_on_the_other(hosts, users):
    from comity.accounts import services as account_services
    from comity.files.models import Attachment
    from comity.files.tests.conftest import pdf
    from comity.forum import services as forum_services
    from comity.forum.models import SpaceKind

    a, b = hosts
    space = forum_services.space_create(actor=users["member"], kind=SpaceKind.PRIVATE, name="Two hosts")
    _token, raw = account_services.api_token_create(user=users["member"], name="tus", scope="write")
    auth = {"Authorization": f"Bearer {raw}", "Tus-Resumable": "1.0.0"}
    data = pdf(b"two hosts") + b"\n%" + bytes(range(256)) * 9_000
    meta = f"filename {_b64('t.pdf')},space {_b64(space.slug)}"
    status, headers, _ = a.request(
        "POST", "/api/v1/uploads/", headers={**auth, "Upload-Length": str(len(data)), "Upload-Metadata": meta}
    )
    assert status == 201
    url = urllib.parse.urlparse(headers["Location"]).path
    half = 1_200_000
    patch = {**auth, "Content-Type": "application/offset+octet-stream"}
    assert a.request("PATCH", url, body=data[:half], headers={**patch, "Upload-Offset": "0"})[0] == 204
    status, headers, _ = b.request("HEAD", url, headers=auth)
    assert (status, headers["Upload-Offset"]) == (200, str(half))
    assert b.request("PATCH", url, body=data[half:], headers={**patch, "Upload-Offset": str(half)})[0] == 204
    attachment = Attachment.objects.get(space=space)
    status, _headers, body = a.request(
        "GET", f"/api/v1/attachments/{attachment.pk}/download/", headers={"Authorization": f"Bearer {raw}"}
    )
    assert (status, body) == (200, data)


def test_import_dry_run_on_one_host_is_applied_on_the_other(hosts, users):
    from comity.directory.models import Authority
    from comity.directory.tests.test_import import NEW_BR, make_csv

    a, b = hosts
    cookies = _session_cookies(users["coordinator"])
    token = _csrf(a, "/en/directory/import/", cookies)
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="authorities.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + make_csv([NEW_BR])
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, _headers, page = a.request(
        "POST",
        "/en/directory/import/",
        body=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        cookies=cookies,
    )
    assert status == 200
    assert b"Dry run: nothing has been saved" in page
    assert not Authority.objects.filter(official_name=NEW_BR["official_name"]).exists()
    job = re.search(rb'name="token" value="([0-9a-f]{32})"', page).group(1).decode()
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    form, headers = _form({"csrfmiddlewaretoken": token, "token": job, "action": "apply"})
    status, _headers, page = b.request("POST", "/en/directory/import/", body=form, headers=headers, cookies=cookies)
    assert status == 200
    assert b"Import applied: 1 created" in page
    assert Authority.objects.filter(official_name=NEW_BR["official_name"]).count() == 1
