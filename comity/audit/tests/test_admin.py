"""The audit log in the admin is read-only, even for the secretariat."""

from __future__ import annotations

import pytest

from comity.audit.models import AuditAction, AuditEvent
from comity.audit.selectors import audit_chain_verify
from comity.audit.tests.factories import AuditEventFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/audit/auditevent/"


@pytest.fixture
def event(users):
    return AuditEventFactory(
        action=AuditAction.USER_ROLE_CHANGED, actor=users["secretariat"], country="BR", details={"to": "coordinator"}
    )


def test_secretariat_can_list_and_view(personas, event):
    client = personas["secretariat"]
    listing = client.get(LIST)
    assert listing.status_code == 200
    assert "secretariat@example.test" in listing.content.decode()
    assert f'href="{LIST}"' in client.get("/admin/").content.decode()
    detail = client.get(f"{LIST}{event.pk}/change/")
    assert detail.status_code == 200
    assert 'type="submit"' not in detail.content.decode().split('id="auditevent_form"')[1].split("</form>")[0]


def test_nobody_can_add_change_or_delete(personas, event):
    client = personas["secretariat"]
    before = (AuditEvent.objects.get().hash, AuditEvent.objects.count())
    assert client.get(f"{LIST}add/").status_code == 403
    assert client.post(f"{LIST}add/", {"seq": 2, "action": "auth.login"}).status_code == 403
    assert client.post(f"{LIST}{event.pk}/change/", {"country_code": "ID"}).status_code == 403
    assert client.get(f"{LIST}{event.pk}/delete/").status_code == 403
    assert client.post(f"{LIST}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(LIST, {"action": "delete_selected", "_selected_action": [event.pk]}).status_code == 200
    assert (AuditEvent.objects.get().hash, AuditEvent.objects.count()) == before
    assert audit_chain_verify().ok


def test_non_staff_cannot_reach_it(personas, event):
    for name in ("anonymous", "member", "coordinator"):
        response = personas[name].get(LIST)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/admin/login/"), name
