"""Registers: each authority sees its incoming and outgoing requests with filters and an audited CSV export; the
secretariat sees counts only. Query counts do not grow with the rows."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comity.audit.models import AuditEvent
from comity.requests import services
from comity.requests.tests.conftest import complete_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(people, authorities):
    out = []
    for author, src, dst in (("br_member", "BR", "ID"), ("br_member", "BR", "ID"), ("fr_member", "FR", "BR")):
        draft = complete_draft(author=people[author], src=authorities[src], dst=authorities[dst])
        out.append(services.draft_finalise(actor=people[author], draft=draft))
    services.request_status_set(actor=people["id_member"], request=out[0], status="received")
    return out


def test_filters(clients, records):
    client = clients["br_member"]
    page = client.get("/en/requests/register/").content.decode()
    assert page.count('href="/en/requests/') - page.count('href="/en/requests/register') >= 3
    outgoing = client.get("/en/requests/register/?direction=outgoing").content.decode()
    incoming = client.get("/en/requests/register/?direction=incoming").content.decode()
    assert f'/en/requests/{records[2].pk}/"' in incoming and f'/en/requests/{records[2].pk}/"' not in outgoing
    assert f'/en/requests/{records[0].pk}/"' in outgoing
    received = client.get("/en/requests/register/?status=received").content.decode()
    assert f'/en/requests/{records[0].pk}/"' in received and f'/en/requests/{records[1].pk}/"' not in received
    response = client.get("/en/requests/register/?country=12")
    assert response.status_code == 400
    assert "Enter a two-letter ISO code." in response.content.decode()


def test_csv_export_is_audited(clients, records):
    response = clients["br_member"].get("/en/requests/register.csv?direction=outgoing")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "requesting_country", "requested_country"]
    assert sorted(int(r[0]) for r in rows[1:]) == sorted([records[0].pk, records[1].pk])
    event = AuditEvent.objects.get(action="requests.register_exported")
    assert event.details == {"direction": "outgoing", "rows": 2, "filters": {"direction": "outgoing"}}
    assert clients["secretariat"].get("/en/requests/register.csv").status_code == 404
    assert clients["jp_member"].get("/en/requests/register.csv").status_code == 200


def test_register_query_count_does_not_grow(nothing_kept, clients, records, people, authorities):
    client = clients["br_member"]
    with CaptureQueriesContext(connection) as few:
        assert client.get("/en/requests/register/").status_code == 200
    for _ in range(3):
        draft = complete_draft(author=people["br_member"], src=authorities["BR"], dst=authorities["ID"])
        services.draft_finalise(actor=people["br_member"], draft=draft)
    with CaptureQueriesContext(connection) as more:
        assert client.get("/en/requests/register/").status_code == 200
    assert len(more.captured_queries) == len(few.captured_queries)
