"""Editing pages: coordinators for their own countries and the secretariat; everyone else 404 with nothing
written; every rejected input shown next to its field with the record unchanged."""

import datetime as dt
from html import escape

import pytest

from comity.audit.models import AuditAction, AuditEvent
from comity.directory import services
from comity.directory.forms import AuthorityForm, format_office_hours, parse_closures, parse_office_hours
from comity.directory.models import Authority, Contact, RecordVersion, Visibility
from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

READERS = ("member", "member_other", "coordinator_other")

AUTHORITY = {
    "country": "BR",
    "official_name": "Secretaria Nacional de Justiça (demo)",
    "name_en": "National Justice Secretariat (demo)",
    "name_ar": "الأمانة الوطنية للعدل",
    "competences": ["mla_central", "extradition"],
    "instrument_mla_central": "untoc_18_13",
    "notes_mla_central": "All offences",
    "instrument_extradition": "",
    "languages_accepted": "pt, EN es",
    "channels": ["direct", "electronic"],
    "urgent_channels": ["email", "interpol"],
    "untoc_mla_basis": "on",
    "postal_address": "Esplanada dos Ministérios\nBrasília",
    "email": "SNJ@demo.example",
    "phone": "+55 61 2025 3000",
    "website": "https://snj.demo.example",
    "timezone": "America/Sao_Paulo",
    "holiday_subdivision": "df",
    "office_hours": "Mon-Fri 09:00-13:00, 14:00-18:00\nSat 9:00-12:00",
    "closures": "2026-12-24 2026-12-31 Year-end closure\n2027-02-16 Carnival",
    "is_active": "on",
}
CONTACT = {
    "seat_title": "Head of the MLA unit",
    "name": "Ana Souza",
    "title": "Director",
    "languages": "pt en",
    "phone": "+55 61 1111 1111",
    "mobile": "",
    "email": "Ana@demo.example",
    "secure_channel": "",
    "timezone": "",
    "start_date": "2026-01-05",
    "vis_name": "public",
    "vis_title": "public",
    "vis_phone": "members",
    "vis_mobile": "members",
    "vis_email": "network",
    "vis_secure_channel": "secretariat",
}


def errors_html(field: str, *messages: str) -> str:
    items = "".join(f"<li>{escape(message)}</li>" for message in messages)
    return f'<ul class="errors" id="id_{field}_errors">{items}</ul>'


def post_data(form_initial: dict) -> dict:
    """What a browser sends back for a form showing `form_initial` unchanged."""
    data = {}
    for key, value in form_initial.items():
        if value is True:
            data[key] = "on"
        elif value not in (False, None):
            data[key] = value
    return data


@pytest.fixture
def authority(brazil):
    return AuthorityFactory(
        country=brazil,
        official_name="Departamento de Recuperação de Ativos (demo)",
        phone="+55 61 2025 9000",
        last_confirmed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


@pytest.fixture
def contact(authority):
    return ContactFactory(
        seat__authority=authority,
        seat__title="Duty officer",
        name="Bruno Lima",
        start_date=dt.date(2025, 6, 1),
        last_confirmed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )


def state(authority):
    """Everything a write could change: the record, its contacts, versions and audit events."""
    authority = Authority.objects.get(pk=authority.pk)
    return (
        services.authority_snapshot(authority),
        authority.last_confirmed_at,
        sorted(
            (c.pk, tuple(sorted(services.contact_snapshot(c).items(), key=str)), c.last_confirmed_at)
            for c in Contact.objects.filter(authority=authority)
        ),
        RecordVersion.objects.count(),
        AuditEvent.objects.count(),
        Authority.objects.count(),
    )


# --- the permission matrix ------------------------------------------------------------------------------------------


def test_get_matrix(personas, authority, contact):
    editors = {
        "anonymous": 302,
        "member": 404,
        "member_other": 404,
        "coordinator": 200,
        "coordinator_other": 404,
        "secretariat": 200,
    }
    for path in (
        f"authorities/{authority.pk}/edit/",
        f"authorities/{authority.pk}/contacts/new/",
        f"contacts/{contact.pk}/edit/",
        f"contacts/{contact.pk}/handover/",
    ):
        check_matrix(personas, "GET", f"/en/directory/{path}", editors)
    # Creating: any coordinator (for their own countries) and the secretariat.
    check_matrix(personas, "GET", "/en/directory/authorities/new/", {**editors, "coordinator_other": 200})
    for path in (f"authorities/{authority.pk}/confirm/", f"contacts/{contact.pk}/confirm/"):
        check_matrix(
            personas,
            "GET",
            f"/en/directory/{path}",
            {"anonymous": 302, "member": 405, "coordinator": 405, "secretariat": 405},
        )
    check_matrix(personas, "GET", "/en/directory/authorities/999999/edit/", {"coordinator": 404, "secretariat": 404})
    check_matrix(personas, "GET", "/en/directory/contacts/999999/edit/", {"coordinator": 404, "secretariat": 404})


def test_anonymous_is_sent_to_sign_in(personas, authority):
    response = personas["anonymous"].get(f"/en/directory/authorities/{authority.pk}/edit/")
    assert response["Location"] == f"/en/accounts/login/?next=/en/directory/authorities/{authority.pk}/edit/"


def _denied_posts(authority, contact):
    return [
        (f"/en/directory/authorities/{authority.pk}/edit/", {**AUTHORITY, "phone": "+55 0"}),
        (f"/en/directory/authorities/{authority.pk}/confirm/", {}),
        (f"/en/directory/authorities/{authority.pk}/contacts/new/", CONTACT),
        (f"/en/directory/contacts/{contact.pk}/edit/", {**CONTACT, "phone": "+55 0"}),
        (f"/en/directory/contacts/{contact.pk}/confirm/", {}),
        (f"/en/directory/contacts/{contact.pk}/handover/", {**CONTACT, "on": "2026-11-01"}),
    ]


@pytest.mark.parametrize("persona", ["anonymous", *READERS])
def test_denied_writes_change_nothing_and_audit_nothing(personas, authority, contact, persona):
    before = state(authority)
    for path, data in _denied_posts(authority, contact):
        response = personas[persona].post(path, data)
        assert response.status_code == (302 if persona == "anonymous" else 404), path
        if persona == "anonymous":
            assert response["Location"].startswith("/en/accounts/login/?next=")
    response = personas[persona].post("/en/directory/authorities/new/", AUTHORITY)
    assert (
        response.status_code
        == {"anonymous": 302, "member": 404, "member_other": 404, "coordinator_other": 400}[persona]
    )
    assert state(authority) == before
    assert not AuditEvent.objects.exists()
    assert not RecordVersion.objects.exists()


def test_coordinator_of_another_country_cannot_create_for_brazil(personas):
    response = personas["coordinator_other"].post("/en/directory/authorities/new/", AUTHORITY)
    body = response.content.decode()
    assert response.status_code == 400
    assert errors_html("country", "You cannot add or move an authority to this country.") in body
    assert '<option value="ID">Indonesia</option>' in body
    assert '<option value="BR"' not in body
    assert not Authority.objects.exists() and not AuditEvent.objects.exists()


def test_coordinator_cannot_move_an_authority_to_another_country(personas, authority):
    before = state(authority)
    response = personas["coordinator"].post(
        f"/en/directory/authorities/{authority.pk}/edit/", {**AUTHORITY, "country": "ID"}
    )
    assert response.status_code == 400
    assert errors_html("country", "You cannot add or move an authority to this country.") in response.content.decode()
    assert state(authority) == before


# --- authorities --------------------------------------------------------------------------------------------------


def test_coordinator_creates_an_authority(personas, users):
    page = personas["coordinator"].get("/en/directory/authorities/new/").content.decode()
    assert '<option value="BR" selected>Brazil</option>' in page  # the only country they coordinate
    assert '<option value="ID"' not in page
    assert '<input type="text" name="timezone" value="America/Sao_Paulo"' in page
    response = personas["coordinator"].post("/en/directory/authorities/new/", AUTHORITY)
    authority = Authority.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/directory/authorities/{authority.pk}/"
    assert (authority.country.iso2, authority.official_name, authority.names) == (
        "BR",
        "Secretaria Nacional de Justiça (demo)",
        {"en": "National Justice Secretariat (demo)", "ar": "الأمانة الوطنية للعدل"},
    )
    assert [(c.code, c.instrument, c.scope_notes) for c in authority.competences.all()] == [
        ("extradition", "", ""),
        ("mla_central", "untoc_18_13", "All offences"),
    ]
    assert authority.languages_accepted == ["en", "es", "pt"]
    assert (authority.channels, authority.urgent_channels) == (["direct", "electronic"], ["email", "interpol"])
    assert (authority.untoc_mla_basis, authority.untoc_extradition_basis) == (True, False)
    assert (authority.email, authority.holiday_subdivision, authority.is_active) == ("snj@demo.example", "DF", True)
    assert format_office_hours(authority.office_hours.all()).splitlines() == [
        "Mon 09:00-13:00",
        "Mon 14:00-18:00",
        "Tue 09:00-13:00",
        "Tue 14:00-18:00",
        "Wed 09:00-13:00",
        "Wed 14:00-18:00",
        "Thu 09:00-13:00",
        "Thu 14:00-18:00",
        "Fri 09:00-13:00",
        "Fri 14:00-18:00",
        "Sat 09:00-12:00",
    ]
    assert [(c.start_date, c.end_date, c.reason) for c in authority.closures.all()] == [
        (dt.date(2026, 12, 24), dt.date(2026, 12, 31), "Year-end closure"),
        (dt.date(2027, 2, 16), dt.date(2027, 2, 16), "Carnival"),
    ]
    event = AuditEvent.objects.get()
    assert (event.action, event.country_code) == (AuditAction.AUTHORITY_CREATED, "BR")
    assert RecordVersion.objects.get().action == "created"
    detail = personas["coordinator"].get(response["Location"]).content.decode()
    assert "The authority was added to the directory." in detail


def test_secretariat_may_create_for_any_country(personas):
    page = personas["secretariat"].get("/en/directory/authorities/new/").content.decode()
    assert '<option value="ID">Indonesia</option>' in page and '<option value="FR">France</option>' in page
    response = personas["secretariat"].post(
        "/en/directory/authorities/new/",
        {**AUTHORITY, "country": "ID", "timezone": "Asia/Jakarta", "holiday_subdivision": ""},
    )
    assert response.status_code == 302
    assert Authority.objects.get().country.iso2 == "ID"


REJECTED = [
    ({"timezone": "Mars/Base"}, "timezone", ["Unknown time zone Mars/Base; use an IANA name such as Europe/Paris."]),
    (
        {"office_hours": "Mon 18:00-09:00"},
        "office_hours",
        [
            "Interval 1: closes must be later than opens; split a shift past midnight into two intervals "
            "(22:00-24:00 and "
            "00:00-02:00 the next day)."
        ],
    ),
    (
        {"office_hours": "Mon 09:00-13:00\nMon 12:00-14:00"},
        "office_hours",
        ["Intervals overlap on weekday 0: 09:00-13:00 and 12:00-14:00."],
    ),
    (
        {"office_hours": "Mon 25:00-26:00"},
        "office_hours",
        ["Interval 1: times must be written HH:MM (24-hour clock; closes may be 24:00)."],
    ),
    (
        {"office_hours": "Monday mornings\nMon 09:00-12:00\nFunday 09:00-10:00"},
        "office_hours",
        [
            "Line 1: write a day (or a range such as Mon-Fri) and times such as 09:00-13:00.",
            "Line 3: write a day (or a range such as Mon-Fri) and times such as 09:00-13:00.",
        ],
    ),
    (
        {"languages_accepted": "pt, xx"},
        "languages_accepted",
        ["Unknown language code(s): xx. Use ISO 639-1 codes such as en, fr, pt."],
    ),
    ({"competences": []}, "competences", ["An authority needs at least one competence."]),
    (
        {"competences": ["piracy"]},
        "competences",
        ["Select a valid choice. piracy is not one of the available choices."],
    ),
    ({"channels": ["pigeon"]}, "channels", ["Select a valid choice. pigeon is not one of the available choices."]),
    (
        {"instrument_mla_central": "treaty"},
        "instrument_mla_central",
        ["Select a valid choice. treaty is not one of the available choices."],
    ),
    ({"email": "not an email"}, "email", ["Enter a valid e-mail address."]),
    ({"website": "ftp://files.example"}, "website", ["Enter a valid web address starting with https://."]),
    ({"closures": "2026-12-31 2026-12-01 Backwards"}, "closures", ["A closure cannot end before it starts."]),
    ({"closures": "2026-02-30 Not a day"}, "closures", ["Dates must be written YYYY-MM-DD."]),
    (
        {"closures": "31/12/2026 New Year's Eve"},
        "closures",
        ["Line 1: start with the first day closed, written YYYY-MM-DD, then the last day and the reason."],
    ),
    ({"official_name": "  "}, "official_name", ["This field is required."]),
    (
        {"holiday_subdivision": "zz"},
        "holiday_subdivision",
        [
            "Unknown subdivision ZZ for public holidays; leave it empty or use one of: "
            + ", ".join(services.holiday_subdivisions("BR"))
            + "."
        ],
    ),
]


@pytest.mark.parametrize(("change", "field", "messages"), REJECTED)
def test_create_rejects_input_with_the_message_next_to_the_field(personas, change, field, messages):
    response = personas["coordinator"].post("/en/directory/authorities/new/", {**AUTHORITY, **change})
    body = response.content.decode()
    assert response.status_code == 400
    assert errors_html(field, *messages) in body
    assert "Nothing was saved. Correct the fields marked below." in body
    assert body.count('<ul class="errors"') == 1
    assert 'value="+55 61 2025 3000"' in body  # what was typed is still there
    assert not Authority.objects.exists() and not AuditEvent.objects.exists() and not RecordVersion.objects.exists()


@pytest.mark.parametrize(("change", "field", "messages"), REJECTED)
def test_edit_rejects_input_and_the_record_is_unchanged(personas, authority, change, field, messages):
    before = state(authority)
    response = personas["secretariat"].post(f"/en/directory/authorities/{authority.pk}/edit/", {**AUTHORITY, **change})
    assert response.status_code == 400
    assert errors_html(field, *messages) in response.content.decode()
    assert state(authority) == before


def test_edit_page_round_trip_changes_nothing(personas, authority):
    page = personas["coordinator"].get(f"/en/directory/authorities/{authority.pk}/edit/").content.decode()
    assert (
        "Mon 09:00-13:00\nMon 14:00-18:00\nTue 09:00-13:00\nTue 14:00-18:00\nWed 09:00-13:00\nWed 14:00-18:00\n"
        "Thu 09:00-13:00\nThu 14:00-18:00\nFri 09:00-13:00\nFri 14:00-18:00</textarea>"
    ) in page
    assert '<input type="checkbox" name="competences" value="mla_central" id="id_competences_0" checked>' in page
    before = state(authority)
    response = personas["coordinator"].post(
        f"/en/directory/authorities/{authority.pk}/edit/", post_data(AuthorityForm.initial_for(authority))
    )
    assert response.status_code == 302
    assert state(authority) == before
    follow = personas["coordinator"].get(response["Location"]).content.decode()
    assert "Nothing was changed. If the record is still correct, confirm it." in follow


def test_coordinator_edits_with_a_version_and_an_audit_event(personas, users, authority):
    data = {
        **post_data(AuthorityForm.initial_for(authority)),
        "phone": "+55 61 2025 9999",
        "office_hours": "Mon-Thu 08:00-17:00\nFri 22:00-24:00\nSat 00:00-02:00",
        "untoc_extradition_basis": "on",
    }
    response = personas["coordinator"].post(f"/en/directory/authorities/{authority.pk}/edit/", data)
    assert response.status_code == 302
    authority.refresh_from_db()
    assert authority.phone == "+55 61 2025 9999"
    assert format_office_hours(authority.office_hours.all()).splitlines() == [
        "Mon 08:00-17:00",
        "Tue 08:00-17:00",
        "Wed 08:00-17:00",
        "Thu 08:00-17:00",
        "Fri 22:00-24:00",
        "Sat 00:00-02:00",
    ]
    assert authority.confirmed_by == users["coordinator"]
    assert authority.last_confirmed_at > dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    version = RecordVersion.objects.get()
    assert sorted(version.changes) == ["office_hours", "phone", "untoc_extradition_basis"]
    assert version.changes["phone"] == ["+55 61 2025 9000", "+55 61 2025 9999"]
    event = AuditEvent.objects.get()
    assert (event.action, event.details) == (
        AuditAction.AUTHORITY_UPDATED,
        {"fields": ["office_hours", "phone", "untoc_extradition_basis"]},
    )
    detail = personas["coordinator"].get(response["Location"]).content.decode()
    assert "Saved. The record now counts as confirmed today." in detail
    assert "<li><strong>Phone</strong>: <del>+55 61 2025 9000</del> → <ins>+55 61 2025 9999</ins></li>" in detail


def test_editing_deactivates_an_authority(personas, authority):
    data = post_data(AuthorityForm.initial_for(authority))
    del data["is_active"]
    assert personas["secretariat"].post(f"/en/directory/authorities/{authority.pk}/edit/", data).status_code == 302
    authority.refresh_from_db()
    assert authority.is_active is False
    assert personas["member"].get(f"/en/directory/authorities/{authority.pk}/").status_code == 404


def test_confirm_resets_the_clock(personas, users, authority):
    response = personas["coordinator"].post(f"/en/directory/authorities/{authority.pk}/confirm/")
    assert response.status_code == 302
    assert response["Location"] == f"/en/directory/authorities/{authority.pk}/"
    authority.refresh_from_db()
    assert authority.last_confirmed_at > dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    assert authority.confirmed_by == users["coordinator"]
    assert AuditEvent.objects.get().action == AuditAction.AUTHORITY_CONFIRMED
    assert RecordVersion.objects.get().action == "confirmed"
    body = personas["coordinator"].get(response["Location"]).content.decode()
    assert "Thank you: the record is confirmed as still correct." in body
    assert "Confirmed today (by <bdi>Clara Coordinator</bdi>)" in body


# --- contacts -------------------------------------------------------------------------------------------------------


def test_contact_create(personas, authority):
    response = personas["coordinator"].post(f"/en/directory/authorities/{authority.pk}/contacts/new/", CONTACT)
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/directory/authorities/{authority.pk}/#contact-{contact.pk}"
    assert (contact.seat.title, contact.name, contact.title, contact.email, contact.languages, contact.start_date) == (
        "Head of the MLA unit",
        "Ana Souza",
        "Director",
        "ana@demo.example",
        ["en", "pt"],
        dt.date(2026, 1, 5),
    )
    assert contact.visibility == {
        "name": "public",
        "title": "public",
        "phone": "members",
        "mobile": "members",
        "email": "network",
        "secure_channel": "secretariat",
    }
    assert AuditEvent.objects.get().action == AuditAction.CONTACT_CREATED


CONTACT_REJECTED = [
    ({"name": ""}, "name", ["This field is required."]),
    ({"seat_title": ""}, "seat_title", ["This field is required."]),
    ({"email": "ana at demo"}, "email", ["Enter a valid e-mail address."]),
    (
        {"languages": "pt, klingon"},
        "languages",
        ["Unknown language code(s): klingon. Use ISO 639-1 codes such as en, fr, pt."],
    ),
    ({"timezone": "Brasilia"}, "timezone", ["Unknown time zone Brasilia; use an IANA name such as Europe/Paris."]),
    ({"start_date": "2026-13-01"}, "start_date", ["Dates must be written YYYY-MM-DD."]),
    ({"vis_phone": "everyone"}, "vis_phone", ["Select a valid choice. everyone is not one of the available choices."]),
]


@pytest.mark.parametrize(("change", "field", "messages"), CONTACT_REJECTED)
def test_contact_create_rejects_input(personas, authority, change, field, messages):
    before = state(authority)
    response = personas["coordinator"].post(
        f"/en/directory/authorities/{authority.pk}/contacts/new/", {**CONTACT, **change}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert errors_html(field, *messages) in body
    assert 'value="+55 61 1111 1111"' in body
    assert state(authority) == before


def test_contact_edit_with_version_and_history_on_the_page(personas, authority, contact):
    page = personas["secretariat"].get(f"/en/directory/contacts/{contact.pk}/edit/").content.decode()
    assert 'name="seat_title"' not in page
    assert '<option value="members" selected>Members</option>' in page
    data = {**CONTACT, "name": "Bruno Lima", "phone": "+55 61 7777 7777", "vis_phone": Visibility.PUBLIC}
    del data["seat_title"]
    response = personas["secretariat"].post(f"/en/directory/contacts/{contact.pk}/edit/", data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.phone, contact.visibility_of("phone")) == ("+55 61 7777 7777", "public")
    assert contact.last_confirmed_at > dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    assert AuditEvent.objects.get().action == AuditAction.CONTACT_UPDATED
    page = personas["secretariat"].get(f"/en/directory/contacts/{contact.pk}/edit/").content.decode()
    assert "<td>Sam Secretariat</td>\n      <td>Updated</td>" in page
    assert "<li><strong>Phone</strong>: <del>+55 61 2025 0000</del> → <ins>+55 61 7777 7777</ins></li>" in page


@pytest.mark.parametrize(("change", "field", "messages"), CONTACT_REJECTED[:1] + CONTACT_REJECTED[2:])
def test_contact_edit_rejects_input_and_keeps_the_contact(personas, authority, contact, change, field, messages):
    before = state(authority)
    data = {**CONTACT, **change}
    del data["seat_title"]
    response = personas["coordinator"].post(f"/en/directory/contacts/{contact.pk}/edit/", data)
    assert response.status_code == 400
    assert errors_html(field, *messages) in response.content.decode()
    assert state(authority) == before


def test_contact_confirm(personas, authority, contact):
    response = personas["coordinator"].post(f"/en/directory/contacts/{contact.pk}/confirm/")
    assert response["Location"] == f"/en/directory/authorities/{authority.pk}/#contact-{contact.pk}"
    contact.refresh_from_db()
    assert contact.last_confirmed_at > dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    assert AuditEvent.objects.get().action == AuditAction.CONTACT_CONFIRMED


def test_handover(personas, authority, contact):
    contact.visibility = {"phone": Visibility.PUBLIC}
    contact.save(update_fields=["visibility"])
    page = personas["coordinator"].get(f"/en/directory/contacts/{contact.pk}/handover/").content.decode()
    assert "<bdi>Bruno Lima</bdi> holds this seat since <bdi>Jun 1, 2025</bdi>." in page
    assert '<select name="vis_phone" id="id_vis_phone">\n  <option value="public" selected>' in page
    data = {**CONTACT, "on": "2026-11-01", "name": "Carla Dias"}
    del data["seat_title"], data["start_date"]
    response = personas["coordinator"].post(f"/en/directory/contacts/{contact.pk}/handover/", data)
    successor = Contact.objects.get(name="Carla Dias")
    assert response["Location"] == f"/en/directory/authorities/{authority.pk}/#contact-{successor.pk}"
    contact.refresh_from_db()
    assert contact.end_date == dt.date(2026, 11, 1)
    assert (successor.seat_id, successor.start_date, successor.end_date) == (
        contact.seat_id,
        dt.date(2026, 11, 1),
        None,
    )
    assert AuditEvent.objects.get().action == AuditAction.CONTACT_HANDOVER
    detail = personas["coordinator"].get(response["Location"]).content.decode()
    assert "The seat was handed over to Carla Dias." in detail
    assert (
        '<tr><th scope="row">Duty officer</th><td>Bruno Lima</td><td>Jun 1, 2025</td><td>Nov 1, 2026</td></tr>'
        in detail
    )


@pytest.mark.parametrize(
    ("change", "field", "messages"),
    [
        ({"name": ""}, "name", ["This field is required."]),
        ({"on": "next week"}, "on", ["Enter the date as YYYY-MM-DD."]),
        ({"on": "2025-05-31"}, "on", ["The seat cannot change hands before the current holder took it (2025-06-01)."]),
        ({"email": "carla@"}, "email", ["Enter a valid e-mail address."]),
    ],
)
def test_handover_rejects_input(personas, authority, contact, change, field, messages):
    before = state(authority)
    data = {**CONTACT, "on": "2026-11-01", "name": "Carla Dias", **change}
    response = personas["coordinator"].post(f"/en/directory/contacts/{contact.pk}/handover/", data)
    assert response.status_code == 400
    assert errors_html(field, *messages) in response.content.decode()
    assert state(authority) == before


def test_handover_of_a_former_holder_is_refused(personas, authority, contact):
    contact.end_date = dt.date(2026, 6, 30)
    contact.save(update_fields=["end_date"])
    before = state(authority)
    response = personas["coordinator"].post(
        f"/en/directory/contacts/{contact.pk}/handover/", {**CONTACT, "on": "2026-11-01", "name": "Carla Dias"}
    )
    assert response.status_code == 400
    assert (
        '<div class="form-errors" role="alert">\n  <p>This person no longer holds the seat.</p>\n</div>'
        in response.content.decode()
    )
    assert state(authority) == before


# --- the text formats ------------------------------------------------------------------------------------------


def test_office_hours_text_accepts_ranges_lists_and_the_ui_language():
    assert parse_office_hours("Sat-Mon 10:00-12:00") == [
        {"weekday": 5, "opens": "10:00", "closes": "12:00"},
        {"weekday": 6, "opens": "10:00", "closes": "12:00"},
        {"weekday": 0, "opens": "10:00", "closes": "12:00"},
    ]
    assert parse_office_hours("tuesday, THU 9:00-9:30; 22:00-24:00\n\n") == [
        {"weekday": 1, "opens": "09:00", "closes": "09:30"},
        {"weekday": 1, "opens": "22:00", "closes": "24:00"},
        {"weekday": 3, "opens": "09:00", "closes": "09:30"},
        {"weekday": 3, "opens": "22:00", "closes": "24:00"},
    ]
    from django.utils import translation

    with translation.override("pt"):
        assert parse_office_hours("segunda-feira-quarta-feira 09:00-12:00") == [
            {"weekday": day, "opens": "09:00", "closes": "12:00"} for day in (0, 1, 2)
        ]
    with translation.override("zh-hans"):
        assert parse_office_hours("周五 08:00-12:00") == [{"weekday": 4, "opens": "08:00", "closes": "12:00"}]
    with translation.override("fr"):
        assert parse_office_hours("lun.-mar. 08:00-12:00") == [
            {"weekday": 0, "opens": "08:00", "closes": "12:00"},
            {"weekday": 1, "opens": "08:00", "closes": "12:00"},
        ]


def test_closures_text():
    assert parse_closures("2026-12-24 2026-12-31 Year-end closure\n2027-02-16\n") == [
        {"start_date": "2026-12-24", "end_date": "2026-12-31", "reason": "Year-end closure"},
        {"start_date": "2027-02-16", "end_date": "2027-02-16", "reason": ""},
    ]
