"""The planner on hand-made participants: Brasilia, Paris, Jakarta, Tokyo; a holiday, a closure, a DST change,
a 24/7 authority and members with and without a seat."""

import datetime as dt

import pytest

from comity.directory.models import Closure
from comity.directory.tests.factories import ContactFactory, SeatFactory
from comity.planner import selectors
from comity.planner.engine import plan, window_start
from comity.planner.selectors import PlanRequest, participants_of

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)


def _plan(authorities=(), users=(), begin=None, days=1, duration=HOUR):
    request = PlanRequest(authorities=list(authorities), users=list(users), duration=60, days=days, start=None)
    return plan(participants_of(request), duration=duration, begin=begin, days=days)


def _key(authority):
    return f"authority:{authority.pk}"


def _starts(slots):
    return sorted(slot.start for slot in slots)


@pytest.mark.django_db
def test_brasilia_and_paris_share_three_hours_a_day_and_slots_do_not_overlap(cities):
    brasilia, paris = cities["brasilia"], cities["paris"]
    slots = _plan([brasilia, paris], begin=dt.datetime(2026, 12, 7, tzinfo=UTC))  # a Monday
    # Paris 09-13/14-18 CET = 08-12/13-17 UTC; Brasilia 09-13/14-18 BRT = 12-16/17-21 UTC: 13:00-16:00 UTC.
    assert [s.start for s in slots[:3]] == [dt.datetime(2026, 12, 7, h, tzinfo=UTC) for h in (13, 14, 15)]
    best = slots[0]
    assert best.start == dt.datetime(2026, 12, 7, 13, tzinfo=UTC)
    assert best.inside_hours == [_key(brasilia), _key(paris)]
    assert best.outside_hours == [] and best.on_holiday == []
    assert best.as_api()["local"] == {
        _key(brasilia): "2026-12-07T10:00:00-03:00",
        _key(paris): "2026-12-07T14:00:00+01:00",
    }
    assert best.as_api()["start"] == "2026-12-07T13:00:00Z" and best.as_api()["end"] == "2026-12-07T14:00:00Z"
    assert [len(s.outside_hours) for s in slots[:3]] == [0, 0, 0]
    assert [len(s.outside_hours) for s in slots] == [0] * 3 + [1] * 10 + [2] * 7
    for first, second in zip(_starts(slots), _starts(slots)[1:], strict=False):
        assert second - first >= HOUR


@pytest.mark.django_db
def test_four_cities_best_slot_leaves_out_only_brasilia(cities):
    slots = _plan(cities.values(), begin=dt.datetime(2026, 12, 7, tzinfo=UTC))
    best = slots[0]
    # Paris 08-12 UTC, Jakarta 07-11 UTC (with its 06-07 lunch before), Tokyo 05-09 UTC: 08:00-09:00 UTC.
    assert best.start == dt.datetime(2026, 12, 7, 8, tzinfo=UTC)
    assert best.outside_hours == [_key(cities["brasilia"])]
    assert sorted(best.inside_hours) == sorted(_key(cities[c]) for c in ("paris", "jakarta", "tokyo"))
    assert best.as_api()["local"][_key(cities["tokyo"])] == "2026-12-07T17:00:00+09:00"
    assert best.as_api()["local"][_key(cities["jakarta"])] == "2026-12-07T15:00:00+07:00"
    assert len(slots) == 20
    assert [len(s.outside_hours) for s in slots] == sorted(len(s.outside_hours) for s in slots)


@pytest.mark.django_db
def test_public_holiday_in_one_country_is_avoided(cities):
    brasilia, paris = cities["brasilia"], cities["paris"]
    # Wednesday 11 November 2026 is Armistice Day in France.
    slots = _plan([brasilia, paris], begin=dt.datetime(2026, 11, 10, tzinfo=UTC), days=3)
    days = {slot.start.date() for slot in slots if not slot.outside_hours}
    assert days == {dt.date(2026, 11, 10), dt.date(2026, 11, 12)}
    assert all(slot.on_holiday == [] for slot in slots)
    assert not any(slot.local[_key(paris)].date() == dt.date(2026, 11, 11) for slot in slots), (
        "no slot on the French holiday"
    )


@pytest.mark.django_db
def test_holiday_slots_are_offered_only_when_nothing_else_exists(cities):
    brasilia, paris = cities["brasilia"], cities["paris"]
    Closure.objects.create(
        authority=paris, start_date=dt.date(2026, 12, 7), end_date=dt.date(2026, 12, 9), reason="Move"
    )
    slots = _plan([brasilia, paris], begin=dt.datetime(2026, 12, 8, tzinfo=UTC))
    assert slots, "the fallback still proposes slots"
    assert all(slot.on_holiday == [_key(paris)] for slot in slots)
    assert slots[0].reasons == {_key(paris): "Move"}
    assert slots[0].inside_hours == [_key(brasilia)]  # Brasilia's hours rank first among the fallbacks
    # Armistice Day alone (no closure) also falls back to holiday slots for a window inside it
    fallback = _plan([paris], begin=dt.datetime(2026, 11, 10, 23, tzinfo=UTC), days=1, duration=dt.timedelta(hours=23))
    assert [s.on_holiday for s in fallback] == [[_key(paris)]]


@pytest.mark.django_db
def test_dst_change_inside_the_window_moves_the_shared_hours(cities):
    brasilia, paris = cities["brasilia"], cities["paris"]
    # Europe moves to summer time on Sunday 28 March 2027; Brazil keeps UTC-3.
    slots = _plan([brasilia, paris], begin=dt.datetime(2027, 3, 25, tzinfo=UTC), days=6)
    inside = [s for s in slots if not s.outside_hours]
    thursday = sorted(s.start.hour for s in inside if s.start.date() == dt.date(2027, 3, 25))
    tuesday = sorted(s.start.hour for s in inside if s.start.date() == dt.date(2027, 3, 30))
    assert thursday == [13, 14, 15]  # 14:00-17:00 CET
    assert tuesday == [12, 13, 14, 15]  # Paris now opens an hour earlier in UTC: 14:00 CEST is 12:00 UTC
    tuesday_first = next(s for s in inside if s.start == dt.datetime(2027, 3, 30, 12, tzinfo=UTC))
    assert tuesday_first.as_api()["local"][_key(paris)] == "2027-03-30T14:00:00+02:00"
    thursday_first = next(s for s in inside if s.start == dt.datetime(2027, 3, 25, 13, tzinfo=UTC))
    assert thursday_first.as_api()["local"][_key(paris)] == "2027-03-25T14:00:00+01:00"
    # Good Friday (Brazil), the weekend and Easter Monday (France) offer nothing inside both.
    assert {s.start.date() for s in inside} == {dt.date(2027, 3, 25), dt.date(2027, 3, 30)}


@pytest.mark.django_db
def test_an_authority_that_is_24_7_is_always_inside(cities):
    brasilia, paris, jakarta = cities["brasilia"], cities["paris"], cities["jakarta"]
    jakarta.always_available = True
    jakarta.save(update_fields=["always_available"])
    slots = _plan([brasilia, paris, jakarta], begin=dt.datetime(2026, 12, 7, tzinfo=UTC))
    assert all(_key(jakarta) in s.inside_hours for s in slots)
    assert [s.start for s in slots[:3]] == [dt.datetime(2026, 12, 7, h, tzinfo=UTC) for h in (13, 14, 15)]
    # Christmas in Indonesia does not keep a 24/7 authority away either.
    christmas = _plan([jakarta], begin=dt.datetime(2026, 12, 25, tzinfo=UTC))
    assert all(s.on_holiday == [] and s.outside_hours == [] for s in christmas)


@pytest.mark.django_db
def test_people_follow_their_seat_or_their_profile(cities, users):
    member, other = users["member"], users["member_other"]
    # Bruno holds a seat at the Paris authority but works from Tokyo; Dewi has no seat: profile zone and hours.
    ContactFactory(seat=SeatFactory(authority=cities["paris"]), user=member, timezone="Asia/Tokyo")
    other.timezone = "Asia/Jakarta"
    other.save(update_fields=["timezone"])
    request = selectors.parse_request(user=member, data={"users": [f"{member.pk},{other.pk}"], "authorities": []})
    people = {p.key: p.schedule for p in participants_of(request)}
    assert people[f"user:{member.pk}"].timezone == "Asia/Tokyo"
    assert people[f"user:{member.pk}"].country == "FR"  # the seat's holidays
    assert people[f"user:{other.pk}"].timezone == "Asia/Jakarta"
    assert people[f"user:{other.pk}"].country == "ID"
    slots = plan(participants_of(request), duration=HOUR, begin=dt.datetime(2026, 12, 7, tzinfo=UTC), days=1)
    # Tokyo 09-13/14-18 = 00-04/05-09 UTC; Jakarta profile 09-17 = 02-10 UTC.
    assert slots[0].start == dt.datetime(2026, 12, 7, 2, tzinfo=UTC)
    assert slots[0].outside_hours == []


def test_window_starts_at_midnight_in_the_organisers_zone_or_at_the_next_half_hour():
    assert window_start(
        start_date=dt.date(2026, 12, 7), zone_name="Asia/Tokyo", now=dt.datetime(2026, 1, 1, tzinfo=UTC)
    ) == dt.datetime(2026, 12, 6, 15, tzinfo=UTC)
    assert window_start(
        start_date=None, zone_name="UTC", now=dt.datetime(2026, 12, 6, 21, 7, 30, tzinfo=UTC)
    ) == dt.datetime(2026, 12, 6, 21, 30, tzinfo=UTC)
