"""gunicorn servers under production settings for the HTTP benchmark, and a real sign-in to them.

Each (version, size) gets its own server: `gunicorn bench_static_wsgi:application --workers 2 --worker-class
gthread --threads 4` on 127.0.0.1, production settings (`comity.config.settings.prod`) with fresh random secrets,
its own PostgreSQL database and Redis database, and the version's gunicorn config file when it has one. Requests
carry `X-Forwarded-Proto: https` as nginx's would (the README's deployment), and the `__Host-` cookies are sent
by hand because they are `Secure`."""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from bench.http_data import (
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    PG_URL,
    DataSet,
    Version,
    base_env,
    log,
    manage,
)

MEMBER = "member.br@demo.comity.test"
HOST = "127.0.0.1"
REDIS = "redis://127.0.0.1:6379"
FORWARDED = {"X-Forwarded-Proto": "https"}
CONFIG_PATTERNS = ("comity/config/gunicorn*.py", "deploy/gunicorn*.py", "deploy/**/gunicorn*.py", "gunicorn.conf.py")
WORKER_FLAGS = ["--workers", "2", "--worker-class", "gthread", "--threads", "4"]
WSGI_MODULE = "bench_static_wsgi"


@dataclass
class Secrets:
    """Random production secrets for one run; they live only in the environment of its processes."""

    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48)[:60])
    master_key: str = field(default_factory=lambda: base64.b64encode(os.urandom(32)).decode())


@dataclass
class Server:
    data: DataSet
    port: int
    redis_db: int
    workdir: Path
    config: str | None = None
    config_workers: bool = False  # let the config file choose workers, threads and worker class
    process: subprocess.Popen | None = None
    cookie: str = ""
    token: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def version(self) -> Version:
        return self.data.version

    @property
    def name(self) -> str:
        return f"{self.version.label}/{self.data.size:,}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"gunicorn-{self.data.database}.log"

    def env(self, secrets_: Secrets) -> dict[str, str]:
        env = base_env(self.version)
        env["PYTHONPATH"] = f"{self.workdir}{os.pathsep}{self.version.path}"
        env.update(
            DJANGO_SETTINGS_MODULE="comity.config.settings.prod",
            SECRET_KEY=secrets_.secret_key,
            ALLOWED_HOSTS=HOST,
            COMITY_MASTER_KEY=secrets_.master_key,
            DATABASE_URL=f"{PG_URL}/{self.data.database}",
            REDIS_URL=f"{REDIS}/{self.redis_db}",
            COMITY_TRUSTED_PROXY_COUNT="1",
            COMITY_STATIC_ROOT=str(self.workdir / f"static-{self.version.label}"),
            COMITY_VAR_DIR=str(self.workdir / f"var-{self.version.label}"),
            LOG_LEVEL="WARNING",
            # As in the review: the default API throttles (600/min per user) would make wrk measure 429s. A
            # per-second window keeps DRF's per-user history in Redis as small as in production.
            COMITY_API_USER_RATE="100000/s",
            COMITY_API_ANON_RATE="100000/s",
            BENCH_WSGI_REPORT=str(self.workdir / f"wsgi-{self.data.database}.txt"),
        )
        return env


def find_config(version: Version, choice: str) -> str | None:
    """The gunicorn config file to use: `auto` finds one in the tree, `none` uses none, else a path in the tree."""
    if choice == "none":
        return None
    if choice != "auto":
        path = Path(choice) if Path(choice).is_absolute() else version.path / choice
        if not path.exists():
            raise SystemExit(f"gunicorn config {path} does not exist in {version.label}")
        return str(path)
    for pattern in CONFIG_PATTERNS:
        found = sorted(path for path in version.path.glob(pattern) if path.is_file())
        if found:
            return str(found[0])
    return None


def config_warning(config: str | None) -> str:
    """A config that sets another worker class or size is overridden by WORKER_FLAGS unless --config-workers."""
    if config is None:
        return ""
    text = Path(config).read_text(encoding="utf-8")
    names = re.findall(r"^(workers|threads|worker_class)\s*=", text, re.MULTILINE)
    return f"{config} sets {', '.join(sorted(set(names)))}" if names else ""


def prepare_version(version: Version, server: Server, secrets_: Secrets) -> str:
    """collectstatic into the run's static root, then `check --deploy`; returns the check's last line."""
    env = server.env(secrets_)
    shutil.copyfile(Path(__file__).with_name("static_wsgi.py"), server.workdir / f"{WSGI_MODULE}.py")
    manage(version, env, "collectstatic", "--noinput", "-v", "0", timeout=600, echo=False)
    output = manage(version, env, "check", "--deploy", timeout=300, echo=False)
    return output.strip().splitlines()[-1] if output.strip() else ""


def flush_redis(db: int) -> None:
    import redis

    redis.Redis.from_url(f"{REDIS}/{db}", socket_timeout=10).flushdb()


def port_free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def start(server: Server, secrets_: Secrets, *, gunicorn_args: list[str]) -> None:
    if not port_free(server.port):
        raise RuntimeError(f"port {server.port} is in use; choose another --port-base")
    flush_redis(server.redis_db)
    report = server.workdir / f"wsgi-{server.data.database}.txt"
    report.unlink(missing_ok=True)
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        f"{WSGI_MODULE}:application",
        "--bind",
        f"{HOST}:{server.port}",
        *([] if server.config and server.config_workers else WORKER_FLAGS),
        "--log-level",
        "warning",
        "--error-logfile",
        str(server.log_path),
        *(["--config", server.config] if server.config else []),
        *gunicorn_args,
    ]
    log(
        f"{server.name}: starting gunicorn on {HOST}:{server.port} ({server.data.database}, redis db {server.redis_db})"
    )
    with open(server.log_path, "ab") as output:
        # A session of its own: stopping the server signals its process group, master and workers.
        server.process = subprocess.Popen(  # noqa: S603
            command,
            cwd=server.workdir,
            env=server.env(secrets_),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name}: gunicorn exited ({server.process.returncode}):\n{log_tail(server)}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            status, _headers, _body = request(server.port, "/healthz")
            if status == 200 and report.exists():
                break
        time.sleep(0.5)
    else:
        raise RuntimeError(f"{server.name}: /healthz did not answer 200 within 90 s:\n{log_tail(server)}")
    served_from = Path(report.read_text(encoding="utf-8").strip())
    expected = server.version.path / "comity"
    if served_from.resolve() != expected.resolve():
        raise RuntimeError(f"{server.name} imports comity from {served_from}, not {expected}")


def stop(server: Server) -> None:
    process = server.process
    if process is None or process.poll() is not None:
        return
    log(f"{server.name}: stopping gunicorn (pid {process.pid})")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    # Workers can outlive the master by a moment (finishing queued requests); wait for the whole group.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def log_tail(server: Server, lines: int = 20) -> str:
    try:
        return "\n".join(server.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def memory(server: Server) -> list[tuple[str, int, int]]:
    """(process, RSS MiB, peak RSS MiB) of the master and its workers, from /proc."""
    if server.process is None:
        return []
    rows = []
    pids = [server.process.pid]
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
        pids += [int(pid) for pid in children]
    for position, pid in enumerate(pids):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        values = dict(re.findall(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.MULTILINE))
        rows.append(
            (
                "master" if position == 0 else f"worker {position}",
                int(values.get("VmRSS", 0)) // 1024,
                int(values.get("VmHWM", 0)) // 1024,
            )
        )
    return rows


# --- HTTP --------------------------------------------------------------------------------------------------------


def request(
    port: int, path: str, *, method: str = "GET", headers: dict | None = None, body: bytes | None = None, timeout=30
) -> tuple[int, list[tuple[str, str]], bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={**FORWARDED, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


class Browser:
    """Just enough of a browser for the sign-in: a cookie jar (Secure cookies included) and CSRF tokens."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return f"https://{HOST}:{self.port}"

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def call(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": self.origin,
                    "Referer": self.origin + path,
                }
            )
        status, response_headers, content = request(self.port, path, method=method, headers=headers, body=body)
        location = ""
        for name, value in response_headers:
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _sep, cookie = pair.partition("=")
                if cookie and "max-age=0" not in value.lower():
                    self.cookies[key.strip()] = cookie.strip()
                else:
                    self.cookies.pop(key.strip(), None)
            elif name.lower() == "location":
                location = value
        return status, location, content.decode("utf-8", errors="replace")

    def csrf_token(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if match is None:
            raise RuntimeError("no CSRF token in the sign-in page")
        return match.group(1)


def totp_code(at: float | None = None) -> str:
    from django_otp.oath import TOTP

    secret = DEMO_TOTP_SECRET.upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    generator = TOTP(key, step=30, digits=6)
    if at is not None:
        generator.time = at
    return f"{generator.token():06d}"


def sign_in(server: Server) -> None:
    """Password, then the TOTP code of the demo secret, as member.br; keeps the cookies as one Cookie header."""
    browser = Browser(server.port)
    status, _location, html = browser.call("GET", "/en/accounts/login/")
    if status != 200:
        raise RuntimeError(f"{server.name}: sign-in page answered {status}")
    status, location, _html = browser.call(
        "POST",
        "/en/accounts/login/",
        {"csrfmiddlewaretoken": browser.csrf_token(html), "email": MEMBER, "password": DEMO_PASSWORD},
    )
    if status != 302 or "/verify/" not in location:
        raise RuntimeError(f"{server.name}: the password step answered {status} {location!r}")
    for attempt in range(3):
        status, _location, html = browser.call("GET", "/en/accounts/login/verify/")
        status, location, _html = browser.call(
            "POST", "/en/accounts/login/verify/", {"csrfmiddlewaretoken": browser.csrf_token(html), "code": totp_code()}
        )
        if status == 302:
            break
        # A code is accepted once: another sign-in in the same 30-s step must wait for the next code.
        log(f"{server.name}: code refused ({status}), waiting for the next one (attempt {attempt + 1})")
        time.sleep(31 - time.time() % 30)
    else:
        raise RuntimeError(f"{server.name}: the code step failed with {status}")
    server.cookie = browser.cookie_header()
    status, _headers, _body = request(server.port, "/en/forum/", headers={"Cookie": server.cookie})
    if status != 200:
        raise RuntimeError(f"{server.name}: signed in, but /en/forum/ answers {status}")
    log(f"{server.name}: signed in as {MEMBER} (cookies: {', '.join(browser.cookies)})")


def create_token(server: Server, secrets_: Secrets) -> None:
    if not (server.version.path / "comity/accounts/management/commands/create_api_token.py").exists():
        server.notes.append("no create_api_token command: the API was called with the session cookie")
        return
    output = manage(
        server.version,
        server.env(secrets_),
        "create_api_token",
        "--user",
        MEMBER,
        "--scope",
        "read",
        "--name",
        "http benchmark",
        "--days",
        "1",
        timeout=120,
        echo=False,
    )
    server.token = output.strip().splitlines()[-1].strip()


def auth_headers(server: Server, auth: str) -> dict[str, str]:
    if auth == "session" or (auth == "token" and not server.token):
        return {"Cookie": server.cookie}
    if auth == "token":
        return {"Authorization": f"Bearer {server.token}"}
    return {}
