"""(b) Availability throughput: availability() calls per second over every authority's schedule.

    .venv/bin/python -m bench.availability_bench [--passes 2]

Schedules are built once from the database (office hours and closures prefetched), then availability() runs
for every schedule at four instants: a weekday morning and afternoon (UTC), a Saturday night and New Year's
Day (every country's holiday table is consulted). "cold" is the first pass with empty holiday caches;
"warm" the later passes."""

from __future__ import annotations

import argparse
import datetime as dt
import time

from bench import common

INSTANTS = (
    ("Wed 2026-03-11 09:00 UTC", dt.datetime(2026, 3, 11, 9, 0, tzinfo=dt.UTC)),
    ("Wed 2026-03-11 15:30 UTC", dt.datetime(2026, 3, 11, 15, 30, tzinfo=dt.UTC)),
    ("Sat 2026-03-14 23:00 UTC", dt.datetime(2026, 3, 14, 23, 0, tzinfo=dt.UTC)),
    ("Thu 2026-01-01 12:00 UTC", dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)),
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=2, help="warm passes per instant (default 2)")
    args = parser.parse_args(argv)
    common.setup()
    from comity.directory import availability as engine
    from comity.directory.models import Authority

    print(common.describe_database())
    started = time.perf_counter()
    authorities = list(Authority.objects.select_related("country").prefetch_related("office_hours", "closures"))
    schedules = [engine.schedule_for(authority) for authority in authorities]
    build = time.perf_counter() - started
    print(f"{len(schedules)} schedules loaded and built in {build:.2f} s")

    rows = []
    engine._holiday_table.cache_clear()
    for label, at in INSTANTS:
        cold_started = time.perf_counter()
        statuses: dict[str, int] = {}
        for schedule in schedules:
            status = engine.availability(schedule, at).status
            statuses[status] = statuses.get(status, 0) + 1
        cold = time.perf_counter() - cold_started
        warm_started = time.perf_counter()
        for _ in range(args.passes):
            for schedule in schedules:
                engine.availability(schedule, at)
        warm = (time.perf_counter() - warm_started) / max(args.passes, 1)
        mix = ", ".join(f"{key} {value}" for key, value in sorted(statuses.items()))
        rows.append(
            (
                label,
                f"{len(schedules) / cold:,.0f}",
                f"{len(schedules) / warm:,.0f}",
                f"{warm / len(schedules) * 1e6:.0f}",
                mix,
            )
        )
    print(common.table(["instant", "cold calls/s", "warm calls/s", "warm us/call", "statuses"], rows))


if __name__ == "__main__":
    main()
