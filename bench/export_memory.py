"""(c) Peak memory of a full CSV export of the directory (tracemalloc), as the secretariat sees it.

    .venv/bin/python -m bench.export_memory

Uses comity.directory.importexport.export (export_authorities + csv_lines) when that module provides them,
and skips with a message otherwise. The export is streamed: peak memory should stay flat as the directory
grows, rather than grow with the file size."""

from __future__ import annotations

import importlib
import time
import tracemalloc

from bench import common

SECRETARIAT_EMAIL = "admin@demo.comity.test"


def main(argv: list[str] | None = None) -> None:
    common.setup()
    print(common.describe_database())
    try:
        export = importlib.import_module("comity.directory.importexport.export")
    except ImportError:
        print("skipped: comity.directory.importexport.export does not exist yet")
        return
    if not (hasattr(export, "export_authorities") and hasattr(export, "csv_lines")):
        print("skipped: comity.directory.importexport.export has no export_authorities()/csv_lines()")
        return
    from comity.accounts.models import User

    user = User.objects.filter(email=SECRETARIAT_EMAIL).first()
    if user is None:
        common.fail(f"{SECRETARIAT_EMAIL} is missing: run `.venv/bin/python -m bench.prepare` first.")
    rows = []
    for label, filters in (("all authorities", {}), ("q=justice", {"q": "justice"})):
        started = time.perf_counter()
        lines, size = _drain(export, user, filters)
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        _drain(export, user, filters)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append((label, f"{lines - 1:,}", f"{size / 1e6:.1f} MB", f"{elapsed:.1f} s", f"{peak / 1e6:.1f} MB"))
    print(common.table(["export", "data rows", "CSV size", "time", "peak traced memory"], rows))


def _drain(export, user, filters: dict) -> tuple[int, int]:
    """Produce the whole CSV the way the streaming response would, keeping only its size."""
    lines = size = 0
    for line in export.csv_lines(user=user, authorities=export.export_authorities(user=user, filters=filters)):
        lines += 1
        size += len(line.encode())
    return lines, size


if __name__ == "__main__":
    main()
