"""Pages: the permission matrix, the planner's prefilled creation page, rejected input, exports and the month view."""

import datetime as dt

import pytest

from comity.audit.models import AuditAction, AuditEvent
from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.meetings import services
from comity.meetings.models import Event, Registration
from comity.meetings.tests.conftest import START, event_data
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

ALL = ("anonymous", "member", "member_other", "coordinator", "coordinator_other", "secretariat", "liaison", "observer")


def _expect(default, **overrides):
    return {name: overrides.get(name, default) for name in ALL}


def _without(expected, name):
    return {key: value for key, value in expected.items() if key != name}


def test_read_pages_matrix(personas, users, make_event, indonesia):
    members_only = make_event()
    public = make_event(audience="public")
    restricted = make_event(audience="restricted", audience_countries=[indonesia])
    check_matrix(personas, "get", "/en/meetings/", _expect(200))
    check_matrix(personas, "get", f"/en/meetings/{public.pk}/", _expect(200))
    check_matrix(personas, "get", f"/en/meetings/{members_only.pk}/", _expect(200, anonymous=404))
    check_matrix(
        personas,
        "get",
        f"/en/meetings/{restricted.pk}/",
        _expect(404, member_other=200, coordinator_other=200, secretariat=200),
    )
    check_matrix(personas, "get", f"/en/meetings/{public.pk}/participants/", _expect(200, anonymous=302))
    check_matrix(personas, "get", "/en/meetings/99999/", _expect(404))


def test_organiser_pages_matrix(personas, users, make_event):
    event = make_event()
    Registration.objects.create(event=event, user=users["member"], status="confirmed")
    for suffix in ("edit/", "funding/", "badges/", "sign-in-sheet/", "participants.csv", "funding.csv"):
        check_matrix(personas, "get", f"/en/meetings/{event.pk}/{suffix}", _expect(404, anonymous=302, secretariat=200))
    check_matrix(personas, "get", "/en/meetings/new/", _expect(404, anonymous=302, secretariat=200, liaison=200))
    before = AuditEvent.objects.count()
    others = {name: personas[name] for name in ALL if name != "secretariat"}
    check_matrix(
        others, "post", f"/en/meetings/{event.pk}/cancel/", _without(_expect(404, anonymous=302), "secretariat")
    )
    event.refresh_from_db()
    assert (event.status, AuditEvent.objects.count()) == ("scheduled", before)


def test_create_page_is_prefilled_from_the_planner_and_invites_on_save(personas, users, iberred, plenary, indonesia):
    authority = AuthorityFactory(country=indonesia)
    ContactFactory(seat__authority=authority, user=users["member_other"])
    url = (
        f"/en/meetings/new/?kind=virtual&start=2030-03-10T13:00:00Z&end=2030-03-10T14:00:00Z"
        f"&timezone=Asia/Jakarta&users={users['member'].pk}&authorities={authority.pk}"
    )
    page = personas["liaison"].get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="2030-03-10T20:00"' in html  # 13:00 UTC is 20:00 in Jakarta
    assert '<option value="Asia/Jakarta" selected>' in html
    assert '<option value="virtual" selected>' in html
    assert f'value="{users["member"].pk}"' in html and "Bruno Member" in html and authority.official_name in html
    response = personas["liaison"].post(
        "/en/meetings/new/",
        {
            "kind": "virtual",
            "title_original": "Planning call",
            "language": "en",
            "online_url": "https://meet.example.org/x",
            "timezone": "Asia/Jakarta",
            "start": "2030-03-10T20:00",
            "end": "2030-03-10T21:00",
            "network": iberred.pk,
            "audience": "members",
            "invite_users": str(users["member"].pk),
            "invite_authorities": str(authority.pk),
        },
    )
    event = Event.objects.get(title_original="Planning call")
    assert response.status_code == 302
    assert (event.start, event.timezone) == (dt.datetime(2030, 3, 10, 13, tzinfo=dt.UTC), "Asia/Jakarta")
    invited = set(event.registrations.filter(status="invited").values_list("user_id", flat=True))
    assert invited == {users["member"].pk, users["member_other"].pk}


def test_create_page_rejects_bad_query_and_bad_form(personas, users, plenary):
    page = personas["secretariat"].get("/en/meetings/new/?start=tomorrow&timezone=Nowhere&users=1,x&kind=party")
    assert page.status_code == 400
    html = page.content.decode()
    for key in ("start:", "timezone:", "users:", "kind:"):
        assert key in html
    response = personas["secretariat"].post(
        "/en/meetings/new/",
        {
            "kind": "virtual",
            "title_original": "X",
            "language": "en",
            "timezone": "UTC",
            "audience": "members",
            "start": "2030-03-10T20:00",
            "end": "2030-03-10T19:00",
            "online_url": "https://x.example",
        },
    )
    assert response.status_code == 400
    assert 'id="id_end_errors"' in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Event.objects.exists()


def test_register_cancel_and_participant_exports_are_audited(personas, users, make_event):
    event = make_event(registration_fields=["dietary"])
    response = personas["member"].post(f"/en/meetings/{event.pk}/register/", {"dietary": "=HYPERLINK(1)"})
    assert response.status_code == 302
    csv_response = personas["secretariat"].get(f"/en/meetings/{event.pk}/participants.csv")
    body = b"".join(csv_response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in body and "member.br@example.test" in body
    assert AuditEvent.objects.filter(action=AuditAction.EVENT_PARTICIPANTS_EXPORTED).count() == 1
    badges = personas["secretariat"].get(f"/en/meetings/{event.pk}/badges/")
    assert "Bruno Member" in badges.content.decode()
    sheet = personas["secretariat"].get(f"/en/meetings/{event.pk}/sign-in-sheet/")
    assert "Bruno Member" in sheet.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.EVENT_PARTICIPANTS_EXPORTED).count() == 3
    registration = Registration.objects.get(user=users["member"])
    assert personas["member_other"].post(f"/en/meetings/registrations/{registration.pk}/cancel/").status_code == 404
    assert personas["member"].post(f"/en/meetings/registrations/{registration.pk}/cancel/").status_code == 302
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_event_page_names_both_zones(personas, users, make_event):
    users["member"].timezone = "Asia/Tokyo"
    users["member"].save()
    event = make_event()
    html = personas["member"].get(f"/en/meetings/{event.pk}/").content.decode()
    # Zones named by city and offset (issue 11): 13:00 UTC is 10:00 PM in Tokyo and 2:00 PM in Vienna.
    assert "Mar 10, 2030, 10:00\u202fPM (Tokyo, UTC+09:00)" in html
    assert "Mar 10, 2030, 2:00\u202fPM (Vienna, UTC+01:00)" in html


def test_month_view_and_filters(personas, users, make_event):
    make_event(title_original="March meeting")
    html = personas["member"].get("/en/meetings/?view=month&month=2030-03").content.decode()
    assert "March meeting" in html
    assert personas["member"].get("/en/meetings/?view=month&month=2030-13").status_code == 400
    assert personas["member"].get("/en/meetings/?view=month&month=99999-01").status_code == 400
    assert "March meeting" in personas["member"].get("/en/meetings/?kind=hybrid&language=fr").content.decode()
    assert "March meeting" not in personas["member"].get("/en/meetings/?kind=virtual").content.decode()
    assert personas["member"].get("/en/meetings/?kind=party").status_code == 400
    assert personas["member"].get("/en/meetings/?network=x").status_code == 400


def test_funding_page_flow(personas, users, make_event, nepali):
    from django.test import Client

    from comity.testing import sign_in

    event = make_event()
    client = personas["secretariat"]
    assert (
        client.post(
            f"/en/meetings/{event.pk}/funding/",
            {"form": "budget", "currency": "US", "amount": "1", "daily_allowance": "1"},
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/en/meetings/{event.pk}/funding/",
            {"form": "budget", "currency": "USD", "amount": "900", "daily_allowance": "50"},
        ).status_code
        == 302
    )
    services.registration_register(actor=nepali, event=event)
    nepal_client = sign_in(Client(), nepali)
    assert (
        nepal_client.post(
            f"/en/meetings/{event.pk}/funding/request/",
            {"travel_amount": "-3", "allowance_days": "2", "justification": "x"},
        ).status_code
        == 400
    )
    assert (
        nepal_client.post(
            f"/en/meetings/{event.pk}/funding/request/",
            {"travel_amount": "300", "allowance_days": "2", "justification": "x"},
        ).status_code
        == 302
    )
    request = event.funding_requests.get()
    assert (
        personas["member"]
        .post(f"/en/meetings/funding-requests/{request.pk}/decide/", {"decision": "approved"})
        .status_code
        == 404
    )
    assert (
        client.post(f"/en/meetings/funding-requests/{request.pk}/decide/", {"decision": "approved"}).status_code == 302
    )
    page = client.get(f"/en/meetings/{event.pk}/funding/").content.decode()
    assert "Remaining budget: 500.00 USD" in page
    export = b"".join(client.get(f"/en/meetings/{event.pk}/funding.csv").streaming_content).decode()
    assert "member.np@example.test" in export and "400.00" in export
    assert AuditEvent.objects.filter(action=AuditAction.FUNDING_EXPORTED).count() == 1
    assert START.year == 2030


def test_query_counts_do_not_grow_with_the_data(personas, users, make_event):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comity.accounts.tests.factories import UserFactory

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert personas["member"].get(url).status_code == 200
        return len(ctx.captured_queries)

    event = make_event()
    Registration.objects.create(event=event, user=users["member_other"], status="confirmed")
    small = (
        count("/en/meetings/"),
        count(f"/en/meetings/{event.pk}/"),
        count(f"/en/meetings/{event.pk}/participants/"),
    )
    for index in range(5):
        other = make_event(title_original=f"Extra {index}")
        services.session_add(
            actor=users["secretariat"], event=event, title=f"S{index}", start=START, end=START + dt.timedelta(hours=1)
        )
        person = UserFactory(email=f"extra{index}@example.test", country=users["member"].country)
        Registration.objects.create(event=event, user=person, status="confirmed")
        assert other.pk
    large = (
        count("/en/meetings/"),
        count(f"/en/meetings/{event.pk}/"),
        count(f"/en/meetings/{event.pk}/participants/"),
    )
    assert large == small


def test_moderators_organise_for_their_spaces_and_pages_render_in_arabic(personas, users, plenary, make_event):
    from django.test import Client

    from comity.accounts.tests.factories import UserFactory
    from comity.forum.models import SpaceMember
    from comity.testing import sign_in

    assert personas["moderator"].get("/en/meetings/new/").status_code == 200
    space_moderator = UserFactory(email="spacemod@example.test", country=users["member"].country)
    SpaceMember.objects.create(space=plenary, user=space_moderator, is_moderator=True)
    client = sign_in(Client(), space_moderator)
    assert client.get("/en/meetings/new/").status_code == 200
    event = services.event_create(
        actor=space_moderator,
        data=event_data(space=plenary),
    )
    assert client.get(f"/en/meetings/{event.pk}/edit/").status_code == 200
    other = make_event()
    assert client.get(f"/en/meetings/{other.pk}/edit/").status_code == 404
    for url in ("/ar/meetings/", "/ar/meetings/?view=month&month=2030-03", f"/ar/meetings/{event.pk}/"):
        response = personas["member"].get(url)
        assert (response.status_code, 'dir="rtl"' in response.content.decode()) == (200, True), url
