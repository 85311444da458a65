"""The private thread and file shelf of a request: the forum's private consultation for both authorities, TLP:RED,
opened once; the request detail page's queries do not grow with its history."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comity.audit.models import AuditEvent
from comity.forum.models import Space, SpaceAuthority
from comity.requests import services
from comity.requests.tests.conftest import complete_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(people, authorities):
    draft = complete_draft(author=people["br_member"], src=authorities["BR"], dst=authorities["ID"])
    return services.draft_finalise(actor=people["br_member"], draft=draft)


def test_the_thread_is_opened_once_for_both_authorities(record, clients, authorities):
    response = clients["id_member"].post(f"/en/requests/{record.pk}/thread/")
    space = Space.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/s/{space.slug}/")
    assert (space.kind, space.default_tlp, space.name) == ("private", "red", f"Request no. {record.pk}")
    assert set(SpaceAuthority.objects.filter(space=space).values_list("authority_id", flat=True)) == {
        authorities["BR"].pk,
        authorities["ID"].pk,
    }
    assert clients["br_member"].post(f"/en/requests/{record.pk}/thread/").status_code == 302
    assert Space.objects.count() == 1
    assert clients["br_member"].get(f"/en/forum/s/{space.slug}/").status_code == 200
    assert clients["jp_member"].get(f"/en/forum/s/{space.slug}/").status_code == 404
    assert AuditEvent.objects.filter(action="requests.thread_opened").count() == 1


def test_detail_queries_do_not_grow_with_the_history(nothing_kept, record, clients, people):
    client = clients["br_member"]
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/en/requests/{record.pk}/").status_code == 200
    for status in ("received", "acknowledged", "in_execution", "partially_executed"):
        services.request_status_set(actor=people["id_member"], request=record, status=status)
    with CaptureQueriesContext(connection) as more:
        assert client.get(f"/en/requests/{record.pk}/").status_code == 200
    assert len(more.captured_queries) == len(few.captured_queries)
