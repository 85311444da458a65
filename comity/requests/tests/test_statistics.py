"""Statistics per pair of States and type: medians and shares, suppressed below 5 requests, shown on the requested
State's legal profile as "typical time to execute"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from comity.requests import selectors, services
from comity.requests.models import Request
from comity.requests.tests.conftest import complete_draft

pytestmark = pytest.mark.django_db


def _requests(people, authorities, n, *, executed_after=(), refused=0):
    """n requests BR->ID; the first len(executed_after) are executed after those days (acknowledged after 2)."""
    base = timezone.now() - dt.timedelta(days=100)
    out = []
    for index in range(n):
        draft = complete_draft(author=people["br_member"], src=authorities["BR"], dst=authorities["ID"])
        request = services.draft_finalise(actor=people["br_member"], draft=draft, now=base)
        services.request_status_set(
            actor=people["id_member"], request=request, status="acknowledged", now=base + dt.timedelta(days=2 + index)
        )
        if index < len(executed_after):
            services.request_status_set(
                actor=people["id_member"],
                request=request,
                status="in_execution",
                now=base + dt.timedelta(days=3 + index),
            )
            services.request_status_set(
                actor=people["id_member"],
                request=request,
                status="executed",
                now=base + dt.timedelta(days=executed_after[index]),
            )
        elif index < len(executed_after) + refused:
            services.request_status_set(
                actor=people["id_member"],
                request=request,
                status="refused",
                note="Grounds",
                now=base + dt.timedelta(days=20),
            )
        out.append(request)
    return out


def test_suppressed_below_five(people, authorities, world, client):
    _requests(people, authorities, 4, executed_after=(10, 20, 30))
    assert selectors.statistics_for(requested=world["ID"]) == []
    page = client.get("/en/legal/countries/ID/").content.decode()
    assert "Median days to execute" not in page


def test_shown_from_five(people, authorities, world, client):
    _requests(people, authorities, 5, executed_after=(10, 20, 30), refused=1)
    rows = selectors.statistics_for(requested=world["ID"])
    assert [(r.requesting.iso2 if r.requesting else None, r.coop_type, r.requests) for r in rows] == [
        (None, "mla", 5),
        ("BR", "mla", 5),
    ]
    row = rows[1]
    assert row.median_days_to_acknowledge == 4.0  # 2, 3, 4, 5, 6
    assert row.median_days_to_execute == 20.0
    assert (row.share_executed, row.share_refused) == (0.6, 0.2)
    page = client.get("/en/legal/countries/ID/").content.decode()
    assert "Median days to execute" in page
    assert "<td>Brazil</td><td>5</td><td>4.0</td><td>20.0</td><td>60%</td><td>20%</td>" in page


def test_pairs_below_five_are_left_out_even_when_the_total_is_shown(people, authorities, world):
    _requests(people, authorities, 5)
    draft = complete_draft(author=people["fr_member"], src=authorities["FR"], dst=authorities["ID"])
    services.draft_finalise(actor=people["fr_member"], draft=draft)
    rows = selectors.statistics_for(requested=world["ID"])
    assert [(r.requesting.iso2 if r.requesting else None, r.requests) for r in rows] == [(None, 6), ("BR", 5)]
    assert Request.objects.count() == 6
