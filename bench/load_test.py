"""Load test through a real server: simulated members browsing, reading, posting and searching at the same time.

    .venv/bin/python -m bench.load_test [--members 200] [--seconds 60] [--think 5] [--posts 10000]
                                        [--gunicorn-arg=--workers=2 ...] [--results bench/results]

It builds (or reuses) the PostgreSQL database of bench/http_data.py (demo data, 5,000 authorities, `--posts` forum
posts), serves it with gunicorn under production settings, with Redis and the repository's gunicorn config
(bench/http_server.py), signs in for real (password and TOTP code) as six demo accounts, then lets `--members`
simulated members loose for `--seconds`. Each member has its own keep-alive connection and its own session among
the six, sends `Accept-Encoding: gzip` as a browser does, and repeats: think (exponential, mean `--think` s), then
one of

    directory         the authorities list, pages 1-5            (25 %)
    directory-search  the authorities list searched              (10 %)
    forum             the forum's spaces                          (5 %)
    space             a space's thread list                       (10 %)
    thread            a thread (first page, sometimes a later one) (30 %)
    post              a reply posted to a thread (the POST alone)  (5 %, after reading the thread)
    search            the forum search, common and rare words    (15 %)

It reports the throughput, p50/p95/p99 latency and errors per page (an error: a connection failure, a timeout, or a
status other than 200, and 302 for a post). The goal is zero errors. Results go to bench/results/load-<date>.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench import http_data, http_server
from bench.http_data import DEMO_PASSWORD, log

RESULTS = Path(__file__).with_name("results")
ACCOUNTS = (
    "member.br@demo.comity.test",
    "member.id@demo.comity.test",
    "member.fr@demo.comity.test",
    "coordinator.br@demo.comity.test",
    "coordinator.id@demo.comity.test",
    "coordinator.fr@demo.comity.test",
)
DIRECTORY_TERMS = ("justice", "ministry", "police", "司法部", "العدل", "procuradoria")
SEARCH_TERMS = ("request", "evidence", "kittiwake", "extradition", "司法协助", "المساعدة")
ACTIONS = (
    ("directory", 25),
    ("directory-search", 10),
    ("forum", 5),
    ("space", 10),
    ("thread", 30),
    ("post", 5),
    ("search", 15),
)
PAGES = [name for name, _weight in ACTIONS]
THREAD_LINK = re.compile(r'href="/en/forum/t/(\d+)/"')
SPACE_LINK = re.compile(r'href="/en/forum/s/([a-z0-9-]+)/"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Sample:
    page: str
    seconds: float
    ok: bool
    detail: str = ""
    bytes: int = 0
    at: float = 0.0  # time.monotonic() when the request was sent


@dataclass
class Session:
    email: str
    cookie: str
    spaces: list[str] = field(default_factory=list)
    threads: list[int] = field(default_factory=list)


class Member(threading.Thread):
    """One simulated member: a keep-alive connection, a session, and a loop of think-then-act until the deadline."""

    def __init__(self, number: int, port: int, session: Session, *, deadline: float, think: float, start_at: float):
        super().__init__(name=f"member-{number}", daemon=True)
        self.number = number
        self.port = port
        self.session = session
        self.deadline = deadline
        self.think = think
        self.start_at = start_at
        self.random = random.Random(number)
        self.samples: list[Sample] = []
        self.connection: http.client.HTTPConnection | None = None

    # --- HTTP ---------------------------------------------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(http_server.HOST, self.port, timeout=30)
        return self.connection

    def call(self, page: str, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """One request, timed until the last byte; (status, location, decoded body); a failure is recorded."""
        headers = {
            **http_server.FORWARDED,
            "Cookie": self.session.cookie,
            "Accept-Encoding": "gzip",
            "Accept-Language": "en",
        }
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            origin = f"https://{http_server.HOST}:{self.port}"
            headers.update(
                {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin, "Referer": origin + path}
            )
        sent_at, started = time.monotonic(), time.perf_counter()
        try:
            for attempt in (1, 2):
                reused = self.connection is not None
                connection = self._connection()
                try:
                    connection.request(method, path, body=body, headers=headers)
                    response = connection.getresponse()
                except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                    # gunicorn closes a kept-alive connection after a few idle seconds; like a browser, send the
                    # request again once on a new connection when the old one turns out to be closed.
                    self._close()
                    if reused and attempt == 1:
                        continue
                    raise
                break
            raw = response.read()
            elapsed = time.perf_counter() - started
            if response.getheader("Connection", "").lower() == "close":
                self._close()
        except (OSError, http.client.HTTPException) as exc:
            self._close()
            elapsed = time.perf_counter() - started
            self.samples.append(Sample(page, elapsed, False, exc.__class__.__name__, at=sent_at))
            return 0, "", ""
        expected = 302 if page == "post" else 200
        ok = response.status == expected
        self.samples.append(Sample(page, elapsed, ok, "" if ok else f"HTTP {response.status}", len(raw), sent_at))
        if response.getheader("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        return response.status, response.getheader("Location") or "", raw.decode("utf-8", errors="replace")

    def _close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    # --- behaviour ----------------------------------------------------------------------------------------------

    def run(self) -> None:
        time.sleep(max(0.0, self.start_at - time.monotonic()))
        names = [name for name, _weight in ACTIONS]
        weights = [weight for _name, weight in ACTIONS]
        while True:
            pause = self.random.expovariate(1 / self.think) if self.think > 0 else 0
            if time.monotonic() + pause >= self.deadline:
                break
            time.sleep(pause)
            getattr(self, "act_" + self.random.choices(names, weights)[0].replace("-", "_"))()
        self._close()

    def act_directory(self) -> None:
        self.call("directory", "GET", f"/en/directory/authorities/?page={self.random.randint(1, 5)}")

    def act_directory_search(self) -> None:
        term = urllib.parse.quote(self.random.choice(DIRECTORY_TERMS))
        self.call("directory-search", "GET", f"/en/directory/authorities/?q={term}")

    def act_forum(self) -> None:
        self.call("forum", "GET", "/en/forum/")

    def act_space(self) -> None:
        self.call("space", "GET", f"/en/forum/s/{self.random.choice(self.session.spaces)}/")

    def act_thread(self) -> str:
        pk = self.random.choice(self.session.threads)
        page = "" if self.random.random() < 0.8 else f"?page={self.random.randint(2, 4)}"
        _status, _location, html = self.call("thread", "GET", f"/en/forum/t/{pk}/{page}")
        return html

    def act_post(self) -> None:
        pk = self.random.choice(self.session.threads)
        status, _location, html = self.call("thread", "GET", f"/en/forum/t/{pk}/")
        token = CSRF.search(html)
        if status != 200 or token is None:
            return
        body = f"Load test reply {self.number}-{len(self.samples)}: we can help with the request, see the treaty."
        form = {"csrfmiddlewaretoken": token.group(1), "body": body, "language": "en"}
        self.call("post", "POST", f"/en/forum/t/{pk}/reply/", form)

    def act_search(self) -> None:
        term = urllib.parse.quote(self.random.choice(SEARCH_TERMS))
        self.call("search", "GET", f"/en/forum/search/?q={term}")


# --- sign-in and what each session may read ----------------------------------------------------------------------


def sign_in_as(port: int, email: str) -> str:
    """Password, then the demo TOTP code; the session's cookies as one Cookie header."""
    browser = http_server.Browser(port)
    status, _location, html = browser.call("GET", "/en/accounts/login/")
    if status != 200:
        raise RuntimeError(f"sign-in page answered {status}")
    form = {"csrfmiddlewaretoken": browser.csrf_token(html), "email": email, "password": DEMO_PASSWORD}
    status, location, _html = browser.call("POST", "/en/accounts/login/", form)
    if status != 302 or "/verify/" not in location:
        raise RuntimeError(f"{email}: the password step answered {status} {location!r}")
    _status, _location, html = browser.call("GET", "/en/accounts/login/verify/")
    form = {"csrfmiddlewaretoken": browser.csrf_token(html), "code": http_server.totp_code()}
    status, _location, _html = browser.call("POST", "/en/accounts/login/verify/", form)
    if status != 302:
        raise RuntimeError(f"{email}: the code step answered {status}")
    return browser.cookie_header()


def explore(port: int, session: Session) -> None:
    """The spaces and threads this session can read (from the forum's pages, as a member would find them)."""
    headers = {"Cookie": session.cookie}
    _status, _headers, body = http_server.request(port, "/en/forum/", headers=headers)
    session.spaces = sorted(set(SPACE_LINK.findall(body.decode())))
    threads: set[int] = set()
    for slug in session.spaces:
        _status, _headers, body = http_server.request(port, f"/en/forum/s/{slug}/", headers=headers)
        threads.update(int(pk) for pk in THREAD_LINK.findall(body.decode()))
    session.threads = sorted(threads)
    if not session.spaces or not session.threads:
        raise RuntimeError(f"{session.email} sees no space or no thread")


# --- report --------------------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def report(samples: list[Sample], *, seconds: float, args, facts: dict, server_flags: str, started: str) -> str:
    by_page: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_page[sample.page].append(sample)
    lines = [
        f"# Load test, {started}",
        "",
        f"Command: `python -m bench.load_test {' '.join(args.argv)}`".rstrip(),
        "",
        f"- {args.members} simulated members, {seconds:.0f} s measured, think time exponential with mean "
        f"{args.think:g} s, six signed-in demo accounts, `Accept-Encoding: gzip`",
        f"- gunicorn (production settings, `comity/config/gunicorn.py`) {server_flags}, PostgreSQL, Redis",
        f"- database: {facts.get('authorities', 0):,} authorities, {facts.get('threads', 0):,} threads, "
        f"{facts.get('posts', 0):,} posts",
        f"- machine: {os.cpu_count()} cores, load average (1 min) {args.load_before:.1f} before and "
        f"{os.getloadavg()[0]:.1f} after the run (other jobs included)",
        "",
        "| page | requests | req/s | p50 ms | p95 ms | p99 ms | errors | KiB/response |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    total_errors = 0
    for page in [*PAGES, *sorted(set(by_page) - set(PAGES))]:
        rows = by_page.get(page, [])
        if not rows:
            continue
        durations = [sample.seconds * 1000 for sample in rows]
        errors = [sample for sample in rows if not sample.ok]
        total_errors += len(errors)
        size = statistics.fmean(sample.bytes for sample in rows) / 1024
        lines.append(
            f"| {page} | {len(rows):,} | {len(rows) / seconds:.1f} | {percentile(durations, 0.50):,.0f} | "
            f"{percentile(durations, 0.95):,.0f} | {percentile(durations, 0.99):,.0f} | {len(errors)} | {size:.1f} |"
        )
    durations = [sample.seconds * 1000 for sample in samples]
    if durations:
        lines.append(
            f"| **all** | {len(samples):,} | {len(samples) / seconds:.1f} | {percentile(durations, 0.5):,.0f} | "
            f"{percentile(durations, 0.95):,.0f} | {percentile(durations, 0.99):,.0f} | {total_errors} | |"
        )
    kinds: dict[str, int] = defaultdict(int)
    for sample in samples:
        if not sample.ok:
            kinds[f"{sample.page}: {sample.detail}"] += 1
    lines += ["", "Errors: " + (", ".join(f"{k} x {v}" for k, v in sorted(kinds.items())) or "none") + "."]
    return "\n".join(lines) + "\n"


# --- main ----------------------------------------------------------------------------------------------------------


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200, help="simulated members at the same time (200)")
    parser.add_argument("--seconds", type=int, default=60, help="how long they act, after the ramp-up (60)")
    parser.add_argument("--ramp", type=int, default=10, help="seconds over which the members start (10)")
    parser.add_argument("--think", type=float, default=5.0, help="mean think time between actions, seconds (5)")
    parser.add_argument("--posts", type=int, default=10000, help="forum posts in the database (10000)")
    parser.add_argument("--seed", type=int, default=2026, help="seed_forum seed (2026)")
    parser.add_argument("--port", type=int, default=18600, help="gunicorn's port on 127.0.0.1 (18600)")
    parser.add_argument("--redis-db", type=int, default=14, help="Redis database, emptied before and after (14)")
    parser.add_argument(
        "--gunicorn-arg",
        action="append",
        default=[],
        help="gunicorn argument (repeatable; default --workers=2 --threads=4, the worker class comes from the config)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="folder for the results (bench/results)")
    args = parser.parse_args(argv)
    if args.members < 1 or args.seconds < 1 or args.think < 0 or args.ramp < 0:
        parser.error("--members and --seconds must be positive, --think and --ramp not negative")
    return args


def _terminate(signum, _frame):
    raise SystemExit(128 + signum)  # the finally block stops gunicorn


def main(argv: list[str] | None = None) -> int:
    import sys

    args = parse(argv)
    args.argv = sys.argv[1:] if argv is None else argv
    stamp = dt.datetime.now(dt.UTC).astimezone()
    workdir = Path(tempfile.mkdtemp(prefix="comity-load-test-"))
    server = None
    signal.signal(signal.SIGTERM, _terminate)
    try:
        version = http_data.current_version()
        http_data.compile_messages(version.path, only_missing=True)
        data = http_data.build(version, args.posts, seed=args.seed, rebuild=False, workdir=workdir)
        secrets_ = http_server.Secrets()
        # The repository's config chooses the worker class (the shedding gthread worker); size it here.
        server = http_server.Server(
            data,
            args.port,
            args.redis_db,
            workdir,
            config=http_server.find_config(version, "auto"),
            config_workers=True,
        )
        http_server.prepare_version(version, server, secrets_)
        gunicorn_args = args.gunicorn_arg or ["--workers=2", "--threads=4"]
        http_server.start(server, secrets_, gunicorn_args=gunicorn_args)
        sessions = []
        for email in ACCOUNTS:
            session = Session(email, sign_in_as(server.port, email))
            explore(server.port, session)
            sessions.append(session)
            log(f"signed in as {email}: {len(session.spaces)} spaces, {len(session.threads)} threads")
        start_at = time.monotonic() + 1
        deadline = start_at + args.ramp + args.seconds
        members = [
            Member(
                n,
                server.port,
                sessions[n % len(sessions)],
                deadline=deadline,
                think=args.think,
                start_at=start_at + args.ramp * n / args.members,
            )
            for n in range(args.members)
        ]
        log(f"{args.members} members for {args.ramp} + {args.seconds} s (think {args.think:g} s)")
        args.load_before = os.getloadavg()[0]
        for member in members:
            member.start()
        for member in members:
            member.join(timeout=max(1.0, deadline - time.monotonic() + 60))
        # The table counts what was sent once every member was acting; the ramp-up is reported apart.
        samples = [s for m in members for s in m.samples]
        measured = [s for s in samples if s.at >= start_at + args.ramp]
        ramp = [s for s in samples if s.at < start_at + args.ramp]
        flags = " ".join(gunicorn_args)
        text = report(
            measured,
            seconds=args.seconds,
            args=args,
            facts=data.facts,
            server_flags=f"`{flags}`",
            started=f"{stamp:%Y-%m-%d %H:%M %Z}",
        )
        ramp_errors = sum(1 for sample in ramp if not sample.ok)
        text += (
            f"\nDuring the {args.ramp} s ramp-up (not in the table): {len(ramp):,} requests, {ramp_errors} errors.\n"
        )
        tail = http_server.log_tail(server, 10)
        if tail.strip():
            text += "\ngunicorn log (last lines):\n\n```\n" + tail + "\n```\n"
        args.results.mkdir(parents=True, exist_ok=True)
        target = args.results / f"load-{stamp:%Y-%m-%d-%H%M}.md"
        target.write_text(text, encoding="utf-8")
        raw = [{"page": s.page, "ms": round(s.seconds * 1000, 2), "ok": s.ok, "detail": s.detail} for s in samples]
        target.with_suffix(".json").write_text(json.dumps(raw), encoding="utf-8")
        print("\n" + text)
        log(f"written to {target} (and .json)")
        errors = sum(1 for sample in samples if not sample.ok)
        return 0 if errors == 0 else 1
    finally:
        if server is not None:
            http_server.stop(server)
            try:
                http_server.flush_redis(server.redis_db)
            except Exception as exc:  # noqa: BLE001 - cleaning up; the report is what matters
                log(f"could not empty redis db {server.redis_db}: {exc}")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
