"""Pages: agenda, action items, minutes and registration decisions, with rejected input and hidden events."""

import datetime as dt

import pytest

from comity.mail.models import OutboxEmail
from comity.meetings.models import ActionItem, Event, Registration, RegistrationStatus, Session

pytestmark = pytest.mark.django_db


def _url(event, suffix):
    return f"/en/meetings/{event.pk}/{suffix}"


def test_session_add_saves_the_session_in_the_event_time_zone(personas, make_event):
    event = make_event()
    response = personas["secretariat"].post(
        _url(event, "sessions/"),
        {
            "title": "Opening",
            "start": "2030-03-10T14:00",
            "end": "2030-03-10T15:00",
            "room": "Board room",
            "speakers": "Chair",
            "documents": "https://docs.example.org/agenda.pdf",
        },
    )
    assert response.status_code == 302
    session = Session.objects.get(event=event)
    assert session.title == "Opening"
    assert session.start == dt.datetime(2030, 3, 10, 13, 0, tzinfo=dt.UTC)  # 14:00 in Vienna (CET)
    assert Event.objects.get(pk=event.pk).sequence == event.sequence + 1


@pytest.mark.parametrize(
    "data",
    [
        {"title": "Opening", "start": "2030-03-10T15:00", "end": "2030-03-10T14:00"},
        {"title": "Opening", "start": "2030-03-10T14:00", "end": "2030-03-10T15:00", "documents": "ftp://x"},
        {"title": "", "start": "not a date", "end": ""},
    ],
)
def test_session_add_rejects_bad_input_with_400_and_writes_nothing(personas, make_event, data):
    event = make_event()
    response = personas["secretariat"].post(_url(event, "sessions/"), data)
    assert response.status_code == 400
    assert not Session.objects.exists()
    assert Event.objects.get(pk=event.pk).sequence == event.sequence


def test_agenda_minutes_and_actions_are_hidden_from_non_organisers(personas, make_event, users):
    event = make_event()
    for suffix, data in (
        ("sessions/", {"title": "X", "start": "2030-03-10T14:00", "end": "2030-03-10T15:00"}),
        ("actions/", {"title": "X", "assignee": users["member"].pk, "due_date": "2030-04-01"}),
        ("minutes/", {"minutes": "Secret", "recordings": ""}),
    ):
        assert personas["member"].post(_url(event, suffix), data).status_code == 404
        assert personas["secretariat"].post(f"/en/meetings/99999/{suffix}", data).status_code == 404
    assert not Session.objects.exists()
    assert not ActionItem.objects.exists()
    assert Event.objects.get(pk=event.pk).minutes == ""


def test_action_add_assigns_and_mails_the_assignee(personas, make_event, users):
    event = make_event()
    before = OutboxEmail.objects.filter(to=users["member"].email).count()
    response = personas["secretariat"].post(
        _url(event, "actions/"), {"title": "Send the report", "assignee": users["member"].pk, "due_date": "2030-04-01"}
    )
    assert response.status_code == 302
    item = ActionItem.objects.get(event=event)
    assert (item.title, item.assignee_id, item.due_date) == ("Send the report", users["member"].pk, dt.date(2030, 4, 1))
    assert OutboxEmail.objects.filter(to=users["member"].email).count() == before + 1


def test_action_add_rejects_bad_input_and_inactive_assignees(personas, make_event, users):
    event = make_event()
    users["member_other"].is_active = False
    users["member_other"].save(update_fields=["is_active"])
    for data in (
        {"title": "  ", "assignee": users["member"].pk, "due_date": "2030-04-01"},
        {"title": "Report", "assignee": users["member_other"].pk, "due_date": "2030-04-01"},
        {"title": "Report", "assignee": users["member"].pk, "due_date": "soon"},
    ):
        response = personas["secretariat"].post(_url(event, "actions/"), data)
        assert response.status_code == 400
    assert not ActionItem.objects.exists()


def test_minutes_are_saved_and_bad_recording_links_rejected(personas, make_event):
    event = make_event()
    response = personas["secretariat"].post(
        _url(event, "minutes/"), {"minutes": "Agreed.", "recordings": "http://insecure.example/rec"}
    )
    assert response.status_code == 400
    assert "https://" in response.content.decode()
    event.refresh_from_db()
    assert (event.minutes, event.recordings) == ("", "")
    response = personas["secretariat"].post(
        _url(event, "minutes/"), {"minutes": "Agreed.", "recordings": "https://rec.example.org/1"}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.minutes, event.recordings) == ("Agreed.", "https://rec.example.org/1")


def test_registration_decide_approves_declines_and_refuses_bad_choices(personas, make_event, users):
    event = make_event(requires_approval=True)
    pending = Registration.objects.create(event=event, user=users["member"], status=RegistrationStatus.PENDING)
    other = Registration.objects.create(event=event, user=users["member_other"], status=RegistrationStatus.PENDING)
    url = f"/en/meetings/registrations/{pending.pk}/decide/"
    # Not an organiser: hidden.
    assert personas["member_other"].post(url, {"decision": "approve"}).status_code == 404
    # Neither approve nor decline: nothing changes.
    response = personas["secretariat"].post(url, {"decision": "maybe"}, follow=True)
    assert "Choose approve or decline." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == RegistrationStatus.PENDING
    assert personas["secretariat"].post(url, {"decision": "approve"}).status_code == 302
    pending.refresh_from_db()
    assert pending.status == RegistrationStatus.CONFIRMED
    # Deciding again is refused with a message, and the status stays.
    response = personas["secretariat"].post(url, {"decision": "decline"}, follow=True)
    assert "Only a registration awaiting approval can be decided." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == RegistrationStatus.CONFIRMED
    personas["secretariat"].post(f"/en/meetings/registrations/{other.pk}/decide/", {"decision": "decline"})
    other.refresh_from_db()
    assert other.status == RegistrationStatus.DECLINED


def test_registration_cancel_twice_reports_that_it_is_not_active(personas, make_event, users):
    event = make_event()
    registration = Registration.objects.create(event=event, user=users["member"], status=RegistrationStatus.CONFIRMED)
    url = f"/en/meetings/registrations/{registration.pk}/cancel/"
    assert personas["member"].post(url).status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    response = personas["member"].post(url, follow=True)
    assert "This registration is not active." in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_event_list_rejects_bad_filters_with_400_and_says_why(personas):
    response = personas["member"].get("/en/meetings/", {"network": "abc", "kind": "party", "region": "Asia"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Unknown network." in body
    assert "Unknown kind of event." in body
    assert "A region is a three-digit UN M49 code." in body


def test_event_cancel_page_cancels_once_then_reports(personas, make_event):
    event = make_event()
    url = _url(event, "cancel/")
    assert personas["secretariat"].post(url).status_code == 302
    assert Event.objects.get(pk=event.pk).status == "cancelled"
    response = personas["secretariat"].post(url, follow=True)
    assert "The event is already cancelled." in response.content.decode()
    assert Event.objects.get(pk=event.pk).status == "cancelled"


def test_funding_page_eligibility_is_for_the_secretariat_and_checks_input(personas, make_event, users, indonesia):
    from comity.meetings.models import FundingEligibility

    event = make_event()
    url = _url(event, "funding/")
    response = personas["secretariat"].post(url, {"form": "eligibility", "country": indonesia.pk, "reason": "  "})
    assert response.status_code == 400
    assert not FundingEligibility.objects.exists()
    response = personas["secretariat"].post(url, {"form": "eligibility", "country": indonesia.pk, "reason": "Flood"})
    assert response.status_code == 302
    assert FundingEligibility.objects.get(event=event).country_id == indonesia.pk
    response = personas["secretariat"].post(url, {"form": "eligibility", "country": indonesia.pk, "reason": "Again"})
    assert response.status_code == 400
    assert FundingEligibility.objects.filter(event=event).count() == 1
    response = personas["secretariat"].post(url, {"form": "other"})
    assert response.status_code == 400


@pytest.fixture
def funded(users, make_event, nepali):
    from comity.meetings import services

    event = make_event()
    services.budget_set(actor=users["secretariat"], event=event, currency="usd", amount="1000", daily_allowance="100")
    services.registration_register(actor=nepali, event=event)
    event.refresh_from_db()
    return event


def test_funding_request_page_rejects_bad_input_then_decision_page(personas, users, funded, nepali):
    from comity.meetings import services
    from comity.meetings.models import FundingRequest, FundingStatus

    url = _url(funded, "funding/request/")
    # Brazil is not a least developed country: the member's request is refused, and nothing is written.
    data = {"travel_amount": "400", "allowance_days": "3", "justification": "No budget."}
    assert personas["member"].post(url, data).status_code == 400
    response = personas["member"].post(url, {**data, "travel_amount": "-5"})
    assert response.status_code == 400
    assert not FundingRequest.objects.exists()
    row = services.funding_request_create(
        actor=nepali, event=funded, travel_amount="400", allowance_days=3, justification="No budget."
    )
    decide = f"/en/meetings/funding-requests/{row.pk}/decide/"
    # Someone who does not manage the event cannot decide.
    assert personas["member"].post(decide, {"decision": "approved"}).status_code == 404
    # A partial approval needs a reason: 400 and nothing changes.
    response = personas["secretariat"].post(decide, {"decision": "partly", "amount": "300"})
    assert response.status_code == 400
    row.refresh_from_db()
    assert row.status == FundingStatus.PENDING
    response = personas["secretariat"].post(decide, {"decision": "partly", "amount": "300", "reason": "Budget cap"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == FundingStatus.PARTLY
