"""The demo: drafts and requests in several states, enough between two pairs of States for the statistics."""

from __future__ import annotations

import pytest

from comity.accounts.tests.factories import UserFactory
from comity.requests import selectors
from comity.requests.demo import requests_demo_seed
from comity.requests.models import Draft, Request
from comity.requests.tests.conftest import mla_authority, seat

pytestmark = pytest.mark.django_db


def test_demo(world):
    for code in ("BR", "ID", "FR", "SA"):
        seat(UserFactory(email=f"demo.{code.lower()}@example.test", country=world[code]), mla_authority(code))
    result = requests_demo_seed()
    assert result == {"letter_models_created": 0, "drafts_created": 2, "requests_created": 13}
    assert len(set(Request.objects.values_list("status", flat=True))) == 9
    assert Draft.objects.filter(finalised_at__isnull=True).count() == 2
    br = selectors.statistics_for(requested=world["BR"])
    idn = selectors.statistics_for(requested=world["ID"])
    assert [(r.requesting and r.requesting.iso2, r.requests) for r in br] == [(None, 6), ("FR", 6)]
    assert [(r.requesting and r.requesting.iso2, r.requests) for r in idn] == [(None, 6), ("BR", 6)]
    assert selectors.statistics_for(requested=world["SA"]) == []
    assert requests_demo_seed()["requests_created"] == 0
