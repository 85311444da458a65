"""The audit log page: who sees what, filters, time zones, bad input, pagination and query counts."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from comity.audit.models import AuditAction, AuditEvent
from comity.audit.permissions import events_visible_to
from comity.audit.tests.factories import AuditEventFactory
from comity.core.i18n import format_dt
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def list_url(**params) -> str:
    url = reverse("audit:event_list")
    return url + ("?" + urlencode(params) if params else "")


def shown(response) -> list[int]:
    """The seqs of the events on the page, in page order."""
    assert response.status_code == 200
    return [int(seq) for seq in re.findall(r'<tr id="event-(\d+)">', response.content.decode())]


@pytest.fixture
def events(users):
    """Events in three countries and none; seq in brackets.

    [1] BR member login       2025-03-09 12:00 UTC
    [2] ID member login       2025-03-10 01:30 UTC
    [3] BR role change        2025-03-10 01:30 UTC  (2025-03-09 22:30 in São Paulo)
    [4] -- failed sign-in     2025-03-11 09:00 UTC
    [5] FR invitation         2025-03-12 23:59:59.999999 UTC
    """
    specs = [
        (AuditAction.LOGIN_SUCCEEDED, users["member"], "BR", dt.datetime(2025, 3, 9, 12, 0, tzinfo=UTC)),
        (AuditAction.LOGIN_SUCCEEDED, users["member_other"], "ID", dt.datetime(2025, 3, 10, 1, 30, tzinfo=UTC)),
        (AuditAction.USER_ROLE_CHANGED, users["secretariat"], "BR", dt.datetime(2025, 3, 10, 1, 30, tzinfo=UTC)),
        (AuditAction.LOGIN_FAILED, None, "", dt.datetime(2025, 3, 11, 9, 0, tzinfo=UTC)),
        (
            AuditAction.INVITATION_SENT,
            users["secretariat"],
            "FR",
            dt.datetime(2025, 3, 12, 23, 59, 59, 999999, tzinfo=UTC),
        ),
    ]
    return [
        AuditEventFactory(
            action=action,
            actor=actor,
            country=country,
            at=at,
            details={"email": "someone@example.test"} if actor is None else {},
        )
        for action, actor, country, at in specs
    ]


def test_permission_matrix(personas, events):
    check_matrix(
        personas,
        "GET",
        list_url(),
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


def test_anonymous_is_sent_to_sign_in(personas):
    response = personas["anonymous"].get(list_url())
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=/en/audit/"


def test_other_methods_are_refused(personas):
    assert personas["member"].post(list_url()).status_code == 404
    assert personas["secretariat"].post(list_url()).status_code == 405


def test_secretariat_sees_every_event_newest_first(personas, events):
    response = personas["secretariat"].get(list_url())
    assert shown(response) == [5, 4, 3, 2, 1]
    assert "You see every event." in response.content.decode()


def test_coordinator_sees_only_their_countrys_events(personas, events):
    response = personas["coordinator"].get(list_url())
    assert shown(response) == [3, 1]
    assert "You see the events of: Brazil (BR)." in response.content.decode()
    assert shown(personas["coordinator_other"].get(list_url())) == [2]


def test_coordinator_cannot_reach_other_countries_by_filtering(personas, events):
    assert shown(personas["coordinator"].get(list_url(country="ID"))) == []
    assert shown(personas["coordinator"].get(list_url(action=AuditAction.INVITATION_SENT.value))) == []


def test_events_visible_to_each_persona(users, events):
    seqs = {name: sorted(events_visible_to(user).values_list("seq", flat=True)) for name, user in users.items()}
    assert seqs == {
        "secretariat": [1, 2, 3, 4, 5],
        "coordinator": [1, 3],
        "coordinator_other": [2],
        "member": [],
        "member_other": [],
        "moderator": [],
        "liaison": [],
        "observer": [],
    }


def test_deactivated_secretariat_sees_nothing(users, events):
    users["secretariat"].is_active = False
    assert list(events_visible_to(users["secretariat"])) == []


def test_coordinator_without_countries_sees_nothing(users, events):
    users["coordinator"].coordinated_countries.clear()
    users["coordinator"].__dict__.pop("_coordinated_codes", None)
    assert list(events_visible_to(users["coordinator"])) == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"actor": "MEMBER.br@"}, [1]),
        ({"actor": "example.test"}, [5, 3, 2, 1]),
        ({"actor": "nobody"}, []),
        ({"action": AuditAction.LOGIN_SUCCEEDED.value}, [2, 1]),
        ({"country": "br"}, [3, 1]),
        ({"country": "FR"}, [5]),
        ({"date_from": "2025-03-10"}, [5, 4, 3, 2]),
        ({"date_to": "2025-03-09"}, [1]),
        ({"date_from": "2025-03-12", "date_to": "2025-03-12"}, [5]),
        ({"date_from": "2025-03-10", "date_to": "2025-03-11", "action": AuditAction.LOGIN_SUCCEEDED.value}, [2]),
    ],
)
def test_filters(personas, events, params, expected):
    assert shown(personas["secretariat"].get(list_url(**params))) == expected


def test_dates_are_days_in_the_viewers_time_zone(personas, users, events):
    users["secretariat"].timezone = "America/Sao_Paulo"  # UTC-3
    users["secretariat"].save(update_fields=["timezone"])
    client = personas["secretariat"]
    # [2] and [3] happened at 01:30 UTC on the 10th, which is 22:30 on the 9th in São Paulo.
    assert shown(client.get(list_url(date_to="2025-03-09"))) == [3, 2, 1]
    assert shown(client.get(list_url(date_from="2025-03-10"))) == [5, 4]
    # [5] is 20:59 on the 12th in São Paulo.
    assert shown(client.get(list_url(date_from="2025-03-12", date_to="2025-03-12"))) == [5]


def test_times_are_shown_in_the_viewers_zone_with_the_zone_named(personas, users, events):
    users["secretariat"].timezone = "Asia/Tokyo"
    users["secretariat"].save(update_fields=["timezone"])
    response = personas["secretariat"].get(list_url())
    html = response.content.decode()
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        expected = format_dt(events[0].created_at, "short")
    assert expected == "Mar 9, 2025, 9:00\u202fPM (Tokyo, UTC+09:00)"  # 12:00 UTC is 21:00 in Tokyo
    assert f'<tr id="event-1">\n      <td>1</td>\n      <td>{expected}</td>' in html
    assert "Times are shown in your time zone, <bdi>Tokyo, UTC+09:00</bdi>." in html


def test_row_contents(personas, events):
    html = personas["secretariat"].get(list_url(country="BR")).content.decode()
    row = re.search(r'<tr id="event-3">(.*?)</tr>', html, re.S).group(1)
    assert "Sam Secretariat<br>secretariat@example.test" in row
    assert "Role changed<br><code>user.role_changed</code>" in row
    assert "Brazil (BR)" in row
    failed = re.search(
        r'<tr id="event-4">(.*?)</tr>', personas["secretariat"].get(list_url()).content.decode(), re.S
    ).group(1)
    assert "<td>—</td>" in failed
    assert "<code>{&#34;email&#34;: &#34;someone@example.test&#34;}</code>" in failed


def test_event_text_is_escaped(personas, users):
    AuditEventFactory(
        country="BR",
        target_type="x",
        target_id="<script>alert(1)</script>",
        details={"note": "<img src=x onerror=alert(1)>"},
    )
    html = personas["secretariat"].get(list_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "2025-13-40"}, "date_from", "Enter a valid date."),
        ({"date_to": "yesterday"}, "date_to", "Enter a valid date."),
        ({"date_from": "2025-03-12", "date_to": "2025-03-10"}, "date_to", "The end date is before the start date."),
        ({"date_from": "0001-01-01"}, "date_from", "Enter a date between 1970-01-01 and 9998-12-31."),
        ({"date_to": "9999-12-31"}, "date_to", "Enter a date between 1970-01-01 and 9998-12-31."),
        ({"country": "B1"}, "country", "Enter a two-letter ISO country code, such as BR."),
        ({"country": "BRA"}, "country", "Ensure this value has at most 2 characters (it has 3)."),
        (
            {"action": "audit.deleted"},
            "action",
            "Select a valid choice. audit.deleted is not one of the available choices.",
        ),
    ],
)
def test_bad_filter_input_shows_a_form_error(personas, events, params, field, message):
    response = personas["secretariat"].get(list_url(**params))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<ul class="errors" id="id_{field}_errors"><li>{message}</li></ul>' in html
    assert 'aria-invalid="true"' in html
    assert re.findall(r'<tr id="event-(\d+)">', html) == []
    assert "Correct the filters above to see events." in html
    assert AuditEvent.objects.count() == 5


def test_pagination_keeps_the_filters(personas, users):
    for n in range(55):
        AuditEventFactory(country="BR", details={"n": n})
    AuditEventFactory(country="FR")
    client = personas["secretariat"]
    first = client.get(list_url(country="BR"))
    assert shown(first) == list(range(55, 5, -1))
    html = first.content.decode()
    assert "55 events" in html
    assert "Page 1 of 2" in html
    assert 'href="?country=BR&amp;page=2" rel="next"' in html
    second = client.get(list_url(country="BR", page=2))
    assert shown(second) == [5, 4, 3, 2, 1]
    assert 'href="?country=BR&amp;page=1" rel="prev"' in second.content.decode()
    assert shown(client.get(list_url(country="BR", page="abc"))) == list(range(55, 5, -1))
    assert shown(client.get(list_url(country="BR", page=99))) == [5, 4, 3, 2, 1]


def test_export_link_carries_the_filters(personas, events):
    html = personas["secretariat"].get(list_url(country="BR", page=1)).content.decode()
    assert f'href="{reverse("audit:event_export")}?country=BR"' in html


def _count_list_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["secretariat", "coordinator"])
def test_query_count_does_not_grow_with_the_events(nothing_kept, personas, users, persona):
    actors = [users["member"], users["coordinator"], users["secretariat"], None, users["liaison"]]
    for n in range(5):
        AuditEventFactory(actor=actors[n % 5], country="BR")
    client = personas[persona]
    url = list_url()
    client.get(url)  # warm the session
    with_5 = _count_list_queries(client, url)
    for n in range(45):
        AuditEventFactory(actor=actors[n % 5], country="BR")
    with_50 = _count_list_queries(client, url)
    assert len(shown(client.get(url))) == 50
    # session, user, second-factor device, tracked session, (the coordinator's countries), count, one page of
    # events joined to their actors; the session is not saved (nothing in it changed)
    expected = {"secretariat": 6, "coordinator": 7}[persona]
    assert (with_5, with_50) == (expected, expected)
