"""The demo events: a past plenary with minutes and action items, an upcoming hybrid meeting with registrations and
funding requests from least developed countries; idempotent."""

from decimal import Decimal

import pytest

from comity.demo.services import demo_seed
from comity.meetings.demo import HYBRID_TITLE, PLENARY_TITLE, meetings_demo_seed
from comity.meetings.models import Event
from comity.reference.services import reference_load

pytestmark = pytest.mark.django_db


def test_meetings_demo(db):
    reference_load()
    assert demo_seed()["events_created"] == 2  # the orchestrator seeds the events
    assert meetings_demo_seed() == {"events_created": 0, "skipped": []}  # and a second run adds nothing
    plenary = Event.objects.get(title_original=PLENARY_TITLE)
    assert (plenary.is_past, plenary.is_demo, plenary.thread is not None) == (True, True, True)
    assert (plenary.sessions.count(), plenary.action_items.count(), bool(plenary.minutes)) == (3, 3, True)
    hybrid = Event.objects.get(title_original=HYBRID_TITLE)
    assert (hybrid.kind, hybrid.is_past) == ("hybrid", False)
    requests = list(hybrid.funding_requests.order_by("pk").values_list("country__iso2", "country__is_ldc", "status"))
    assert requests == [("SN", True, "approved"), ("NP", True, "partly"), ("KH", True, "pending")]
    assert hybrid.budget_remaining == Decimal("12000.00") - Decimal("1850.00") - Decimal("1000.00")
    assert hybrid.registrations.count() == 7
    assert meetings_demo_seed() == {"events_created": 0, "skipped": []}
