"""The API: events, iCalendar, registration and funding, under the pages' rules; the OpenAPI schema is clean."""

import pytest
from django.core.management import call_command
from django.test import Client

from comity.meetings import services
from comity.meetings.models import FundingRequest, Registration
from comity.testing import check_matrix, sign_in

pytestmark = pytest.mark.django_db

ALL = ("anonymous", "member", "member_other", "coordinator", "coordinator_other", "secretariat", "liaison", "observer")


def _expect(default, **overrides):
    return {name: overrides.get(name, default) for name in ALL}


def test_list_and_detail_follow_visibility(personas, users, make_event, indonesia):
    public = make_event(audience="public", title_original="Open day")
    members = make_event(title_original="Members meeting")
    restricted = make_event(title_original="Indonesia only", audience="restricted", audience_countries=[indonesia])
    titles = lambda client: [e["title"] for e in client.get("/api/v1/events/").json()["results"]]  # noqa: E731
    assert titles(personas["anonymous"]) == ["Open day"]
    assert titles(personas["member"]) == ["Open day", "Members meeting"]
    assert titles(personas["member_other"]) == ["Open day", "Members meeting", "Indonesia only"]
    check_matrix(personas, "get", f"/api/v1/events/{members.pk}/", _expect(200, anonymous=404))
    check_matrix(
        personas,
        "get",
        f"/api/v1/events/{restricted.pk}/",
        _expect(404, member_other=200, coordinator_other=200, secretariat=200),
    )
    body = personas["anonymous"].get(f"/api/v1/events/{public.pk}/").json()
    assert (body["online_url"], body["timezone"], body["uid"]) == ("", "Europe/Vienna", f"{public.uid}@comity")
    assert personas["member"].get(f"/api/v1/events/{public.pk}/").json()["online_url"] == (
        "https://meet.example.org/plenary"
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("when=later", "when"),
        ("network=x", "network"),
        ("kind=party", "kind"),
        ("region=Asia", "region"),
        ("page=0", "page"),
    ],
)
def test_list_rejects_bad_parameters(personas, query, field):
    response = personas["member"].get(f"/api/v1/events/?{query}")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_registration_and_funding_endpoints(personas, users, make_event, nepali):
    event = make_event(capacity=1)
    services.budget_set(actor=users["secretariat"], event=event, currency="EUR", amount="600", daily_allowance="50")
    url = f"/api/v1/events/{event.pk}/registration/"
    check_matrix(personas, "post", url, {"anonymous": 401, "observer": 404}, data={}, content_type="application/json")
    nepal_client = sign_in(Client(), nepali)
    first = nepal_client.post(url, {}, content_type="application/json")
    assert (first.status_code, first.json()["status"]) == (201, "confirmed")
    second = personas["member"].post(url, {}, content_type="application/json")
    assert second.json()["status"] == "waitlisted"
    again = nepal_client.post(url, {}, content_type="application/json")
    assert (again.status_code, list(again.json()["error"]["fields"])) == (400, ["status"])
    assert personas["member"].post(url, {"languages": "en"}, content_type="application/json").status_code == 400

    funding = f"/api/v1/events/{event.pk}/funding-requests/"
    bad = nepal_client.post(
        funding, {"travel_amount": "-1", "allowance_days": 2, "justification": "x"}, content_type="application/json"
    )
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (400, ["travel_amount"])
    denied = personas["member"].post(
        funding, {"travel_amount": "10", "allowance_days": 0, "justification": "x"}, content_type="application/json"
    )
    assert (denied.status_code, list(denied.json()["error"]["fields"])) == (400, ["event"])
    created = nepal_client.post(
        funding, {"travel_amount": "500", "allowance_days": 2, "justification": "x"}, content_type="application/json"
    )
    assert (created.status_code, created.json()["requested_amount"]) == (201, "600.00")
    row = FundingRequest.objects.get()
    assert [r["id"] for r in personas["secretariat"].get(funding).json()] == [row.pk]
    assert personas["member"].get(funding).json() == []
    decision = f"/api/v1/funding-requests/{row.pk}/decision/"
    check_matrix(
        personas,
        "post",
        decision,
        {"anonymous": 401, "member": 404, "coordinator": 404, "liaison": 404},
        data={"decision": "approved"},
        content_type="application/json",
    )
    row.refresh_from_db()
    assert row.status == "pending"
    assert (
        personas["secretariat"].post(decision, {"decision": "declined"}, content_type="application/json").status_code
        == 400
    )
    ok = personas["secretariat"].post(decision, {"decision": "approved"}, content_type="application/json")
    assert (ok.status_code, ok.json()["approved_amount"]) == (200, "600.00")
    detail = personas["member"].get(f"/api/v1/events/{event.pk}/").json()
    assert detail["budget"] == {"currency": "EUR", "amount": "600.00", "remaining": "0.00", "daily_allowance": "50.00"}

    cancel = nepal_client.delete(url)
    assert (cancel.status_code, cancel.json()["status"]) == (200, "cancelled")
    assert Registration.objects.get(user=users["member"]).status == "confirmed"
    participants = personas["member_other"].get(f"/api/v1/events/{event.pk}/participants/").json()
    assert [p["user"] for p in participants["results"]] == ["Bruno Member"]
    assert personas["anonymous"].get(f"/api/v1/events/{event.pk}/participants/").status_code == 401


def test_openapi_schema_has_no_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text()
    for path in ("/api/v1/events/{id}/ics/", "/api/v1/funding-requests/{id}/decision/"):
        assert path in text


def _body(**overrides):
    body = {
        "kind": "virtual",
        "title": "Call",
        "online_url": "https://meet.example.org/call",
        "start": "2030-03-10T13:00:00Z",
        "end": "2030-03-10T14:00:00Z",
        "timezone": "Asia/Jakarta",
        "audience": "members",
    }
    body.update(overrides)
    return body


def test_create_update_cancel_through_the_api(personas, users, plenary, iberred, indonesia):
    from comity.meetings.models import Event

    check_matrix(
        personas,
        "post",
        "/api/v1/events/",
        {"anonymous": 401, "member": 404, "coordinator": 404, "observer": 404, "member_other": 404},
        data=_body(),
        content_type="application/json",
    )
    assert not Event.objects.exists()
    for bad, field in (
        ({"timezone": "Nowhere"}, "timezone"),
        ({"end": "2030-03-10T12:00:00Z"}, "end"),
        ({"audience_countries": ["XX"]}, "audience_countries"),
        ({"network": 999}, "network"),
        ({"start": "tomorrow"}, "start"),
    ):
        response = personas["liaison"].post(
            "/api/v1/events/", _body(**{"network": iberred.pk, **bad}), content_type="application/json"
        )
        assert (response.status_code, field in response.json()["error"]["fields"]) == (400, True), bad
    assert not Event.objects.exists()
    created = personas["liaison"].post(
        "/api/v1/events/",
        _body(network=iberred.pk, audience="restricted", audience_countries=["id"], invite_users=[users["member"].pk]),
        content_type="application/json",
    )
    assert created.status_code == 201
    event = Event.objects.get()
    assert (event.network, list(event.audience_countries.all())) == (iberred, [indonesia])
    assert list(event.registrations.values_list("user_id", "status")) == [(users["member"].pk, "invited")]
    url = f"/api/v1/events/{event.pk}/"
    assert personas["member_other"].put(url, _body(title="Hijack"), content_type="application/json").status_code == 404
    updated = personas["liaison"].put(
        url,
        _body(network=iberred.pk, title="Call (moved)", start="2030-03-10T14:00:00Z", end="2030-03-10T15:00:00Z"),
        content_type="application/json",
    )
    assert (updated.status_code, updated.json()["sequence"], updated.json()["title"]) == (200, 1, "Call (moved)")
    budget = personas["liaison"].put(
        f"/api/v1/events/{event.pk}/budget/",
        {"currency": "usd", "amount": "50", "daily_allowance": "5"},
        content_type="application/json",
    )
    assert budget.json()["budget"]["currency"] == "USD"
    assert personas["member"].post(f"/api/v1/events/{event.pk}/cancel/").status_code == 404
    cancelled = personas["liaison"].post(f"/api/v1/events/{event.pk}/cancel/")
    assert (cancelled.status_code, cancelled.json()["status"], cancelled.json()["sequence"]) == (200, "cancelled", 2)


def test_registration_decision_endpoint(personas, users, make_event):
    event = make_event(requires_approval=True)
    registration = services.registration_register(actor=users["member"], event=event)
    url = f"/api/v1/registrations/{registration.pk}/decision/"
    check_matrix(
        personas,
        "post",
        url,
        {"anonymous": 401, "member": 404, "member_other": 404},
        data={"decision": "approve"},
        content_type="application/json",
    )
    registration.refresh_from_db()
    assert registration.status == "pending"
    bad = personas["secretariat"].post(url, {"decision": "maybe"}, content_type="application/json")
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (400, ["decision"])
    ok = personas["secretariat"].post(url, {"decision": "approve"}, content_type="application/json")
    assert (ok.status_code, ok.json()["status"]) == (200, "confirmed")
