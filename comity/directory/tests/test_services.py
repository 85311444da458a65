import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from comity.audit.models import AuditAction, AuditEvent
from comity.directory import permissions, services
from comity.directory.models import Authority, Contact, RecordVersion, Visibility
from comity.directory.tests.factories import AuthorityFactory, ContactFactory

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "country": "BR",
    "official_name": "Departamento de Recuperação de Ativos (demo)",
    "names": {"en": "Department of Asset Recovery (demo)"},
    "competences": [{"code": "mla_central", "instrument": "untoc_18_13"}],
    "languages_accepted": ["pt", "en", "es"],
    "channels": ["direct", "electronic"],
    "timezone": "America/Sao_Paulo",
    "office_hours": [{"weekday": 0, "opens": "09:00", "closes": "18:00"}],
}


def test_coordinator_creates_for_own_country_with_version_and_audit(users, brazil):
    authority = services.authority_create(actor=users["coordinator"], data=PAYLOAD)
    assert authority.search_text == "departamento de recuperacao de ativos (demo) department of asset recovery (demo)"
    assert [h.weekday for h in authority.office_hours.all()] == [0]
    version = RecordVersion.objects.get(record_type="authority", record_id=authority.pk)
    assert version.action == "created"
    assert version.changes["official_name"] == [None, PAYLOAD["official_name"]]
    assert AuditEvent.objects.get(action=AuditAction.AUTHORITY_CREATED).country_code == "BR"


def test_coordinator_of_other_country_cannot_create_or_edit(users, brazil):
    with pytest.raises(PermissionDenied):
        services.authority_create(actor=users["coordinator_other"], data=PAYLOAD)
    authority = AuthorityFactory(country=brazil)
    with pytest.raises(PermissionDenied):
        services.authority_update(actor=users["coordinator_other"], authority=authority, data={"phone": "1"})
    with pytest.raises(PermissionDenied):
        services.authority_update(actor=users["member"], authority=authority, data={"phone": "1"})
    assert Authority.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_update_records_field_diff(users, brazil):
    authority = AuthorityFactory(country=brazil, phone="+55 1")
    changes = services.authority_update(
        actor=users["secretariat"], authority=authority, data={"phone": "+55 2", "office_hours": []}
    )
    assert changes["phone"] == ["+55 1", "+55 2"]
    assert len(changes["office_hours"][0]) == 10 and changes["office_hours"][1] == []
    assert services.authority_update(actor=users["secretariat"], authority=authority, data={"phone": "+55 2"}) == {}
    assert RecordVersion.objects.filter(record_type="authority", record_id=authority.pk).count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"languages_accepted": ["xx"]}, "languages_accepted"),
        ({"competences": [{"code": "piracy"}]}, "competences"),
        ({"office_hours": [{"weekday": 0, "opens": "18:00", "closes": "09:00"}]}, "office_hours"),
        ({"channels": ["pigeon"]}, "channels"),
        ({"closures": [{"start_date": "2026-12-31", "end_date": "2026-12-01"}]}, "closures"),
        ({"email": "not an email"}, "email"),
        ({"country": "ZZ"}, "country"),
    ],
)
def test_rejected_input_names_the_field_and_changes_nothing(users, brazil, data, field):
    authority = AuthorityFactory(country=brazil)
    before = services.authority_snapshot(authority)
    with pytest.raises(ValidationError) as info:
        services.authority_update(actor=users["secretariat"], authority=authority, data=data)
    assert list(info.value.message_dict) == [field]
    authority.refresh_from_db()
    assert services.authority_snapshot(authority) == before
    assert not AuditEvent.objects.exists()


def test_handover_keeps_history(users, brazil):
    contact = ContactFactory(seat__authority__country=brazil, name="Ana")
    successor = services.seat_handover(
        actor=users["coordinator"],
        contact=contact,
        data={"name": "Bruno", "email": "bruno@gov.example"},
        on=dt.date(2026, 11, 1),
    )
    contact.refresh_from_db()
    assert contact.end_date == dt.date(2026, 11, 1)
    assert (successor.seat_id, successor.start_date, successor.title) == (
        contact.seat_id,
        dt.date(2026, 11, 1),
        contact.title,
    )
    assert list(Contact.objects.filter(seat=contact.seat).order_by("start_date").values_list("name", flat=True)) in (
        ["Ana", "Bruno"],
        ["Bruno", "Ana"],
    )
    with pytest.raises(ValidationError):
        services.seat_handover(actor=users["coordinator"], contact=contact, data={"name": "Carla"})
    assert AuditEvent.objects.filter(action=AuditAction.CONTACT_HANDOVER).count() == 1


def test_field_visibility_levels(users, brazil, indonesia, iberred):
    contact = ContactFactory(
        seat__authority__country=brazil,
        visibility={"mobile": Visibility.NETWORK, "secure_channel": Visibility.SECRETARIAT},
    )
    from django.contrib.auth.models import AnonymousUser

    assert permissions.visible_contact_fields(AnonymousUser(), contact, "BR") == {"name", "title"}
    assert permissions.visible_contact_fields(users["member_other"], contact, "BR") == {
        "name",
        "title",
        "phone",
        "email",
    }
    # Brazil's own member shares IberRed with Brazil.
    assert permissions.visible_contact_fields(users["member"], contact, "BR") == {
        "name",
        "title",
        "phone",
        "email",
        "mobile",
    }
    assert permissions.visible_contact_fields(users["secretariat"], contact, "BR") == {
        "name",
        "title",
        "phone",
        "email",
        "mobile",
        "secure_channel",
    }
    assert permissions.visible_contact_fields(users["coordinator"], contact, "BR") == {
        "name",
        "title",
        "phone",
        "email",
        "mobile",
        "secure_channel",
    }


def test_holiday_subdivision_is_checked(users, brazil):
    authority = AuthorityFactory(country=brazil)
    services.authority_update(actor=users["secretariat"], authority=authority, data={"holiday_subdivision": "DF"})
    with pytest.raises(ValidationError) as info:
        services.authority_update(actor=users["secretariat"], authority=authority, data={"holiday_subdivision": "XX"})
    assert list(info.value.message_dict) == ["holiday_subdivision"]
    authority.refresh_from_db()
    assert authority.holiday_subdivision == "DF"


def test_missing_timezone_message(users, brazil):
    with pytest.raises(ValidationError) as info:
        services.authority_create(actor=users["secretariat"], data={**PAYLOAD, "timezone": ""})
    assert info.value.message_dict["timezone"] == ["The time zone is required (an IANA name such as Europe/Paris)."]
