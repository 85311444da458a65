import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from comity.directory.availability import (
    ClosurePeriod,
    Interval,
    Schedule,
    availability,
    holiday_name,
    next_opening,
    validate_office_hours,
)

T = dt.time
WEEKDAYS = range(5)
SPLIT = tuple(Interval(d, T(9), T(13)) for d in WEEKDAYS) + tuple(Interval(d, T(14), T(18)) for d in WEEKDAYS)


def at(zone, *args):
    return dt.datetime(*args, tzinfo=ZoneInfo(zone))


def test_open_in_the_morning_and_closed_at_lunch():
    schedule = Schedule("America/Sao_Paulo", SPLIT, country="BR")
    morning = availability(schedule, at("America/Sao_Paulo", 2026, 11, 24, 10, 30))
    assert (morning.status, morning.is_open) == ("open", True)
    assert morning.closes_at == at("America/Sao_Paulo", 2026, 11, 24, 13, 0)
    lunch = availability(schedule, at("America/Sao_Paulo", 2026, 11, 24, 13, 30))
    assert (lunch.status, lunch.is_open) == ("closed", False)
    assert lunch.next_open == at("America/Sao_Paulo", 2026, 11, 24, 14, 0)
    assert lunch.as_api() == {
        "open": False,
        "status": "closed",
        "local_time": "2026-11-24T13:30:00-03:00",
        "timezone": "America/Sao_Paulo",
        "holiday": None,
        "next_open": "2026-11-24T14:00:00-03:00",
    }


def test_viewer_time_converted():
    schedule = Schedule("Asia/Jakarta", SPLIT, country="ID")
    # 02:00 UTC on a Tuesday is 09:00 in Jakarta.
    result = availability(schedule, dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC))
    assert result.is_open
    assert result.local_time.isoformat() == "2026-11-24T09:00:00+07:00"


def test_friday_evening_next_open_is_monday():
    schedule = Schedule("Europe/Paris", SPLIT, country="FR")
    result = availability(schedule, at("Europe/Paris", 2026, 11, 27, 19, 0))
    assert result.status == "closed"
    assert result.next_open == at("Europe/Paris", 2026, 11, 30, 9, 0)


def test_national_holiday_in_two_languages():
    schedule = Schedule("America/Sao_Paulo", SPLIT, country="BR")
    tiradentes = at("America/Sao_Paulo", 2026, 4, 21, 10, 0)  # a Tuesday
    english = availability(schedule, tiradentes, language="en")
    assert (english.status, english.is_open, english.holiday) == ("holiday", False, "Tiradentes' Day")
    assert english.next_open == at("America/Sao_Paulo", 2026, 4, 22, 9, 0)
    assert availability(schedule, tiradentes, language="pt").holiday == "Tiradentes"


def test_holiday_subdivision():
    # 9 July is a holiday in the state of São Paulo only (Constitutionalist Revolution).
    assert holiday_name("BR", "SP", dt.date(2026, 7, 9), "en") is not None
    assert holiday_name("BR", "", dt.date(2026, 7, 9), "en") is None


def test_dst_spring_forward_paris():
    # Clocks go from 02:00 to 03:00 on Sunday 29 March 2026 in Paris; a 24/7-free weekday schedule.
    schedule = Schedule("Europe/Paris", SPLIT, country="FR")
    saturday = dt.datetime(2026, 3, 28, 12, 0, tzinfo=dt.UTC)
    result = availability(schedule, saturday)
    assert result.next_open == at("Europe/Paris", 2026, 3, 30, 9, 0)
    assert result.next_open.utcoffset() == dt.timedelta(hours=2)  # summer time on Monday
    # Same UTC instant is 09:00 local before the change and 10:00 after it.
    assert availability(schedule, dt.datetime(2026, 3, 27, 8, 0, tzinfo=dt.UTC)).is_open is True
    assert availability(schedule, dt.datetime(2026, 3, 30, 6, 30, tzinfo=dt.UTC)).is_open is False
    assert availability(schedule, dt.datetime(2026, 3, 30, 7, 0, tzinfo=dt.UTC)).is_open is True


def test_dst_interval_starting_in_the_gap():
    # A Sunday night shift starting at 02:30, a wall time that does not exist on 8 March 2026 in New York.
    schedule = Schedule("America/New_York", (Interval(6, T(2, 30), T(6)),), country="")
    result = availability(schedule, dt.datetime(2026, 3, 8, 5, 0, tzinfo=dt.UTC))  # 00:00 EST
    assert result.next_open == dt.datetime(2026, 3, 8, 7, 30, tzinfo=dt.UTC).astimezone(ZoneInfo("America/New_York"))


def test_dst_fall_back_new_york():
    schedule = Schedule("America/New_York", SPLIT, country="US")
    # Monday 2 November 2026, 09:30 local is 14:30 UTC (EST); the week before it was 13:30 UTC (EDT).
    assert availability(schedule, dt.datetime(2026, 11, 2, 14, 30, tzinfo=dt.UTC)).is_open is True
    assert availability(schedule, dt.datetime(2026, 11, 2, 13, 30, tzinfo=dt.UTC)).is_open is False
    assert availability(schedule, dt.datetime(2026, 10, 26, 13, 30, tzinfo=dt.UTC)).is_open is True


def test_schedule_past_midnight():
    night = (Interval(4, T(22), None), Interval(5, T(0), T(2)))
    schedule = Schedule("Asia/Tokyo", night, country="")
    friday = availability(schedule, at("Asia/Tokyo", 2026, 11, 27, 23, 0))
    assert friday.is_open
    assert friday.closes_at == at("Asia/Tokyo", 2026, 11, 28, 2, 0)
    saturday = availability(schedule, at("Asia/Tokyo", 2026, 11, 28, 1, 59))
    assert saturday.is_open
    after = availability(schedule, at("Asia/Tokyo", 2026, 11, 28, 2, 0))
    assert not after.is_open
    assert after.next_open == at("Asia/Tokyo", 2026, 12, 4, 22, 0)


def test_always_available():
    result = availability(Schedule("UTC", (), always=True), dt.datetime(2026, 12, 25, 3, 0, tzinfo=dt.UTC))
    assert (result.status, result.is_open, result.next_open) == ("always", True, None)


def test_closure_wins_and_next_open_after_it():
    closure = ClosurePeriod(dt.date(2026, 11, 23), dt.date(2026, 11, 27), "Office move")
    schedule = Schedule("Europe/Paris", SPLIT, country="FR", closures=(closure,))
    result = availability(schedule, at("Europe/Paris", 2026, 11, 25, 10, 0))
    assert (result.status, result.is_open, result.closure_reason) == ("closure", False, "Office move")
    assert result.next_open == at("Europe/Paris", 2026, 11, 30, 9, 0)


def test_no_office_hours_never_opens():
    result = availability(Schedule("UTC", ()), dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC))
    assert (result.status, result.next_open) == ("closed", None)
    assert next_opening(Schedule("UTC", ()), dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC)) is None


def test_naive_datetime_refused():
    with pytest.raises(ValueError):
        availability(Schedule("UTC", SPLIT), dt.datetime(2026, 1, 5, 10))


def test_validation_accepts_midnight_end_and_sorts():
    rows = [{"weekday": 4, "opens": "22:00", "closes": "24:00"}, {"weekday": 0, "opens": "09:00", "closes": "13:00"}]
    assert [i.as_dict() for i in validate_office_hours(rows)] == [
        {"weekday": 0, "opens": "09:00", "closes": "13:00"},
        {"weekday": 4, "opens": "22:00", "closes": "24:00"},
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("nope", "must be a list"),
        ([{"weekday": 7, "opens": "09:00", "closes": "10:00"}], "weekday must be a whole number"),
        ([{"weekday": True, "opens": "09:00", "closes": "10:00"}], "weekday must be a whole number"),
        ([{"weekday": 0, "opens": "9am", "closes": "10:00"}], "HH:MM"),
        ([{"weekday": 0, "opens": "18:00", "closes": "09:00"}], "closes must be later than opens"),
        ([{"weekday": 0, "opens": "09:00", "closes": "09:00"}], "closes must be later than opens"),
        (
            [{"weekday": 0, "opens": "09:00", "closes": "13:00"}, {"weekday": 0, "opens": "12:00", "closes": "15:00"}],
            "overlap",
        ),
        (["x"], "must be an object"),
    ],
)
def test_validation_rejects(rows, message):
    with pytest.raises(ValidationError) as info:
        validate_office_hours(rows)
    assert "office_hours" in info.value.message_dict
    assert message in " ".join(info.value.message_dict["office_hours"])


def test_night_shift_after_a_holiday_does_not_open_at_midnight():
    # Mexico, Monday 16 March 2026 is a public holiday (Benito Juárez's birthday, observed).
    night = tuple(Interval(d, T(16), None) for d in range(5)) + tuple(Interval(d, T(0), T(2)) for d in range(1, 6))
    schedule = Schedule("America/Mexico_City", night, country="MX")
    assert holiday_name("MX", "", dt.date(2026, 3, 16)) is not None
    tuesday_night = availability(schedule, at("America/Mexico_City", 2026, 3, 17, 1, 0))
    assert tuesday_night.is_open is False
    assert tuesday_night.next_open == at("America/Mexico_City", 2026, 3, 17, 16, 0)
    wednesday_night = availability(schedule, at("America/Mexico_City", 2026, 3, 18, 1, 0))
    assert wednesday_night.is_open is True
    assert next_opening(schedule, at("America/Mexico_City", 2026, 3, 16, 3, 0)) == at(
        "America/Mexico_City", 2026, 3, 17, 16, 0
    )
