"""Two people acting at once (PostgreSQL): one status change wins, one request per draft, one reminder."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from comity.requests import services
from comity.requests.models import Request, StatusChange
from comity.requests.tests.conftest import complete_draft

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between connections need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _race(functions) -> tuple[list, list[BaseException]]:
    start = threading.Barrier(len(functions))
    results: list = []
    failures: list[BaseException] = []

    def run(function) -> None:
        try:
            start.wait()
            results.append(function())
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=run, args=(f,)) for f in functions]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results, failures


def test_one_status_change_wins(people, authorities):
    draft = complete_draft(author=people["br_member"], src=authorities["BR"], dst=authorities["ID"])
    request = services.draft_finalise(actor=people["br_member"], draft=draft)

    def set_to(status, note=""):
        return lambda: services.request_status_set(
            actor=people["id_member"], request=Request.objects.get(pk=request.pk), status=status, note=note
        )

    results, failures = _race([set_to("acknowledged"), set_to("refused", "Grounds")])
    assert len(results) == 1 and len(failures) == 1
    assert isinstance(failures[0], ValidationError)
    assert StatusChange.objects.filter(request=request).count() == 2


def test_one_request_per_draft(people, authorities):
    draft = complete_draft(author=people["br_member"], src=authorities["BR"], dst=authorities["ID"])
    results, failures = _race(
        [lambda: services.draft_finalise(actor=people["br_member"], draft=type(draft).objects.get(pk=draft.pk))] * 2
    )
    assert len(results) == 1 and len(failures) == 1
    assert Request.objects.count() == 1
