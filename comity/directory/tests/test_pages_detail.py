"""An authority's page: public for active authorities, public contact fields only for anonymous visitors,
availability now in both zones, holidays and closures, freshness, and the editors' history."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comity.directory import services
from comity.directory.models import Closure, Visibility
from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)  # a Tuesday: 10:00 in Brasília, 20:00 in Jakarta
ALL = ("anonymous", "member", "member_other", "coordinator", "coordinator_other", "secretariat")


@pytest.fixture
def fixed_now(monkeypatch):
    monkeypatch.setattr("comity.directory.views.common.now", lambda: MOMENT)
    return MOMENT


@pytest.fixture
def authority(brazil):
    return AuthorityFactory(
        country=brazil,
        official_name="Departamento de Recuperação de Ativos (demo)",
        names={"en": "Department of Asset Recovery (demo)", "ar": "إدارة استرداد الأصول"},
        competences=["mla_central", "extradition"],
        languages_accepted=["pt", "en", "es"],
        channels=["direct", "network"],
        urgent_channels=["email", "interpol"],
        untoc_mla_basis=True,
        postal_address="SCN Quadra 6\nBrasília DF",
        email="drci@demo.example",
        phone="+55 61 2025 9000",
        website="https://drci.demo.example",
        last_confirmed_at=MOMENT - dt.timedelta(days=10),
    )


def url(pk, language="en"):
    return f"/{language}/directory/authorities/{pk}/"


def body_of(client, pk, language="en"):
    response = client.get(url(pk, language))
    assert response.status_code == 200
    return response.content.decode()


def test_permission_matrix_active_and_inactive(personas, brazil, authority):
    check_matrix(personas, "GET", url(authority.pk), dict.fromkeys(ALL, 200))
    dormant = AuthorityFactory(country=brazil, is_active=False)
    check_matrix(
        personas,
        "GET",
        url(dormant.pk),
        {
            "anonymous": 404,
            "member": 404,
            "member_other": 404,
            "coordinator": 200,
            "coordinator_other": 404,
            "secretariat": 200,
        },
    )
    check_matrix(personas, "GET", url(999999), dict.fromkeys(ALL, 404))
    assert personas["member"].post(url(authority.pk)).status_code == 405


def test_public_fields_of_the_authority(personas, authority, fixed_now):
    body = body_of(personas["anonymous"], authority.pk)
    assert "<h1>Department of Asset Recovery (demo)</h1>" in body
    assert "<p>Official name: <bdi>Departamento de Recuperação de Ativos (demo)</bdi></p>" in body
    assert '<dt>Arabic</dt><dd lang="ar">إدارة استرداد الأصول</dd>' in body
    assert (
        '<tr><th scope="row">Central authority for mutual legal assistance</th><td>UNTOC art. 18(13)</td>'
        "<td>—</td></tr>"
    ) in body
    assert "<dd>Portuguese <code>pt</code>, English <code>en</code>, Spanish <code>es</code></dd>" in body
    assert (
        "<dt>Channels</dt><dd>Directly between central authorities and A regional network&#39;s secure system</dd>"
        in body
    )
    assert "<dt>Urgent requests accepted in advance by</dt><dd>E-mail and INTERPOL</dd>" in body
    assert "<dt>UNTOC as legal basis for mutual legal assistance</dt><dd>Accepted</dd>" in body
    assert "<dt>UNTOC as legal basis for extradition</dt><dd>Not accepted</dd>" in body
    assert "<dt>Postal address</dt><dd>SCN Quadra 6<br>Brasília DF</dd>" in body
    assert '<a href="mailto:drci@demo.example">drci@demo.example</a>' in body
    assert '<a href="tel:+556120259000" dir="ltr">+55 61 2025 9000</a>' in body
    assert '<a href="https://drci.demo.example" rel="noopener noreferrer">https://drci.demo.example</a>' in body
    assert "<p>\n  \n  \n  Confirmed 10 days ago\n</p>" in body
    assert "Sign in to see the contact details reserved for members." in body
    assert "Keep this record current" not in body and "Version history" not in body


def test_availability_now_in_both_zones(personas, users, authority, indonesia, fixed_now):
    body = body_of(personas["anonymous"], authority.pk)
    assert (
        '<dt>Status</dt><dd><span class="status-ok">Open now</span></dd>\n'
        "    <dt>Local time</dt><dd>Nov 24, 2026, 10:00\u202fAM (São Paulo, UTC\u221203:00)</dd>\n    \n"
        "    <dt>Open until</dt><dd>Nov 24, 2026, 1:00\u202fPM (São Paulo, UTC\u221203:00)</dd>"
    ) in body
    jakarta = AuthorityFactory(country=indonesia)
    users["member"].timezone = "Europe/Paris"
    users["member"].save(update_fields=["timezone"])
    body = body_of(personas["member"], jakarta.pk)
    assert '<dt>Status</dt><dd><span class="status-bad">Closed</span></dd>' in body
    assert "<dt>Local time</dt><dd>Nov 24, 2026, 8:00\u202fPM (Jakarta, UTC+07:00)</dd>" in body
    assert "<dt>Next opens (your time)</dt><dd>Nov 25, 2026, 3:00\u202fAM (Paris, UTC+01:00)</dd>" in body
    assert "<dt>Next opens (local time)</dt><dd>Nov 25, 2026, 9:00\u202fAM (Jakarta, UTC+07:00)</dd>" in body


def test_public_holiday_is_named_in_the_viewer_language(personas, authority, monkeypatch):
    monkeypatch.setattr("comity.directory.views.common.now", lambda: dt.datetime(2026, 12, 25, 13, 0, tzinfo=dt.UTC))
    english = body_of(personas["anonymous"], authority.pk)
    assert '<dd><span class="status-bad">Closed: public holiday (<bdi>Christmas Day</bdi>)</span></dd>' in english
    assert "<dt>Next opens (local time)</dt><dd>Dec 28, 2025" not in english
    assert "<dt>Next opens (local time)</dt><dd>Dec 28, 2026, 9:00\u202fAM (São Paulo, UTC\u221203:00)</dd>" in english
    assert '<tr><th scope="row">Jan 1, 2027</th><td>Universal Fraternization Day</td></tr>' in english
    portuguese = body_of(personas["anonymous"], authority.pk, "pt")
    assert "(<bdi>Natal</bdi>)</span></dd>" in portuguese  # the holiday's name from `holidays`, in Portuguese
    assert "<td>Confraternização Universal</td>" in portuguese


def test_holidays_in_the_next_60_days_and_closures(personas, authority, fixed_now):
    Closure.objects.create(
        authority=authority, start_date=dt.date(2026, 12, 28), end_date=dt.date(2026, 12, 31), reason="Inventory"
    )
    Closure.objects.create(
        authority=authority, start_date=dt.date(2026, 1, 5), end_date=dt.date(2026, 1, 9), reason="Past closure"
    )
    body = body_of(personas["anonymous"], authority.pk)
    assert (
        '<tr><th scope="row">Dec 25, 2026</th><td>Christmas Day</td></tr><tr><th scope="row">Jan 1, 2027</th>'
        "<td>Universal Fraternization Day</td></tr>"
    ) in body
    assert "<li><bdi>Dec 28, 2026</bdi> to <bdi>Dec 31, 2026</bdi>: Inventory</li>" in body
    assert "Past closure" not in body


def test_closure_status_with_reason(personas, authority, fixed_now):
    Closure.objects.create(
        authority=authority, start_date=dt.date(2026, 11, 23), end_date=dt.date(2026, 11, 24), reason="Office move"
    )
    body = body_of(personas["anonymous"], authority.pk)
    assert '<dd><span class="status-bad">Closed: <bdi>Office move</bdi></span></dd>' in body
    assert "<dt>Next opens (your time)</dt><dd>Nov 25, 2026, 12:00\u202fPM (UTC)</dd>" in body


def test_office_hours_table_with_localized_weekdays(personas, authority, fixed_now):
    english = body_of(personas["anonymous"], authority.pk)
    assert "<caption>Local time, <bdi>São Paulo, UTC\u221203:00</bdi></caption>" in english
    assert '<tr><th scope="row">Monday</th><td>09:00–13:00, 14:00–18:00</td></tr>' in english
    assert '<tr><th scope="row">Sunday</th><td>Closed</td></tr>' in english
    french = body_of(personas["anonymous"], authority.pk, "fr")
    assert '<tr><th scope="row">lundi</th><td>09:00–13:00, 14:00–18:00</td></tr>' in french
    arabic = body_of(personas["anonymous"], authority.pk, "ar")
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "<h1>إدارة استرداد الأصول</h1>" in arabic
    assert '<tr><th scope="row">الاثنين</th>' in arabic


def test_overdue_badge(personas, authority, fixed_now):
    authority.last_confirmed_at = MOMENT - dt.timedelta(days=250)
    authority.save(update_fields=["last_confirmed_at"])
    body = body_of(personas["member"], authority.pk)
    assert 'Confirmed 250 days ago <strong class="status-bad">Overdue by 68 days</strong>' in body


# --- contact points and field visibility ----------------------------------------------------------------------


@pytest.fixture
def contacts(authority):
    day = ContactFactory(
        seat__authority=authority,
        seat__title="Head of the MLA unit",
        seat__position=0,
        name="Ana Souza",
        title="Director",
        start_date=dt.date(2025, 3, 1),
        phone="+55 61 1111 1111",
        mobile="+55 61 9 1111 1111",
        email="ana@demo.example",
        secure_channel="ana@secure.example",
        timezone="Europe/Lisbon",
        visibility={"mobile": Visibility.NETWORK, "secure_channel": Visibility.SECRETARIAT},
        last_confirmed_at=MOMENT - dt.timedelta(days=3),
    )
    night = ContactFactory(
        seat__authority=authority,
        seat__title="Duty officer",
        seat__position=1,
        name="Bruno Lima",
        title="Prosecutor",
        phone="+55 61 2222 2222",
        mobile="",
        email="bruno@demo.example",
        always_available=True,
        visibility={"email": Visibility.PUBLIC},
        last_confirmed_at=MOMENT - dt.timedelta(days=3),
    )
    hidden = ContactFactory(
        seat__authority=authority,
        seat__title="Carla Dias",
        seat__position=2,
        name="Carla Dias",
        title="",
        phone="+55 61 3333 3333",
        mobile="",
        email="",
        visibility={"name": Visibility.MEMBERS},
        last_confirmed_at=MOMENT - dt.timedelta(days=3),
    )
    titled = ContactFactory(
        seat__authority=authority,
        seat__title="Liaison magistrate",
        seat__position=3,
        name="Eva Prado",
        title="Liaison magistrate",
        phone="",
        mobile="",
        email="",
        visibility={"title": Visibility.MEMBERS},
        last_confirmed_at=MOMENT - dt.timedelta(days=3),
    )
    return {"day": day, "night": night, "hidden": hidden, "titled": titled}


def test_anonymous_never_sees_restricted_contact_fields(personas, authority, contacts, fixed_now):
    body = body_of(personas["anonymous"], authority.pk)
    for secret in (
        "+55 61 1111 1111",
        "+556111111111",
        "+55 61 9 1111 1111",
        "ana@demo.example",
        "ana@secure.example",
        "+55 61 2222 2222",
        "+55 61 3333 3333",
        "Carla Dias",
    ):
        assert secret not in body, secret
    assert "<h3>Ana Souza</h3>" in body
    assert '<a href="mailto:bruno@demo.example">bruno@demo.example</a>' in body  # made public
    assert "<h3>Contact point</h3>" in body  # Carla: her name is for members and her seat is named after her
    assert "<h3>Eva Prado</h3>" in body and "Liaison magistrate" not in body  # the seat is named after her title


def test_members_see_what_their_level_allows(personas, authority, contacts, fixed_now):
    member = body_of(personas["member"], authority.pk)  # Brazil: same country, so network-level fields too
    assert "+55 61 1111 1111" in member and "+55 61 9 1111 1111" in member and "<h3>Carla Dias</h3>" in member
    assert "ana@secure.example" not in member
    other = body_of(personas["member_other"], authority.pk)  # Indonesia shares no network with Brazil
    assert "+55 61 1111 1111" in other and "ana@demo.example" in other
    assert "+55 61 9 1111 1111" not in other and "ana@secure.example" not in other
    for editor in ("coordinator", "secretariat"):
        assert '<dd dir="ltr">ana@secure.example</dd>' in body_of(personas[editor], authority.pk)
    assert "ana@secure.example" not in body_of(personas["coordinator_other"], authority.pk)


def test_contacts_with_availability_24_7_first(personas, authority, contacts, fixed_now):
    body = body_of(personas["member"], authority.pk)
    assert body.index("<h3>Bruno Lima</h3>") < body.index("<h3>Ana Souza</h3>") < body.index("<h3>Carla Dias</h3>")
    assert (
        '<dt>Availability now</dt><dd><span class="status-ok">Available 24/7</span><br>Local time <bdi>10:00\u202fAM'
        "</bdi> (<bdi>São Paulo, UTC\u221203:00</bdi>)</dd>"
    ) in body
    # Ana works the authority's hours in her own zone: 13:00 in Lisbon is the lunch break.
    assert (
        '<dt>Availability now</dt><dd><span class="status-bad">Closed</span><br>Local time <bdi>1:00\u202fPM'
        "</bdi> (<bdi>Lisbon, UTC+00:00</bdi>)<br>Next opens <bdi>Nov 24, 2026, 2:00\u202fPM (Lisbon, UTC+00:00)"
        "</bdi>.</dd>"  # the viewer (UTC) and Lisbon agree in November: the time is given once
    ) in body
    assert "<dt>Position</dt><dd>Head of the MLA unit</dd>" in body
    assert "<dt>Last confirmed</dt><dd>Confirmed 3 days ago</dd>" in body
    assert '<article class="card" id="contact-' + str(contacts["night"].pk) + '">' in body


def test_former_holders_are_not_listed_as_contacts(personas, users, authority, contacts, fixed_now):
    services.seat_handover(
        actor=users["coordinator"],
        contact=contacts["day"],
        data={"name": "Diana Reis", "email": "diana@demo.example"},
        on=dt.date(2026, 11, 1),
    )
    member = body_of(personas["member"], authority.pk)
    assert "<h3>Diana Reis</h3>" in member and "Ana Souza" not in member
    assert "Seat history" not in member
    editor = body_of(personas["coordinator"], authority.pk)
    assert (
        '<tr><th scope="row">Head of the MLA unit</th><td>Ana Souza</td><td>Mar 1, 2025</td><td>Nov 1, 2026</td></tr>'
    ) in editor


# --- editors ------------------------------------------------------------------------------------------------------


def test_editors_see_tools_and_version_history(personas, users, authority, fixed_now):
    services.authority_update(
        actor=users["coordinator"],
        authority=authority,
        data={
            "phone": "+55 61 2025 9999",
            "channels": ["direct"],
            "office_hours": [{"weekday": 0, "opens": "09:00", "closes": "17:00"}],
        },
    )
    services.authority_confirm(actor=users["secretariat"], authority=authority)
    for editor in ("coordinator", "secretariat"):
        body = body_of(personas[editor], authority.pk)
        assert f'<a class="button" href="/en/directory/authorities/{authority.pk}/edit/">Edit</a>' in body
        assert f'<form method="post" action="/en/directory/authorities/{authority.pk}/confirm/"' in body
        assert "<td>Sam Secretariat</td>\n      <td>Confirmed as still correct</td>\n      <td>—</td>" in body
        assert (
            "<td>Clara Coordinator</td>\n      <td>Updated</td>\n      <td><ul><li><strong>Channels accepted"
            "</strong>: <del>direct, network</del> → <ins>direct</ins></li><li><strong>Office hours</strong>: "
            "<del>Mon 09:00-13:00; Mon 14:00-18:00; Tue 09:00-13:00; Tue 14:00-18:00; Wed 09:00-13:00; "
            "Wed 14:00-18:00; Thu 09:00-13:00; Thu 14:00-18:00; Fri 09:00-13:00; Fri 14:00-18:00</del> → "
            "<ins>Mon 09:00-17:00</ins></li><li><strong>Phone</strong>: <del>+55 61 2025 9000</del> → "
            "<ins>+55 61 2025 9999</ins></li></ul></td>"
        ) in body
        assert "(by <bdi>Sam Secretariat</bdi>)" in body
    for reader in ("anonymous", "member", "member_other", "coordinator_other"):
        body = body_of(personas[reader], authority.pk)
        assert "Version history" not in body and "/edit/" not in body and "Still correct" not in body
        assert "Sam Secretariat" not in body


# --- query counts ----------------------------------------------------------------------------------------------------


def _count(client, pk):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(pk))
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        # Authority, competences, office hours, closures, contacts (with seats and users).
        ("anonymous", 5),
        # + session, user, second factor, tracked session, networks of the viewer's country (the session is not
        # saved: nothing in it changed).
        ("member", 10),
        # + coordinated countries and the version history (a coordinator of the country needs no network lookup);
        ("coordinator", 11),
        # the secretariat reads every level without asking for networks.
        ("secretariat", 10),
    ],
)
def test_query_count_does_not_grow_with_contacts_or_versions(
    nothing_kept, personas, users, authority, fixed_now, persona, expected, django_assert_num_queries
):
    ContactFactory(seat__authority=authority)
    client = personas[persona]
    client.get(url(authority.pk))
    first = _count(client, authority.pk)
    for number in range(6):
        contact = ContactFactory(seat__authority=authority, always_available=number % 2 == 0)
        services.seat_handover(actor=users["secretariat"], contact=contact, data={"name": f"Successor {number}"})
        services.authority_update(actor=users["secretariat"], authority=authority, data={"phone": f"+55 {number}"})
    Closure.objects.create(authority=authority, start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 2))
    with django_assert_num_queries(first):
        client.get(url(authority.pk))
    assert first == expected
