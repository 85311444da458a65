"""Reads of reference data."""

from __future__ import annotations

from comity.reference.models import Country, Network


def portal_stats() -> dict:
    return {"countries": Country.objects.count(), "networks": Network.objects.count()}
