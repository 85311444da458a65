"""Personas shared by the whole suite: one user per role, signed in with both factors."""

import pytest
from django.test import Client

from comity.accounts.models import Role
from comity.accounts.tests.factories import UserFactory
from comity.reference.tests.factories import CountryFactory, NetworkFactory
from comity.testing import sign_in


@pytest.fixture(autouse=True)
def _english_by_default():
    """Each test starts in English; a request to /pt/... must not leak its language into the next test."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def nothing_kept(monkeypatch):
    """Every kept value (comity.core.fragments: rendered fragments, per-person sets of spaces; the signed-in user's
    row, device and session) is computed afresh:
    for tests that count the queries of the full work, which a kept value would skip on some requests only."""
    from comity.core import fragments

    monkeypatch.setattr(fragments, "cached", lambda name, parts, compute, **options: compute())
    monkeypatch.setattr(fragments, "cached_apart_for", lambda name, parts, compute, **options: compute())
    # Who is signed in (comity.accounts.kept) is read afresh too.
    from comity.accounts import kept

    for memo in kept.MEMOS:
        monkeypatch.setattr(memo, "get", lambda key, load: load())


@pytest.fixture
def brazil(db):
    return CountryFactory(iso2="BR", name_en="Brazil")


@pytest.fixture
def indonesia(db):
    return CountryFactory(iso2="ID", name_en="Indonesia")


@pytest.fixture
def france(db):
    return CountryFactory(iso2="FR", name_en="France")


@pytest.fixture
def iberred(db, brazil):
    network = NetworkFactory(slug="iberred")
    network.members.add(brazil)
    return network


@pytest.fixture
def users(db, brazil, indonesia, france, iberred):
    """One user per role. Brazil is 'our' country, Indonesia the 'other' one."""
    people = {
        "secretariat": UserFactory(
            email="secretariat@example.test",
            full_name="Sam Secretariat",
            country=france,
            role=Role.SECRETARIAT,
            is_staff=True,
        ),
        "moderator": UserFactory(
            email="moderator@example.test", full_name="Mo Moderator", country=france, role=Role.MODERATOR
        ),
        "coordinator": UserFactory(
            email="coord.br@example.test",
            full_name="Clara Coordinator",
            country=brazil,
            role=Role.COORDINATOR,
            coordinated=[brazil],
        ),
        "coordinator_other": UserFactory(
            email="coord.id@example.test",
            full_name="Ida Coordinator",
            country=indonesia,
            role=Role.COORDINATOR,
            coordinated=[indonesia],
        ),
        "member": UserFactory(email="member.br@example.test", full_name="Bruno Member", country=brazil),
        "member_other": UserFactory(email="member.id@example.test", full_name="Dewi Member", country=indonesia),
        "liaison": UserFactory(
            email="liaison@example.test", full_name="Lia Liaison", country=brazil, role=Role.LIAISON
        ),
        "observer": UserFactory(
            email="observer@example.test", full_name="Otto Observer", country=france, role=Role.OBSERVER
        ),
    }
    people["liaison"].liaison_networks.set([iberred])
    return people


@pytest.fixture
def personas(users):
    """A signed-in client per role, plus an anonymous one."""
    clients = {"anonymous": Client()}
    for name, user in users.items():
        clients[name] = sign_in(Client(), user)
    return clients
