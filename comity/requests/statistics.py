"""What the requests give the legal portal: measured times per pair of States and type, for country profiles.

Only groups of at least five requests are shown (`selectors.MIN_FOR_STATISTICS`), so that no single case can be
identified. No content and no reference of any request leaves this module."""

from __future__ import annotations

from django.db.models import Max

from comity.requests import selectors
from comity.requests.models import Request


def typical_times(*, country) -> list[dict]:
    return [
        {
            "coop_type": row.coop_type,
            "requesting": row.requesting.name if row.requesting else "",
            "requests": row.requests,
            "median_days_to_acknowledge": row.median_days_to_acknowledge,
            "median_days_to_execute": row.median_days_to_execute,
            "share_executed": row.share_executed,
            "share_refused": row.share_refused,
        }
        for row in selectors.statistics_for(requested=country)
    ]


def typical_times_changed(*, iso2: str):
    """When the requests to a country last changed (their statistics move with them)."""
    return Request.objects.filter(requested_country__iso2=iso2).aggregate(latest=Max("updated_at"))["latest"]
