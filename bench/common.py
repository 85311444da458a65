"""Shared by the benchmark scripts: Django set-up on the benchmark database, timing, and a plain-text table."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence

SYNTHETIC_WANTED = 5000


def setup() -> None:
    """Configure Django with bench.settings unless DJANGO_SETTINGS_MODULE says otherwise."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def describe_database() -> str:
    from django.db import connection

    from comity.directory.demo import SCALE_DOMAIN
    from comity.directory.models import Authority, Contact

    synthetic = Authority.objects.filter(email__endswith="@" + SCALE_DOMAIN).count()
    text = (
        f"database: {connection.vendor} {connection.settings_dict['NAME']} - {Authority.objects.count()} "
        f"authorities ({synthetic} synthetic), {Contact.objects.count()} contact points"
    )
    if synthetic < SYNTHETIC_WANTED:
        text += (
            f"\nWARNING: fewer than {SYNTHETIC_WANTED} synthetic authorities; run "
            f"`.venv/bin/python -m bench.prepare` first for comparable numbers."
        )
    return text


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def timed_loop(call: Callable[[], object], *, seconds: float, max_calls: int) -> list[float]:
    """Call repeatedly for at most `seconds` and at most `max_calls` times; returns each call's duration."""
    durations: list[float] = []
    deadline = time.perf_counter() + seconds
    while len(durations) < max_calls and time.perf_counter() < deadline:
        started = time.perf_counter()
        call()
        durations.append(time.perf_counter() - started)
    return durations


def summary(durations: Sequence[float]) -> tuple[str, str, str]:
    """(per second, median ms, p95 ms)."""
    if not durations:
        return "-", "-", "-"
    ordered = sorted(durations)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"{len(durations) / sum(durations):.1f}", f"{statistics.median(durations) * 1000:.1f}", f"{p95 * 1000:.1f}")


def fail(message: str) -> None:
    print(message, file=sys.stderr)
    raise SystemExit(0)  # benchmarks report; they do not fail a build
