"""iCalendar output parsed by two independent libraries (icalendar and vobject), field by field; the personal feed."""

import datetime as dt
import re
import zoneinfo

import icalendar
import pytest
import vobject
from django.test import Client

from comity.audit.models import AuditAction, AuditEvent
from comity.meetings import services
from comity.meetings.models import CalendarFeed
from comity.meetings.tests.conftest import START, event_data

pytestmark = pytest.mark.django_db

VIENNA = zoneinfo.ZoneInfo("Europe/Vienna")


def _get(client, event):
    response = client.get(f"/api/v1/events/{event.pk}/ics/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content.decode()


def test_event_ics_field_by_field_in_both_parsers(personas, users, make_event):
    event = make_event()
    text = _get(personas["member"], event)

    cal = icalendar.Calendar.from_ical(text)
    assert (str(cal["VERSION"]), str(cal["PRODID"])) == ("2.0", "-//Comity//Meetings//EN")
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Vienna"
    [vevent] = cal.walk("VEVENT")
    assert str(vevent["UID"]) == f"{event.uid}@comity"
    assert vevent.decoded("DTSTART") == START.astimezone(VIENNA)
    assert vevent["DTSTART"].params["TZID"] == "Europe/Vienna"
    assert vevent.decoded("DTEND") == (START + dt.timedelta(hours=3)).astimezone(VIENNA)
    assert str(vevent["SUMMARY"]) == "Plenary 2030"
    assert int(vevent["SEQUENCE"]) == 0
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["LOCATION"]) == "Vienna International Centre / https://meet.example.org/plenary"
    assert str(vevent["URL"]).endswith(f"/en/meetings/{event.pk}/")

    parsed = vobject.readOne(text)
    assert parsed.vtimezone.tzid.value == "Europe/Vienna"
    assert parsed.vevent.uid.value == f"{event.uid}@comity"
    assert parsed.vevent.dtstart.value == START.astimezone(VIENNA)
    assert parsed.vevent.dtstart.value.utcoffset() == dt.timedelta(hours=1)
    assert parsed.vevent.dtend.value.astimezone(dt.UTC) == START + dt.timedelta(hours=3)
    assert parsed.vevent.summary.value == "Plenary 2030"
    assert parsed.vevent.sequence.value == "0"
    assert parsed.vevent.status.value == "CONFIRMED"


def test_update_keeps_uid_raises_sequence_and_cancel_gives_status_cancelled(personas, users, make_event):
    event = make_event()
    first = vobject.readOne(_get(personas["member"], event)).vevent
    event = services.event_update(
        actor=users["secretariat"], event=event, data=event_data(start=START + dt.timedelta(hours=1))
    )
    second = icalendar.Calendar.from_ical(_get(personas["member"], event)).walk("VEVENT")[0]
    assert (str(second["UID"]), int(second["SEQUENCE"])) == (first.uid.value, 1)
    assert second.decoded("DTSTART").astimezone(dt.UTC) == START + dt.timedelta(hours=1)
    services.event_cancel(actor=users["secretariat"], event=event)
    third = vobject.readOne(_get(personas["member"], event)).vevent
    assert (third.uid.value, third.sequence.value, third.status.value) == (first.uid.value, "2", "CANCELLED")


def test_ics_follows_the_events_visibility(personas, users, make_event, indonesia):
    restricted = make_event(audience="restricted", audience_countries=[indonesia])
    public = make_event(audience="public")
    assert personas["anonymous"].get(f"/api/v1/events/{restricted.pk}/ics/").status_code == 404
    assert personas["member"].get(f"/api/v1/events/{restricted.pk}/ics/").status_code == 404
    assert personas["member_other"].get(f"/api/v1/events/{restricted.pk}/ics/").status_code == 200
    assert personas["anonymous"].get(f"/api/v1/events/{public.pk}/ics/").status_code == 200
    assert personas["anonymous"].get(f"/en/meetings/{public.pk}/event.ics").status_code == 200
    assert personas["anonymous"].get(f"/en/meetings/{restricted.pk}/event.ics").status_code == 404


def _feed_url(client) -> str:
    response = client.post("/en/meetings/calendar/", {"action": "create"})
    assert response.status_code == 200
    return re.search(r"/en/meetings/feed/[A-Za-z0-9_-]+\.ics", response.content.decode()).group(0)


def test_personal_feed_shows_only_my_visible_events_and_stops_when_revoked(personas, users, make_event, indonesia):
    member = users["member"]
    mine = make_event(title_original="Mine")
    make_event(title_original="Not registered")
    hidden = make_event(title_original="Hidden now", audience="restricted", audience_countries=[indonesia])
    services.registration_register(actor=member, event=mine)
    # Registered once, then the audience changed: the feed must not reveal it any more.
    hidden.registrations.create(user=member, status="confirmed")
    hidden.registrations.filter(user=member).update(status="cancelled")
    url = _feed_url(personas["member"])
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert CalendarFeed.objects.get(user=member).token_hash == services.feed_token_hash(token)
    assert token not in str(list(CalendarFeed.objects.values_list("token_hash", flat=True)))
    anonymous = Client()
    response = anonymous.get(url)
    assert response.status_code == 200
    summaries = [str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")]
    assert summaries == ["Mine"]
    assert AuditEvent.objects.filter(action=AuditAction.CALENDAR_FEED_CREATED, actor=member).count() == 1

    personas["member"].post("/en/meetings/calendar/", {"action": "revoke"})
    assert anonymous.get(url).status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.CALENDAR_FEED_REVOKED, actor=member).count() == 1


def test_feed_stops_when_the_user_is_deactivated(personas, users, make_event):
    url = _feed_url(personas["member"])
    assert Client().get(url).status_code == 200
    users["member"].is_active = False
    users["member"].save()
    assert Client().get(url).status_code == 404
    assert Client().get("/en/meetings/feed/cal_guessed.ics").status_code == 404


def test_the_online_link_is_for_members_only(personas, make_event):
    event = make_event(audience="public")
    anonymous = vobject.readOne(personas["anonymous"].get(f"/api/v1/events/{event.pk}/ics/").content.decode())
    member = vobject.readOne(_get(personas["member"], event))
    assert anonymous.vevent.location.value == "Vienna International Centre"
    assert member.vevent.location.value == "Vienna International Centre / https://meet.example.org/plenary"
