"""The planner API and page: the answer's shape, every rejected input naming its parameter, who may plan."""

import datetime as dt
from urllib.parse import parse_qs

import pytest
from django.test import override_settings

from comity.directory.tests.factories import AuthorityFactory
from comity.planner import selectors
from comity.planner.engine import Slot
from comity.planner.selectors import PlanRequest

API = "/api/v1/planner/"


@pytest.mark.django_db
def test_api_answers_slots_in_the_documented_shape(personas, cities, users):
    paris, brasilia = cities["paris"], cities["brasilia"]
    users["member"].timezone = "UTC"
    users["member"].save(update_fields=["timezone"])
    response = personas["member"].get(
        API, {"authorities": f"{paris.pk},{brasilia.pk}", "duration": "60", "days": "1", "start": "2026-12-07"}
    )
    assert response.status_code == 200
    slots = response.json()["slots"]
    assert len(slots) == 20
    assert slots[0] == {
        "start": "2026-12-07T13:00:00Z",
        "end": "2026-12-07T14:00:00Z",
        "inside_hours": [f"authority:{paris.pk}", f"authority:{brasilia.pk}"],
        "outside_hours": [],
        "on_holiday": [],
        "local": {
            f"authority:{paris.pk}": "2026-12-07T14:00:00+01:00",
            f"authority:{brasilia.pk}": "2026-12-07T10:00:00-03:00",
        },
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "participants"),
        ({"authorities": "", "users": ""}, "participants"),
        ({"authorities": "PARIS"}, "authorities"),
        ({"authorities": "0"}, "authorities"),
        ({"authorities": "999999"}, "authorities"),
        ({"users": "999999"}, "users"),
        ({"users": "abc"}, "users"),
        ({"duration": "14"}, "duration"),
        ({"duration": "481"}, "duration"),
        ({"duration": "sixty"}, "duration"),
        ({"days": "32"}, "days"),
        ({"days": "0"}, "days"),
        ({"start": "07/12/2026"}, "start"),
    ],
)
def test_api_rejects_bad_input_naming_the_parameter(personas, cities, params, field):
    query = {"authorities": str(cities["paris"].pk), **params} if field not in ("participants",) else params
    if field == "users":
        query = {k: v for k, v in query.items() if k != "authorities"} | {"authorities": str(cities["paris"].pk)}
    response = personas["member"].get(API, query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]


@pytest.mark.django_db
def test_hidden_authority_and_deactivated_member_answer_like_unknown_ids(personas, users, brazil):
    hidden = AuthorityFactory(country=brazil, is_active=False)  # only editors of Brazil see an inactive one
    users["member_other"].is_active = False
    users["member_other"].save(update_fields=["is_active"])
    response = personas["member"].get(API, {"authorities": str(hidden.pk)})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"authorities": [f"No authority with the id {hidden.pk}."]}
    response = personas["member"].get(API, {"users": str(users["member_other"].pk)})
    assert response.json()["error"]["fields"] == {"users": [f"No member with the id {users['member_other'].pk}."]}
    # the coordinator of Brazil edits Brazil, so they see the inactive authority and may plan with it
    assert personas["coordinator"].get(API, {"authorities": str(hidden.pk), "days": "1"}).status_code == 200


@pytest.mark.django_db
def test_api_and_page_are_for_members_only(personas, cities):
    assert personas["anonymous"].get(API, {"authorities": str(cities["paris"].pk)}).status_code == 401
    page = personas["anonymous"].get("/en/planner/")
    assert page.status_code == 302 and "/login" in page["Location"]


@pytest.mark.django_db
def test_page_plans_and_shows_each_local_time_with_the_zone_named(personas, cities, users):
    paris, jakarta = cities["paris"], cities["jakarta"]
    response = personas["member"].get(
        "/en/planner/",
        {"authorities": [str(paris.pk), str(jakarta.pk)], "days": "2", "start": "2026-12-07", "action": "plan"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Paris, UTC+01:00" in html and "Jakarta, UTC+07:00" in html  # zones named by city and offset
    assert "Inside office hours" in html and "Everyone is inside office hours." in html


@pytest.mark.django_db
def test_page_search_narrows_the_options_and_keeps_the_chosen_ones(personas, cities):
    paris, tokyo = cities["paris"], cities["tokyo"]
    response = personas["member"].get(
        "/en/planner/", {"authority_search": "tokyo", "authorities": [str(paris.pk)], "action": "search"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{tokyo.pk}"' in html and f'value="{paris.pk}" selected' in html
    assert "Jakarta CA" not in html


@pytest.mark.django_db
def test_page_rejects_bad_input_on_the_field(personas, cities):
    response = personas["member"].get(
        "/en/planner/", {"authorities": [str(cities["paris"].pk)], "duration": "500", "action": "plan"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_duration_errors"' in html and 'aria-invalid="true"' in html
    response = personas["member"].get("/en/planner/", {"action": "plan"})
    assert response.status_code == 400
    assert "Choose at least one authority or one person" in response.content.decode()


def test_event_query_names_kind_times_zone_and_everyone_invited():
    class Thing:
        def __init__(self, pk):
            self.pk = pk

    slot = Slot(start=dt.datetime(2026, 12, 7, 13, tzinfo=dt.UTC), end=dt.datetime(2026, 12, 7, 14, tzinfo=dt.UTC))
    request = PlanRequest(authorities=[Thing(12), Thing(34)], users=[Thing(5)], duration=60, days=7, start=None)
    query = parse_qs(selectors.event_query(slot=slot, zone_name="America/Sao_Paulo", request=request))
    assert query == {
        "kind": ["virtual"],
        "start": ["2026-12-07T13:00:00Z"],
        "end": ["2026-12-07T14:00:00Z"],
        "timezone": ["America/Sao_Paulo"],
        "users": ["5"],
        "authorities": ["12,34"],
    }


@override_settings(ROOT_URLCONF="comity.config.urls")
def test_event_link_is_empty_until_the_meetings_app_offers_the_page():
    slot = Slot(start=dt.datetime(2026, 12, 7, 13, tzinfo=dt.UTC), end=dt.datetime(2026, 12, 7, 14, tzinfo=dt.UTC))
    request = PlanRequest(authorities=[], users=[], duration=60, days=7, start=None)
    from django.urls import NoReverseMatch, reverse

    try:
        base = reverse("meetings:event_create")
    except NoReverseMatch:
        assert selectors.event_create_link(slot=slot, zone_name="UTC", request=request) == ""
    else:
        link = selectors.event_create_link(slot=slot, zone_name="UTC", request=request)
        assert link.startswith(base + "?kind=virtual&")


@pytest.mark.django_db
def test_api_plans_with_people_keyed_by_user(personas, users):
    member, other = users["member"], users["member_other"]
    member.timezone, other.timezone = "America/Sao_Paulo", "Asia/Jakarta"
    member.save(update_fields=["timezone"])
    other.save(update_fields=["timezone"])
    response = personas["coordinator"].get(
        API, {"users": f"{member.pk},{other.pk}", "duration": "30", "days": "3", "start": "2026-12-07"}
    )
    assert response.status_code == 200
    best = response.json()["slots"][0]
    # profile hours 09-17: Sao Paulo 12-20 UTC, Jakarta 02-10 UTC: nobody shares; the earliest slot with one inside
    assert sorted(best["local"]) == sorted([f"user:{member.pk}", f"user:{other.pk}"])
    assert best["start"] == "2026-12-07T02:00:00Z"  # 09:00 in Jakarta, 23:00 the evening before in Sao Paulo
    assert best["outside_hours"] == [f"user:{member.pk}"] and best["on_holiday"] == []
    assert best["local"][f"user:{other.pk}"].endswith("+07:00")


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_participants(nothing_kept, personas, cities, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comity.directory.tests.factories import ContactFactory, SeatFactory

    for name in ("member", "member_other"):
        ContactFactory(seat=SeatFactory(authority=cities["paris"]), user=users[name])

    def count(authorities, people):
        params = {
            "authorities": ",".join(str(cities[c].pk) for c in authorities),
            "users": ",".join(str(users[p].pk) for p in people),
            "days": "1",
            "start": "2026-12-07",
        }
        with CaptureQueriesContext(connection) as queries:
            assert personas["coordinator"].get(API, params).status_code == 200
        return len(queries)

    assert count(["paris"], ["member"]) == count(["paris", "tokyo", "jakarta", "brasilia"], ["member", "member_other"])
