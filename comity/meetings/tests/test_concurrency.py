"""Concurrent approvals on PostgreSQL: the budget never goes below zero, whatever the timing; concurrent registrations
never overfill the capacity."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Sum

from comity.accounts.tests.factories import UserFactory
from comity.meetings import services
from comity.meetings.models import Event, FundingRequest, Registration
from comity.meetings.tests.conftest import event_data

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks between connections need PostgreSQL"
)


def _run(workers: list[threading.Thread]) -> None:
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_approvals_never_overspend(users, plenary, nepal):
    event = services.event_create(actor=users["secretariat"], data=event_data())
    services.budget_set(actor=users["secretariat"], event=event, currency="USD", amount="1000", daily_allowance="0")
    organisers = [users["secretariat"], UserFactory(email="sec2@example.test", role="secretariat", country=nepal)]
    requests = []
    for index in range(6):
        person = UserFactory(email=f"np{index}@example.test", country=nepal)
        services.registration_register(actor=person, event=event)
        requests.append(
            services.funding_request_create(
                actor=person, event=event, travel_amount="300", allowance_days=0, justification="x"
            )
        )
    start = threading.Barrier(len(requests))
    outcomes: list[str] = []
    failures: list[BaseException] = []

    def approve(index: int) -> None:
        from django.core.exceptions import ValidationError

        try:
            start.wait()
            services.funding_decide(
                actor=organisers[index % 2],
                request=FundingRequest.objects.get(pk=requests[index].pk),
                decision="approved",
            )
            outcomes.append("approved")
        except ValidationError:
            outcomes.append("refused")
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connections.close_all()

    _run([threading.Thread(target=approve, args=(i,)) for i in range(len(requests))])
    assert failures == []
    assert sorted(outcomes) == ["approved"] * 3 + ["refused"] * 3
    event.refresh_from_db()
    approved = FundingRequest.objects.filter(event=event, status="approved").aggregate(total=Sum("approved_amount"))
    assert (event.budget_remaining, approved["total"]) == (Decimal("100.00"), Decimal("900.00"))


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_a_negative_budget(users, plenary):
    event = services.event_create(actor=users["secretariat"], data=event_data())
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(budget_remaining=Decimal("-1"))


@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_respect_the_capacity(users, plenary):
    event = services.event_create(actor=users["secretariat"], data=event_data(capacity=2))
    people = [UserFactory(email=f"p{i}@example.test") for i in range(5)]
    start = threading.Barrier(len(people))
    failures: list[BaseException] = []

    def register(person) -> None:
        try:
            start.wait()
            services.registration_register(actor=person, event=event)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connections.close_all()

    _run([threading.Thread(target=register, args=(p,)) for p in people])
    assert failures == []
    statuses = sorted(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses == ["confirmed"] * 2 + ["waitlisted"] * 3
