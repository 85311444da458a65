"""Status transitions: the table decides who may set what from what; everything else is refused with 400 and a
clear message, changes nothing and writes no audit event. Each change is notified to the other side and audited."""

from __future__ import annotations

import pytest

from comity.audit.models import AuditEvent
from comity.requests import services, transitions
from comity.requests.models import Notice, Request, Status
from comity.requests.tests.conftest import Unchanged, complete_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_br_id(people, authorities):
    draft = complete_draft(author=people["br_member"], src=authorities["BR"], dst=authorities["ID"])
    return services.draft_finalise(actor=people["br_member"], draft=draft)


def _post(client, request, status, note=""):
    return client.post(
        f"/api/v1/requests/{request.pk}/status/", {"status": status, "note": note}, content_type="application/json"
    )


def test_the_whole_lifecycle_through_the_api(request_br_id, clients, people):
    Notice.objects.all().delete()
    for status in ("received", "acknowledged", "in_execution", "partially_executed", "executed"):
        response = _post(clients["id_member"], request_br_id, status)
        assert response.status_code == 200, response.content
        assert response.json()["status"] == status
    request_br_id.refresh_from_db()
    assert request_br_id.received_at and request_br_id.acknowledged_at and request_br_id.closed_at
    assert [h.to_status for h in request_br_id.history.all()] == [
        "sent",
        "received",
        "acknowledged",
        "in_execution",
        "partially_executed",
        "executed",
    ]
    events = AuditEvent.objects.filter(action="requests.status_changed", target_id=str(request_br_id.pk))
    assert [e.details["to"] for e in events.order_by("seq")] == [
        "received",
        "acknowledged",
        "in_execution",
        "partially_executed",
        "executed",
    ]
    # each change told the requesting side (Brazil's seat holders and coordinator), never the side that made it
    assert Notice.objects.filter(user=people["br_member"]).count() == 5
    assert Notice.objects.filter(user=people["br_coordinator"]).count() == 5
    assert Notice.objects.filter(user=people["id_member"]).count() == 0


@pytest.mark.parametrize(
    ("path", "client_name", "status", "message"),
    [
        (
            ["received", "acknowledged", "in_execution", "executed"],
            "id_member",
            "sent",
            "A request cannot go from “Executed” to “Sent”.",
        ),
        (
            ["received", "acknowledged", "in_execution"],
            "br_member",
            "executed",
            "Only the requested authority may set “Executed”.",
        ),
        ([], "id_member", "withdrawn", "Only the requesting authority may set “Withdrawn”."),
        (["refused"], "br_member", "withdrawn", "A request cannot go from “Refused” to “Withdrawn”."),
        ([], "br_member", "bogus", "Unknown status: bogus."),
    ],
)
def test_forbidden_transitions_are_refused(request_br_id, clients, path, client_name, status, message):
    for step in path:
        note = "Dual criminality is not met" if step == "refused" else ""
        assert _post(clients["id_member"], request_br_id, step, note).status_code == 200
    request_br_id.refresh_from_db()
    before = Unchanged(request_br_id)
    response = _post(clients[client_name], request_br_id, status)
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["status"] == [message]
    before.check()


def test_a_refusal_needs_its_grounds(request_br_id, clients):
    before = Unchanged(request_br_id)
    response = _post(clients["id_member"], request_br_id, "refused")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["note"] == ["Give the grounds for refusal."]
    before.check()
    assert _post(clients["id_member"], request_br_id, "refused", "Dual criminality is not met").status_code == 200
    assert Request.objects.get().refusal_grounds == "Dual criminality is not met"


def test_the_page_refuses_with_a_form_error(request_br_id, clients):
    before = Unchanged(request_br_id)
    response = clients["br_member"].post(f"/en/requests/{request_br_id.pk}/status/", {"status": "executed"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "A request cannot go from “Sent” to “Executed”." in page
    assert 'aria-invalid="true"' in page
    before.check()
    response = clients["id_member"].post(f"/en/requests/{request_br_id.pk}/status/", {"status": "received"})
    assert response.status_code == 302
    assert Request.objects.get().status == Status.RECEIVED


def test_the_table_is_closed_and_one_sided():
    for closed in (Status.EXECUTED, Status.REFUSED, Status.WITHDRAWN):
        assert transitions.TRANSITIONS[closed] == {}
    requesting = {
        t for targets in transitions.TRANSITIONS.values() for t, side in targets.items() if side == "requesting"
    }
    assert requesting == {Status.WITHDRAWN}
    assert transitions.targets_for(Status.SENT, {"requesting"}) == [Status.WITHDRAWN]
