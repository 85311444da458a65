"""Fixtures of the meetings tests: a plenary space (for the events' threads), an LDC country and helpers."""

import datetime as dt

import pytest

from comity.accounts.tests.factories import UserFactory
from comity.forum import services as forum_services
from comity.forum.models import SpaceKind
from comity.meetings import services
from comity.reference.tests.factories import CountryFactory

START = dt.datetime(2030, 3, 10, 13, 0, tzinfo=dt.UTC)


@pytest.fixture
def plenary(users):
    return forum_services.space_create(actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Plenary")


@pytest.fixture
def nepal(db):
    return CountryFactory(iso2="NP", iso3="NPL", name_en="Nepal", is_ldc=True, region_m49="142")


@pytest.fixture
def nepali(nepal):
    return UserFactory(
        email="member.np@example.test", full_name="Nima Member", country=nepal, timezone="Asia/Kathmandu"
    )


def event_data(**overrides):
    data = {
        "kind": "hybrid",
        "title_original": "Plenary 2030",
        "titles": {"fr": "Plénière 2030"},
        "description_original": "The yearly plenary.",
        "descriptions": {},
        "language": "en",
        "languages": ["en", "fr"],
        "venue": "Vienna International Centre",
        "online_url": "https://meet.example.org/plenary",
        "start": START,
        "end": START + dt.timedelta(hours=3),
        "timezone": "Europe/Vienna",
        "region_m49": "",
        "audience": "members",
        "network": None,
        "space": None,
        "audience_spaces": [],
        "audience_networks": [],
        "audience_countries": [],
        "capacity": None,
        "requires_approval": False,
        "registration_fields": ["role", "dietary"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_event(users, plenary):
    def make(actor=None, **overrides):
        return services.event_create(actor=actor or users["secretariat"], data=event_data(**overrides))

    return make
