"""Services: events, registration and the waiting list, funding, reminders and the start page's contract."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from comity.accounts.tests.factories import UserFactory
from comity.audit.models import AuditAction, AuditEvent
from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.forum.models import Thread
from comity.mail.models import OutboxEmail
from comity.meetings import selectors, services, tasks
from comity.meetings.models import Event, FundingRequest, Registration, RegistrationStatus
from comity.meetings.tests.conftest import START, event_data
from comity.testing import Unchanged

pytestmark = pytest.mark.django_db


class NoWrite(Unchanged):
    tables = (Event, Registration, FundingRequest, OutboxEmail)


def test_create_opens_a_thread_audits_and_names_the_organiser(users, make_event, plenary):
    event = make_event()
    assert event.thread is not None
    assert Thread.objects.get(pk=event.thread_id).space_id == plenary.pk
    assert list(event.organisers.all()) == [users["secretariat"]]
    audit = AuditEvent.objects.get(action=AuditAction.EVENT_CREATED)
    assert (audit.actor_id, audit.target_id) == (users["secretariat"].pk, str(event.pk))
    with translation.override("fr"):
        assert event.title == "Plénière 2030"
    with translation.override("es"):
        assert event.title == "Plenary 2030"


def test_create_invites_users_and_contact_points_of_authorities(users, make_event, indonesia):
    authority = AuthorityFactory(country=indonesia)
    ContactFactory(seat__authority=authority, user=users["member_other"])
    ContactFactory(seat__authority=authority, user=None)
    hidden = AuthorityFactory(country=indonesia, is_active=False)
    ContactFactory(seat__authority=hidden, user=users["coordinator_other"])
    event = services.event_create(
        actor=users["liaison"],
        data=event_data(network=users["liaison"].liaison_networks.get()),
        invite_users=[users["member"].pk],
        invite_authorities=[authority.pk, hidden.pk],
    )
    invited = set(event.registrations.filter(status=RegistrationStatus.INVITED).values_list("user_id", flat=True))
    assert invited == {users["member"].pk, users["member_other"].pk}
    assert OutboxEmail.objects.filter(to__in=["member.br@example.test", "member.id@example.test"]).count() == 2
    assert selectors.upcoming_events_for(user=users["member_other"]) == [event]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"title_original": "  "}, "title_original"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"end": START}, "end"),
        ({"end": START + dt.timedelta(days=40)}, "end"),
        ({"start": None}, "start"),
        ({"kind": "in_person", "venue": ""}, "venue"),
        ({"kind": "virtual", "online_url": ""}, "online_url"),
        ({"online_url": "http://insecure.example"}, "online_url"),
        ({"audience": "everyone"}, "audience"),
        ({"audience": "restricted"}, "audience"),
        ({"capacity": 0}, "capacity"),
        ({"registration_fields": ["shoe_size"]}, "registration_fields"),
        ({"language": "xx"}, "language"),
        ({"titles": {"de": "Plenum"}}, "titles"),
        ({"region_m49": "Asia"}, "region_m49"),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(users, plenary, overrides, field):
    before = NoWrite()
    with pytest.raises(ValidationError) as caught:
        services.event_create(actor=users["secretariat"], data=event_data(**overrides))
    assert field in caught.value.message_dict
    before.check()


def test_only_organisers_create_and_a_liaison_only_for_their_network(users, plenary, iberred):
    for name in ("member", "coordinator", "observer", "member_other"):
        with pytest.raises(PermissionDenied):
            services.event_create(actor=users[name], data=event_data())
    with pytest.raises(ValidationError) as caught:
        services.event_create(actor=users["liaison"], data=event_data())
    assert "network" in caught.value.message_dict
    from comity.reference.tests.factories import NetworkFactory

    other = NetworkFactory(slug="wacap", acronym="WACAP")
    with pytest.raises(ValidationError):
        services.event_create(actor=users["liaison"], data=event_data(network=other))
    assert services.event_create(actor=users["liaison"], data=event_data(network=iberred)).network == iberred


def test_update_raises_sequence_and_cancel_marks_cancelled(users, make_event):
    event = make_event()
    assert event.sequence == 0
    event = services.event_update(actor=users["secretariat"], event=event, data=event_data(venue="Room B"))
    assert (event.sequence, event.venue) == (1, "Room B")
    with pytest.raises(PermissionDenied):
        services.event_cancel(actor=users["member"], event=event)
    event = services.event_cancel(actor=users["secretariat"], event=event)
    assert (event.status, event.sequence) == ("cancelled", 2)
    assert AuditEvent.objects.filter(action=AuditAction.EVENT_CANCELLED, target_id=str(event.pk)).count() == 1
    with pytest.raises(ValidationError):
        services.event_cancel(actor=users["secretariat"], event=event)


def test_waiting_list_moves_up_on_cancellation(users, make_event):
    event = make_event(capacity=2)
    first = services.registration_register(actor=users["member"], event=event)
    second = services.registration_register(actor=users["member_other"], event=event)
    third = services.registration_register(actor=users["coordinator"], event=event)
    fourth = services.registration_register(actor=users["coordinator_other"], event=event)
    assert [r.status for r in (first, second, third, fourth)] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    services.registration_cancel(actor=users["member"], registration=first)
    statuses = dict(event.registrations.values_list("user__email", "status"))
    assert statuses == {
        "member.br@example.test": "cancelled",
        "member.id@example.test": "confirmed",
        "coord.br@example.test": "confirmed",
        "coord.id@example.test": "waitlisted",
    }
    assert OutboxEmail.objects.filter(to="coord.br@example.test", subject__startswith="Registration confirmed").exists()
    with pytest.raises(ValidationError):
        services.registration_register(actor=users["member_other"], event=event)


def test_approval_flow_and_decline_frees_the_seat(users, make_event):
    event = make_event(capacity=1, requires_approval=True)
    pending = services.registration_register(actor=users["member"], event=event)
    waiting = services.registration_register(actor=users["member_other"], event=event)
    assert (pending.status, waiting.status) == ("pending", "waitlisted")
    with pytest.raises(PermissionDenied):
        services.registration_decide(actor=users["member_other"], registration=pending, approve=True)
    services.registration_decide(actor=users["secretariat"], registration=pending, approve=False)
    waiting.refresh_from_db()
    assert waiting.status == "pending"
    services.registration_decide(actor=users["secretariat"], registration=waiting, approve=True)
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert AuditEvent.objects.filter(action=AuditAction.EVENT_REGISTRATION_DECIDED).count() == 2
    with pytest.raises(ValidationError):
        services.registration_decide(actor=users["secretariat"], registration=waiting, approve=True)


def test_registration_keeps_only_the_fields_asked_and_rejects_bad_languages(users, make_event):
    event = make_event(registration_fields=["dietary", "languages"])
    with pytest.raises(ValidationError) as caught:
        services.registration_register(actor=users["member"], event=event, data={"languages": ["klingon"]})
    assert "languages" in caught.value.message_dict
    assert not Registration.objects.exists()
    registration = services.registration_register(
        actor=users["member"], event=event, data={"dietary": "vegetarian", "role": "ignored", "visa_letter": True}
    )
    assert (registration.dietary, registration.role, registration.visa_letter) == ("vegetarian", "", False)


def test_observers_and_past_events_cannot_register(users, make_event):
    with pytest.raises(PermissionDenied):
        services.registration_register(actor=users["observer"], event=make_event())
    past = make_event(start=START - dt.timedelta(days=9000), end=START - dt.timedelta(days=8999))
    with pytest.raises(PermissionDenied):
        services.registration_register(actor=users["member"], event=past)


# --- funding -----------------------------------------------------------------------------------------------------


@pytest.fixture
def funded(users, make_event, nepali):
    event = make_event()
    services.budget_set(actor=users["secretariat"], event=event, currency="usd", amount="1000", daily_allowance="100")
    services.registration_register(actor=nepali, event=event)
    event.refresh_from_db()
    return event


def test_funding_request_and_decisions(users, funded, nepali):
    request = services.funding_request_create(
        actor=nepali, event=funded, travel_amount="400", allowance_days=3, justification="No travel budget."
    )
    assert request.requested_amount == Decimal("700.00")
    before = NoWrite(funded)
    for bad in (
        {"decision": "maybe"},
        {"decision": "partly", "amount": "700", "reason": "x"},
        {"decision": "partly", "amount": "0", "reason": "x"},
        {"decision": "partly", "amount": "300"},
        {"decision": "declined"},
        {"decision": "partly", "amount": "abc", "reason": "x"},
    ):
        with pytest.raises(ValidationError):
            services.funding_decide(actor=users["secretariat"], request=request, **bad)
    with pytest.raises(PermissionDenied):
        services.funding_decide(actor=users["member"], request=request, decision="approved")
    before.check()
    decided = services.funding_decide(
        actor=users["secretariat"], request=request, decision="partly", amount="500", reason="Economy fare."
    )
    funded.refresh_from_db()
    assert (decided.status, decided.approved_amount, funded.budget_remaining) == ("partly", Decimal("500.00"), 500)
    audit = AuditEvent.objects.get(action=AuditAction.FUNDING_DECIDED)
    assert (audit.country_code, audit.details["amount"]) == ("NP", "500.00")
    assert OutboxEmail.objects.filter(to=nepali.email, subject__startswith="Funding partly approved").count() == 1
    with pytest.raises(ValidationError):
        services.funding_decide(actor=users["secretariat"], request=decided, decision="approved")
    report = selectors.funding_report(funded)
    assert [(line.region, line.participants, line.amount) for line in report] == [("142", 1, Decimal("500.00"))]
    with pytest.raises(ValidationError) as caught:
        services.budget_set(actor=users["secretariat"], event=funded, currency="USD", amount="400", daily_allowance=1)
    assert "amount" in caught.value.message_dict


def test_approval_above_the_remaining_budget_is_refused(users, funded, nepali, nepal):
    other = UserFactory(email="np2@example.test", country=nepal)
    services.registration_register(actor=other, event=funded)
    one = services.funding_request_create(
        actor=nepali, event=funded, travel_amount="700", allowance_days=0, justification="a"
    )
    two = services.funding_request_create(
        actor=other, event=funded, travel_amount="700", allowance_days=0, justification="b"
    )
    services.funding_decide(actor=users["secretariat"], request=one, decision="approved")
    with pytest.raises(ValidationError) as caught:
        services.funding_decide(actor=users["secretariat"], request=two, decision="approved")
    assert "amount" in caught.value.message_dict
    funded.refresh_from_db()
    two.refresh_from_db()
    assert (funded.budget_remaining, two.status) == (Decimal("300.00"), "pending")


def test_eligibility_ldc_and_added_countries(users, funded, brazil):
    member = users["member"]
    services.registration_register(actor=member, event=funded)
    with pytest.raises(ValidationError) as caught:
        services.funding_request_create(
            actor=member, event=funded, travel_amount="1", allowance_days=0, justification="x"
        )
    assert "event" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        services.eligibility_add(actor=users["liaison"], event=funded, country=brazil, reason="x")
    with pytest.raises(ValidationError):
        services.eligibility_add(actor=users["secretariat"], event=funded, country=brazil, reason=" ")
    services.eligibility_add(actor=users["secretariat"], event=funded, country=brazil, reason="Donor decision 2030/4")
    assert AuditEvent.objects.filter(action=AuditAction.EVENT_ELIGIBILITY_ADDED, country_code="BR").count() == 1
    request = services.funding_request_create(
        actor=member, event=funded, travel_amount="1", allowance_days=0, justification="x"
    )
    assert request.country == brazil


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"travel_amount": "-1"}, "travel_amount"),
        ({"travel_amount": "NaN"}, "travel_amount"),
        ({"allowance_days": 61}, "allowance_days"),
        ({"allowance_days": "x"}, "allowance_days"),
        ({"justification": ""}, "justification"),
        ({"travel_amount": "0", "allowance_days": 0}, "travel_amount"),
    ],
)
def test_funding_request_rejected_inputs(funded, nepali, values, field):
    data = {"travel_amount": "10", "allowance_days": 1, "justification": "why", **values}
    with pytest.raises(ValidationError) as caught:
        services.funding_request_create(actor=nepali, event=funded, **data)
    assert field in caught.value.message_dict
    assert not FundingRequest.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"currency": "dollars"}, "currency"),
        ({"amount": "-5"}, "amount"),
        ({"daily_allowance": "x"}, "daily_allowance"),
    ],
)
def test_budget_rejected_inputs(users, make_event, values, field):
    event = make_event()
    data = {"currency": "USD", "amount": "10", "daily_allowance": "1", **values}
    with pytest.raises(ValidationError) as caught:
        services.budget_set(actor=users["secretariat"], event=event, **data)
    assert field in caught.value.message_dict
    event.refresh_from_db()
    assert event.budget_amount == 0


# --- reminders ---------------------------------------------------------------------------------------------------


def test_reminders_at_the_participants_local_morning(users, make_event):
    event = make_event(start=START, end=START + dt.timedelta(hours=2))  # 13:00 UTC
    tokyo, paris = users["member"], users["member_other"]
    tokyo.timezone, tokyo.preferred_language = "Asia/Tokyo", "fr"
    tokyo.save()
    paris.timezone = "Europe/Paris"
    paris.save()
    for user in (tokyo, paris):
        services.registration_register(actor=user, event=event)
    OutboxEmail.objects.all().delete()
    # The day before, 23:30 UTC: 08:30 in Tokyo, 00:30 in Paris (Paris gets it at 08:00 its time, before 13:00 UTC).
    assert tasks.send_due_reminders(now=START - dt.timedelta(hours=13, minutes=30)) == 1
    mail = OutboxEmail.objects.get()
    # In the participant's language (the title's French translation; the catalogue is translated at merge).
    assert (mail.to, mail.subject.endswith(": Plénière 2030")) == (tokyo.email, True)
    assert tasks.send_due_reminders(now=START - dt.timedelta(hours=13)) == 0
    assert tasks.send_due_reminders(now=START - dt.timedelta(hours=5)) == 1  # 08:00 in Paris
    assert OutboxEmail.objects.filter(to=paris.email).count() == 1
    assert tasks.send_due_reminders(now=START - dt.timedelta(hours=4)) == 0


def test_upcoming_events_for_lists_only_mine_and_visible(users, make_event, nepali):
    mine = make_event()
    make_event(title_original="Not mine")
    services.registration_register(actor=users["member"], event=mine)
    assert selectors.upcoming_events_for(user=users["member"]) == [mine]
    assert selectors.upcoming_events_for(user=users["member_other"]) == []
    assert [e.title_original for e in selectors.upcoming_events_for(user=users["secretariat"], limit=1)] == [
        "Plenary 2030"
    ]


def test_a_restricted_event_never_gets_its_thread_in_the_plenary(users, make_event, indonesia, iberred):
    from comity.forum import services as forum_services
    from comity.forum.models import SpaceKind

    assert make_event(audience="restricted", audience_countries=[indonesia]).thread is None
    network_space = forum_services.space_create(
        actor=users["secretariat"], kind=SpaceKind.NETWORK, name="IberRed", network=iberred
    )
    event = make_event(audience="restricted", audience_spaces=[network_space])
    assert event.thread.space == network_space


def test_a_cancelled_registration_no_longer_opens_a_restricted_event(users, make_event, indonesia):
    event = make_event(audience="restricted", audience_countries=[indonesia])
    registration = Registration.objects.create(event=event, user=users["member"], status="confirmed")
    assert selectors.event_get_for(user=users["member"], pk=event.pk) == event
    registration.status = "cancelled"
    registration.save()
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.event_get_for(user=users["member"], pk=event.pk)


def test_a_named_organiser_edits_without_organising_the_network(users, make_event, iberred):
    event = make_event(network=iberred)
    event.organisers.add(users["moderator"])
    updated = services.event_update(actor=users["moderator"], event=event, data=event_data(network=iberred, venue="B"))
    assert (updated.venue, updated.network) == ("B", iberred)
    with pytest.raises(PermissionDenied):
        services.event_update(actor=users["member"], event=event, data=event_data(network=iberred))
