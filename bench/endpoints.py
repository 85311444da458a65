"""(a) The browse page and the authorities API: requests per second and database queries per request.

    .venv/bin/python -m bench.endpoints [--seconds 5] [--max-requests 200]

Requests go through Django's test Client in this process (the whole middleware stack, sessions, templates,
serializers; no network and no server), signed in as the demo member for Brazil, or anonymous for the
public API. An endpoint that answers 404 has not been built yet and is skipped with a note."""

from __future__ import annotations

import argparse

from bench import common

MEMBER_EMAIL = "member.br@demo.comity.test"
TARGETS = (
    # (label, who, path)
    ("browse page 1", "member", "/en/directory/authorities/"),
    ("browse page 40", "member", "/en/directory/authorities/?page=40"),
    ("browse q=justice", "member", "/en/directory/authorities/?q=justice"),
    ("browse q=(Chinese)", "member", "/en/directory/authorities/?q=司法部"),
    ("API page 1", "member", "/api/v1/authorities/"),
    ("API page 1", "anonymous", "/api/v1/authorities/"),
    ("API page 20", "member", "/api/v1/authorities/?page=20"),
    ("API q=justice", "member", "/api/v1/authorities/?q=justice"),
    ("API q=justice", "anonymous", "/api/v1/authorities/?q=justice"),
)


def clients() -> dict:
    from comity.core.testing import sign_in
    from django.test import Client

    from comity.accounts.models import User

    member = User.objects.filter(email=MEMBER_EMAIL).first()
    if member is None:
        common.fail(f"{MEMBER_EMAIL} is missing: run `.venv/bin/python -m bench.prepare` first.")
    return {"member": sign_in(Client(), member), "anonymous": Client()}


def measure(client, path: str, *, seconds: float, max_requests: int) -> tuple:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = client.get(path)
    if first.status_code == 404:
        return ("404 (not built yet, or no such page): skipped", "-", "-", "-", "-")
    if first.status_code != 200:
        return (f"HTTP {first.status_code}, skipped", "-", "-", "-", "-")
    client.get(path)  # warm caches (templates, holiday tables, translations)
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    queries = len(captured.captured_queries)  # read now: every request_started signal clears the query log
    durations = common.timed_loop(lambda: client.get(path), seconds=seconds, max_calls=max_requests)
    per_second, median, p95 = common.summary(durations)
    return ("200", queries, per_second, median, p95, len(durations))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time budget per endpoint (default 5)")
    parser.add_argument("--max-requests", type=int, default=200, help="request budget per endpoint (default 200)")
    args = parser.parse_args(argv)
    common.setup()
    print(common.describe_database())
    by_role = clients()
    rows = []
    for label, who, path in TARGETS:
        result = measure(by_role[who], path, seconds=args.seconds, max_requests=args.max_requests)
        rows.append((label, who, *result) if len(result) == 6 else (label, who, result[0], "-", "-", "-", "-", "-"))
    print(common.table(["endpoint", "as", "status", "queries/req", "req/s", "median ms", "p95 ms", "requests"], rows))


if __name__ == "__main__":
    main()
