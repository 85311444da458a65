#!/usr/bin/env python
"""Django's command-line utility for Comity."""

import os
import sys

DEVELOPMENT_SETTINGS = "comity.config.settings.dev"


def refuse_development_settings_with_database_url(environ=os.environ) -> str | None:
    """A DATABASE_URL means a real deployment: running against it with the development settings (their fixed
    development keys, DEBUG) is almost always a forgotten DJANGO_SETTINGS_MODULE. Returns the refusal, if any."""
    if environ.get("DJANGO_SETTINGS_MODULE", DEVELOPMENT_SETTINGS) != DEVELOPMENT_SETTINGS:
        return None
    if not environ.get("DATABASE_URL", "").strip() or environ.get("COMITY_ALLOW_DEV_DATABASE_URL", "") == "1":
        return None
    return (
        "manage.py: DATABASE_URL is set but the settings are the development ones "
        f"({DEVELOPMENT_SETTINGS}). Set DJANGO_SETTINGS_MODULE=comity.config.settings.prod for a deployment, "
        "or unset DATABASE_URL (COMITY_ALLOW_DEV_DATABASE_URL=1 allows a development database on purpose)."
    )


def main() -> None:
    refusal = refuse_development_settings_with_database_url()
    if refusal:
        sys.stderr.write(refusal + "\n")
        sys.exit(2)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEVELOPMENT_SETTINGS)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
