"""CSV export: who may export, what is in it, formula injection, re-authentication, and its own audit event."""

from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils.http import urlencode as django_urlencode

from comity.audit.export import CSV_COLUMNS, neutralize
from comity.audit.models import AuditAction, AuditEvent
from comity.audit.selectors import audit_chain_verify
from comity.audit.tests.factories import AuditEventFactory
from comity.core import context
from comity.core.decorators import REAUTH_AT
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def export_url(**params) -> str:
    return reverse("audit:event_export") + ("?" + urlencode(params) if params else "")


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


def exports() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.AUDIT_EXPORTED).order_by("seq"))


@pytest.fixture
def events(users):
    """[1] BR login, [2] ID login, [3] BR role change, [4] FR invitation."""
    return [
        AuditEventFactory(
            action=AuditAction.LOGIN_SUCCEEDED,
            actor=users["member"],
            country="BR",
            at=dt.datetime(2025, 3, 9, 12, 0, 0, 123456, tzinfo=UTC),
        ),
        AuditEventFactory(
            action=AuditAction.LOGIN_SUCCEEDED,
            actor=users["member_other"],
            country="ID",
            at=dt.datetime(2025, 3, 10, 1, 30, tzinfo=UTC),
        ),
        AuditEventFactory(
            action=AuditAction.USER_ROLE_CHANGED,
            actor=users["secretariat"],
            country="BR",
            target=users["member"],
            details={"from": "member", "to": "coordinator"},
            at=dt.datetime(2025, 3, 10, 1, 30, tzinfo=UTC),
        ),
        AuditEventFactory(
            action=AuditAction.INVITATION_SENT,
            actor=users["secretariat"],
            country="FR",
            at=dt.datetime(2025, 3, 12, 8, 0, tzinfo=UTC),
        ),
    ]


def test_permission_matrix(personas, users, events):
    check_matrix(
        personas,
        "GET",
        export_url(),
        {
            "anonymous": 302,
            "member": 404,
            "member_other": 404,
            "moderator": 404,
            "liaison": 404,
            "observer": 404,
            "coordinator": 200,
            "coordinator_other": 200,
            "secretariat": 200,
        },
    )
    assert [(e.actor, e.country_code) for e in exports()] == [
        (users["coordinator"], "BR"),
        (users["coordinator_other"], "ID"),
        (users["secretariat"], ""),
    ]


def test_denied_exports_write_nothing(personas, events):
    for name in ("anonymous", "member", "member_other", "moderator"):
        personas[name].get(export_url())
    assert AuditEvent.objects.count() == 4


def test_anonymous_is_sent_to_sign_in(personas):
    response = personas["anonymous"].get(export_url(country="BR"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=/en/audit/export/%3Fcountry%3DBR"


def test_secretariat_export_content(personas, users, events):
    response = personas["secretariat"].get(export_url())
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="comity-audit-')
    rows = read_csv(response)
    role_change = events[2]
    assert rows[0] == CSV_COLUMNS
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4"]  # oldest first; not the export's own event
    assert rows[1][:3] == ["1", "2025-03-09T12:00:00.123456+00:00", "member.br@example.test"]
    assert rows[3] == [
        "3",
        "2025-03-10T01:30:00.000000+00:00",
        "secretariat@example.test",
        "user.role_changed",
        "accounts.user",
        str(users["member"].pk),
        "BR",
        "",
        "",
        "",
        '{"from":"member","to":"coordinator"}',
        role_change.hash,
    ]


def test_coordinator_exports_only_their_countrys_events(personas, events):
    rows = read_csv(personas["coordinator"].get(export_url()))
    assert [(row[0], row[6]) for row in rows[1:]] == [("1", "BR"), ("3", "BR")]
    assert read_csv(personas["coordinator"].get(export_url(country="ID")))[1:] == []


def test_export_applies_the_filters(personas, events):
    rows = read_csv(
        personas["secretariat"].get(export_url(action=AuditAction.LOGIN_SUCCEEDED.value, date_from="2025-03-10"))
    )
    assert [row[0] for row in rows[1:]] == ["2"]
    rows = read_csv(personas["secretariat"].get(export_url(actor="secretariat@")))
    assert [row[0] for row in rows[1:]] == ["3", "4", "5"]  # [5] is the first export


def test_export_writes_exactly_one_audit_event(personas, users, events):
    users["secretariat"].timezone = "Europe/Paris"
    users["secretariat"].save(update_fields=["timezone"])
    response = personas["secretariat"].get(export_url(country="br", date_from="2025-03-01", date_to="2025-03-31"))
    read_csv(response)
    [record] = exports()
    assert AuditEvent.objects.count() == 5
    assert (record.seq, record.actor, record.actor_label, record.country_code) == (
        5,
        users["secretariat"],
        "secretariat@example.test",
        "BR",
    )
    assert record.details == {
        "format": "csv",
        "filters": {
            "actor": "",
            "action": "",
            "country": "BR",
            "date_from": "2025-03-01",
            "date_to": "2025-03-31",
            "time_zone": "Europe/Paris",
        },
    }
    assert record.request_id == response["X-Request-ID"]
    assert audit_chain_verify().count == 5


def test_a_later_export_includes_the_earlier_export(personas, events):
    read_csv(personas["secretariat"].get(export_url()))
    rows = read_csv(personas["secretariat"].get(export_url(action=AuditAction.AUDIT_EXPORTED.value)))
    assert [(row[0], row[3]) for row in rows[1:]] == [("5", "audit.exported")]
    assert len(exports()) == 2


def test_export_without_recent_reauthentication_asks_for_it(personas, events):
    client = personas["secretariat"]
    session = client.session
    session[REAUTH_AT] = 0
    session.save()
    response = client.get(export_url(country="BR"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:reauth") + "?" + django_urlencode(
        {"next": "/en/audit/export/?country=BR"}
    )
    assert AuditEvent.objects.count() == 4


def test_member_without_recent_reauthentication_gets_404_not_a_prompt(personas, events):
    client = personas["member"]
    session = client.session
    session[REAUTH_AT] = 0
    session.save()
    assert client.get(export_url()).status_code == 404
    assert AuditEvent.objects.count() == 4


def test_export_with_bad_filters_writes_nothing(personas, events):
    response = personas["secretariat"].get(export_url(date_from="2025-02-30"))
    assert response.status_code == 400
    assert '<ul class="errors" id="id_date_from_errors"><li>Enter a valid date.</li></ul>' in response.content.decode()
    assert AuditEvent.objects.count() == 4


def test_export_refuses_post(personas, events):
    assert personas["secretariat"].post(export_url()).status_code == 405
    assert AuditEvent.objects.count() == 4


def test_cells_that_a_spreadsheet_would_run_are_neutralized(personas, users):
    token = context.set_current(
        context.RequestContext(request_id="req-0000001", ip="192.0.2.1", user_agent="-2+3+cmd|' /C calc'!A0")
    )
    try:
        AuditEventFactory(
            country="BR", target_type='=HYPERLINK("http://evil.test")', target_id="@SUM(1+1)", details={"note": "=1+1"}
        )
    finally:
        context.reset(token)
    [_header, row] = read_csv(personas["secretariat"].get(export_url()))
    assert row[4:10] == [
        '\'=HYPERLINK("http://evil.test")',
        "'@SUM(1+1)",
        "BR",
        "192.0.2.1",
        "'-2+3+cmd|' /C calc'!A0",
        "req-0000001",
    ]
    assert row[10] == '{"note":"=1+1"}'


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        ("", ""),
        (None, ""),
        (12, "12"),
        ("'quoted", "'quoted"),
    ],
)
def test_neutralize(value, cell):
    assert neutralize(value) == cell


def test_export_streams_in_batches(personas, events, monkeypatch):
    from comity.audit import views

    monkeypatch.setattr(views, "EXPORT_BATCH_SIZE", 2)
    rows = read_csv(personas["secretariat"].get(export_url()))
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4"]
