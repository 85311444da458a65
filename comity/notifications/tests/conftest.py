"""Fixtures for the notification tests: spaces, a real SMTP server on loopback, and strict error handling."""

from __future__ import annotations

import pytest

from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.forum import services as forum_services
from comity.forum.models import SpaceKind
from comity.testing.smtp import smtp_server  # noqa: F401 - fixture
from comity.testing.tasks import _immediate_tasks, _tasks_must_succeed  # noqa: F401 - fixtures


@pytest.fixture
def plenary(users):
    return forum_services.space_create(actor=users["secretariat"], kind=SpaceKind.PLENARY, name="Plenary")


@pytest.fixture
def private(users, brazil):
    """A private consultation of Brazil's member with the coordinator of Brazil only."""
    authority = AuthorityFactory(country=brazil)
    ContactFactory(seat__authority=authority, user=users["coordinator"])
    return forum_services.space_create(
        actor=users["member"], kind=SpaceKind.PRIVATE, name="BR draft request", invite_authorities=[authority]
    )
