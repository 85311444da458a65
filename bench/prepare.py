"""Create and fill the benchmark database: migrate, load the reference data, seed_demo --scale N.

    .venv/bin/python -m bench.prepare [--scale 5000] [--fresh]

Prints how long each step took; the seed_demo --scale time is the number to report for "N must finish in
minutes"."""

from __future__ import annotations

import argparse
import io
import os
import time

from bench import common


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=common.SYNTHETIC_WANTED, help="synthetic authorities wanted")
    parser.add_argument("--fresh", action="store_true", help="delete the SQLite benchmark database first")
    args = parser.parse_args(argv)
    common.setup()
    from django.conf import settings
    from django.core.management import call_command

    name = str(settings.DATABASES["default"]["NAME"])
    if args.fresh and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and os.path.exists(name):
        os.remove(name)
        print(f"removed {name}")
    os.makedirs(os.path.dirname(name) or ".", exist_ok=True)
    steps = [
        ("migrate", ["migrate", "--noinput"]),
        ("load_reference", ["load_reference"]),
        (f"seed_demo --scale {args.scale}", ["seed_demo", "--scale", str(args.scale)]),
    ]
    rows = []
    for label, command in steps:
        out = io.StringIO()
        started = time.perf_counter()
        call_command(*command, stdout=out, verbosity=0)
        rows.append((label, f"{time.perf_counter() - started:.1f} s"))
        report = [line for line in out.getvalue().splitlines() if line.strip() and not line.startswith("  ")]
        print("\n".join(f"  {line}" for line in report[-4:]))
    print(common.table(["step", "time"], rows))
    print(common.describe_database())


if __name__ == "__main__":
    main()
