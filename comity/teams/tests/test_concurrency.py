"""Simultaneous writes to one team (PostgreSQL): version numbers stay a sequence, a double invitation makes one
membership."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from comity.teams import services
from comity.teams.models import DocumentVersion, TeamMember
from comity.teams.tests.conftest import pdf

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _together(count, work):
    start = threading.Barrier(count)
    outcomes: list = []

    def run(index):
        try:
            start.wait()
            outcomes.append(work(index))
        except BaseException as exc:  # reported by the caller
            outcomes.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes


def test_simultaneous_versions_get_distinct_numbers(team, users):
    first = services.document_add(actor=users["member"], team=team, title="Plan", filename="p.pdf", content=[pdf()])
    outcomes = _together(
        4,
        lambda i: services.document_version_add(
            actor=users["member"], document=first.document, filename=f"p{i}.pdf", content=[pdf(b"%d" % i)]
        ),
    )
    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    numbers = sorted(DocumentVersion.objects.filter(document=first.document).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5]


def test_a_double_invitation_makes_one_membership(team, users):
    outcomes = _together(2, lambda i: services.member_add(actor=users["coordinator"], team=team, user=users["liaison"]))
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert TeamMember.objects.filter(team=team, user=users["liaison"], state="active").count() == 1
