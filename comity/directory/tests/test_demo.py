"""seed_demo: the curated demo directory, synthetic directories at scale, and the refusal in production."""

import datetime as dt
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from comity.accounts.demo import DEMO_USERS
from comity.audit.models import AuditAction, AuditEvent
from comity.directory.availability import availability, schedule_for, validate_office_hours
from comity.directory.demo import SCALE_DOMAIN, directory_demo_seed, directory_scale_seed
from comity.directory.demo.data import AUTHORITIES
from comity.directory.demo.scale import SCHEDULES
from comity.directory.models import Authority, Contact, OfficeHours, RecordVersion, Seat
from comity.directory.selectors import freshness
from comity.reference.services import reference_load
from comity.reference.tests.factories import CountryFactory, NetworkFactory

pytestmark = pytest.mark.django_db

DEMO_COUNTRIES = {
    "AR",
    "AT",
    "AU",
    "BR",
    "CA",
    "CN",
    "CO",
    "DE",
    "EG",
    "ES",
    "FJ",
    "FR",
    "GB",
    "ID",
    "IN",
    "JM",
    "JP",
    "KE",
    "KR",
    "KZ",
    "MA",
    "MX",
    "NG",
    "NZ",
    "PH",
    "PL",
    "QA",
    "RU",
    "SA",
    "SN",
    "US",
    "ZA",
}
DEMO_MARK = re.compile(r"\((demo|démo|Demo|демо|تجريبي|데모)\)|（(演示|デモ)）")


@pytest.fixture
def reference(db):
    reference_load()


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def demo_authorities():
    return Authority.objects.exclude(email__endswith="@" + SCALE_DOMAIN)


def authority(country: str, competence: str) -> Authority:
    return Authority.objects.get(country__iso2=country, competences__code=competence)


def test_seed_demo_creates_the_demo_directory(reference):
    out = seed()
    assert "Demo directory: 39 of 39 authorities and 89 contact point(s) created, 8 linked to demo users." in out
    assert demo_authorities().count() == 39
    assert len(AUTHORITIES) == 39
    assert set(demo_authorities().values_list("country__iso2", flat=True)) == DEMO_COUNTRIES
    assert set(demo_authorities().values_list("country__region_m49", flat=True)) == {"002", "009", "019", "142", "150"}
    assert Contact.objects.count() == 89
    assert Contact.objects.filter(end_date__isnull=True).count() == 88
    assert Seat.objects.count() == 88
    assert RecordVersion.objects.filter(record_type="authority").count() == 39
    assert RecordVersion.objects.filter(record_type="contact").count() == 90  # 89 imported/created + 1 handover
    contacts_per_authority = {
        a.official_name: a.contacts.filter(end_date__isnull=True).count() for a in demo_authorities()
    }
    assert set(contacts_per_authority.values()) == {2, 3, 4}
    event = AuditEvent.objects.get(action=AuditAction.DEMO_SEEDED)
    assert event.details == {
        "users_created": len(DEMO_USERS),
        "authorities_created": 39,
        "contacts_created": 89,
        "forum_threads_created": 14,
        "attachments_created": 1,
        "legal_profiles_created": 32,
        "measure_fiches_created": 576,
        "demo_treaties_created": 1,
        "library_documents_created": 9,
        "events_created": 2,
        "teams_created": 1,
        "requests_created": 13,
    }


def test_demo_directory_includes_brazil_indonesia_france_japan_and_24_7_cybercrime_points(reference):
    seed()
    assert {"BR", "ID", "FR", "JP"} <= set(demo_authorities().values_list("country__iso2", flat=True))
    cyber = demo_authorities().filter(competences__code="cybercrime_24_7", always_available=True)
    assert sorted(cyber.values_list("country__iso2", flat=True)) == ["BR", "DE", "FR", "JP", "US"]
    assert set(cyber.values_list("competences__instrument", flat=True)) == {"budapest_35"}
    assert not OfficeHours.objects.filter(authority__in=cyber).exists()
    now = timezone.now()
    assert {availability(schedule_for(a), now).status for a in cyber} == {"always"}
    # A 24/7 duty officer inside an authority that keeps office hours.
    duty = Contact.objects.get(authority=authority("ID", "mla_central"), always_available=True)
    assert duty.seat.title == "Duty officer"


def test_demo_records_are_clearly_fictional(reference):
    seed()
    for record in demo_authorities():
        assert DEMO_MARK.search(record.official_name), record.official_name
        assert all(DEMO_MARK.search(name) for name in record.names.values()), record.names
        assert record.email.endswith(".example.gov.test")
        assert record.website.startswith(f"https://{record.country.iso2.lower()}.example.gov.test/")
    for contact in Contact.objects.all():
        assert DEMO_MARK.search(contact.name), contact.name
        assert re.search(r"@([a-z]{2}\.example\.gov\.test|demo\.comity\.test)$", contact.email), contact.email
    assert Authority.objects.get(country__iso2="US", competences__code="extradition").phone == "+1 202 555 0101"
    assert Authority.objects.get(country__iso2="GB").phone == "+44 20 7946 0001"
    assert authority("FR", "extradition").phone == "+33 1 99 00 01 01"


def test_demo_names_in_several_ui_languages_are_searchable(reference):
    seed()
    assert demo_authorities().filter(names__has_key="ar").count() == 2
    assert demo_authorities().filter(names__has_key="zh-hans").count() == 4
    saudi = Authority.objects.get(country__iso2="SA")
    assert saudi.official_name == "النيابة العامة – إدارة التعاون الدولي (تجريبي)"
    assert saudi.localized_name("en") == "Public Prosecution – International Cooperation Department (demo)"
    chinese = authority("CN", "mla_central")
    assert chinese.official_name == "司法部 国际合作局（演示）"
    assert "司法部" in chinese.search_text
    assert "ministry of justice – bureau of international cooperation (demo)" in chinese.search_text


def test_demo_office_hours_follow_each_country(reference):
    seed()

    def rows(a):
        return [
            (h.weekday, h.opens.strftime("%H:%M"), h.closes_label) for h in a.office_hours.order_by("weekday", "opens")
        ]

    brazil = authority("BR", "mla_central")
    assert (brazil.timezone, brazil.holiday_subdivision) == ("America/Sao_Paulo", "DF")
    assert rows(brazil) == [(day, "09:00", "18:00") for day in range(5)]
    indonesia = authority("ID", "mla_central")
    assert indonesia.timezone == "Asia/Jakarta"
    assert rows(indonesia) == [(day, "08:00", "16:00") for day in range(4)] + [
        (4, "08:00", "11:30"),
        (4, "13:30", "16:30"),
    ]
    france = authority("FR", "mla_central")
    assert france.timezone == "Europe/Paris"
    assert rows(france) == [row for day in range(5) for row in ((day, "09:00", "12:30"), (day, "14:00", "18:00"))]
    japan = authority("JP", "mla_central")
    assert (japan.timezone, rows(japan)) == ("Asia/Tokyo", [(day, "09:00", "17:45") for day in range(5)])
    saudi = Authority.objects.get(country__iso2="SA")
    assert (saudi.timezone, rows(saudi)) == ("Asia/Riyadh", [(day, "08:00", "15:00") for day in (0, 1, 2, 3, 6)])
    mexico = Authority.objects.get(country__iso2="MX")
    assert rows(mexico) == sorted(
        [(day, "16:00", "24:00") for day in range(5)] + [(day, "00:00", "02:00") for day in range(1, 6)]
    )


def test_demo_split_shift_runs_past_midnight_into_saturday(reference):
    seed()
    schedule = schedule_for(Authority.objects.get(country__iso2="MX"))
    mexico = ZoneInfo("America/Mexico_City")
    friday_night = availability(schedule, dt.datetime(2026, 3, 20, 23, 0, tzinfo=mexico))
    assert (friday_night.status, friday_night.closes_at) == ("open", dt.datetime(2026, 3, 21, 2, 0, tzinfo=mexico))
    saturday_after_midnight = availability(schedule, dt.datetime(2026, 3, 21, 1, 30, tzinfo=mexico))
    assert saturday_after_midnight.status == "open"
    saturday_morning = availability(schedule, dt.datetime(2026, 3, 21, 3, 0, tzinfo=mexico))
    assert saturday_morning.status == "closed"
    assert saturday_morning.next_open == dt.datetime(2026, 3, 23, 16, 0, tzinfo=mexico)


def test_demo_closures_and_holiday_subdivision(reference):
    seed()
    fiji = Authority.objects.get(country__iso2="FJ")
    today = timezone.now().date()
    assert [(c.start_date, c.end_date) for c in fiji.closures.all()] == [
        (today - dt.timedelta(days=1), today + dt.timedelta(days=2))
    ]
    austria = Authority.objects.get(country__iso2="AT")
    assert [(c.start_date, c.end_date, c.reason) for c in austria.closures.all()] == [
        (today + dt.timedelta(days=21), today + dt.timedelta(days=25), "Office move to the new building (demo)")
    ]
    # Brasília's own holiday (21 April is national; 30 November, Evangelical Day, is the Federal District's).
    brasilia = ZoneInfo("America/Sao_Paulo")
    result = availability(schedule_for(authority("BR", "mla_central")), dt.datetime(2026, 11, 30, 11, tzinfo=brasilia))
    assert result.status == "holiday"


def test_demo_contacts_have_varied_field_visibility(reference):
    seed()
    rafael = Contact.objects.get(email="member.br@demo.comity.test")
    assert rafael.visibility_of("secure_channel") == "secretariat"
    assert rafael.visibility_of("phone") == "members"
    budi = Contact.objects.get(email="member.id@demo.comity.test")
    assert (budi.mobile, budi.visibility_of("mobile")) == ("+62 012 9112 12", "network")
    desk = Contact.objects.get(authority__country__iso2="BR", seat__title="Plantão 24/7")
    assert (desk.visibility_of("phone"), desk.visibility_of("email"), desk.always_available) == (
        "public",
        "public",
        True,
    )
    officer = Contact.objects.get(name="Marcos Teixeira (demo)")
    assert (officer.visibility_of("name"), officer.visibility_of("mobile")) == ("members", "network")
    levels = [
        contact.visibility_of(field)
        for contact in Contact.objects.all()
        for field in ("name", "phone", "mobile", "secure_channel")
    ]
    assert set(levels) == {"public", "members", "network", "secretariat"}
    liaison_abroad = Contact.objects.get(name="Pablo Herrero (demo)")
    assert (liaison_abroad.timezone, liaison_abroad.effective_timezone) == ("America/Bogota", "America/Bogota")


def test_demo_handover_keeps_the_former_holder(reference):
    seed()
    brazil = authority("BR", "mla_central")
    seat = brazil.seats.get(title="Coordenação-Geral de Cooperação em Matéria Penal")
    today = timezone.now().date()
    holders = list(seat.holders.order_by("start_date").values_list("name", "end_date"))
    assert holders == [("Carlos Andrade (demo)", today - dt.timedelta(days=150)), ("Helena Prado (demo)", None)]
    former, current = seat.holders.order_by("start_date")
    handover = RecordVersion.objects.get(record_type="contact", record_id=former.pk, action="handover")
    assert handover.changes == {
        "end_date": [None, (today - dt.timedelta(days=150)).isoformat()],
        "successor": [None, current.pk],
    }
    assert RecordVersion.objects.get(record_type="contact", record_id=current.pk).action == "created"


def test_demo_users_hold_a_seat_in_their_central_authority(reference):
    seed()
    for local, country in (("member.br", "BR"), ("member.id", "ID"), ("member.fr", "FR"), ("coordinator.br", "BR")):
        contact = Contact.objects.select_related("user", "authority__country").get(
            user__email=f"{local}@demo.comity.test"
        )
        assert contact.authority.country.iso2 == country
        assert contact.authority.competences.filter(code="mla_central").exists()
        assert contact.end_date is None


def test_demo_has_overdue_records_for_the_freshness_dashboard(reference):
    seed()
    now = timezone.now()
    overdue = [a for a in demo_authorities() if freshness(a.last_confirmed_at, now)["due"]]
    assert sorted(a.country.iso2 for a in overdue) == ["EG", "FJ", "ID", "JM", "KZ", "NG", "PH"]
    assert sorted((now - a.last_confirmed_at).days for a in overdue) == [212, 215, 222, 226, 228, 232, 240]
    overdue_contacts = [
        c for c in Contact.objects.filter(end_date__isnull=True) if freshness(c.last_confirmed_at, now)["due"]
    ]
    assert len(overdue_contacts) == 13


def test_seed_demo_twice_creates_nothing_the_second_time(reference):
    seed()
    counts = (
        Authority.objects.count(),
        Contact.objects.count(),
        OfficeHours.objects.count(),
        RecordVersion.objects.count(),
        AuditEvent.objects.count(),
    )
    out = seed()
    assert "Demo directory: 0 of 39 authorities and 0 contact point(s) created, 0 linked to demo users." in out
    assert (
        Authority.objects.count(),
        Contact.objects.count(),
        OfficeHours.objects.count(),
        RecordVersion.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_renamed_demo_authority_is_not_created_again(reference):
    seed()
    Authority.objects.filter(country__iso2="PL").update(official_name="Renamed by a coordinator")
    assert directory_demo_seed().authorities_created == 0
    assert Authority.objects.filter(country__iso2="PL").count() == 1


def test_demo_directory_skips_countries_missing_from_reference_data(db):
    for spec in DEMO_USERS:
        CountryFactory(iso2=spec.country, iso3=spec.country + "X")
    NetworkFactory(slug="iberred")
    out = seed()
    assert "Demo directory: 10 of 10 authorities and 27 contact point(s) created, 8 linked to demo users." in out
    assert (
        "skipped countries missing from the reference data: AR, AU, CA, CN, CO, DE, EG, FJ, GB, IN, JM, JP, KR, "
        "KZ, MA, MX, NG, NZ, PH, PL, QA, SA, SN, US, ZA"
    ) in out
    assert sorted(Authority.objects.values_list("country__iso2", flat=True)) == [
        "AT",
        "BR",
        "BR",
        "ES",
        "FR",
        "FR",
        "ID",
        "ID",
        "KE",
        "RU",
    ]


def test_scale_creates_n_authorities_with_four_contacts_each(reference):
    out = seed("--scale", "20")
    synthetic = Authority.objects.filter(email__endswith="@" + SCALE_DOMAIN)
    assert synthetic.count() == 20
    assert Contact.objects.filter(authority__in=synthetic).count() == 80
    assert Seat.objects.filter(authority__in=synthetic).count() == 80
    assert "Synthetic directory: 20 authorities and 80 contact points created (0 existed, 20 wanted)" in out
    assert synthetic.values("country").distinct().count() == 20
    for a in synthetic.prefetch_related("competences", "office_hours"):
        assert "(synthetic)" in a.official_name
        assert a.search_text == a.build_search_text()
        assert len(a.competences.all()) in (1, 2)
        assert bool(a.office_hours.all()) is not a.always_available
    assert AuditEvent.objects.filter(action=AuditAction.DEMO_SEEDED).order_by("seq").last().details == {
        "synthetic_authorities_created": 20,
        "synthetic_contacts_created": 80,
        "seed": 2026,
    }
    out = seed("--scale", "20")
    assert "Synthetic directory: 0 authorities and 0 contact points created (20 existed, 20 wanted)" in out
    assert synthetic.count() == 20


def test_scale_is_deterministic_and_tops_up(reference):
    first = directory_scale_seed(count=12, seed=7, batch_size=5)
    assert (first.authorities_created, first.contacts_created) == (12, 48)
    names = list(
        Authority.objects.filter(email__endswith="@" + SCALE_DOMAIN)
        .order_by("email")
        .values_list("official_name", "country__iso2", "names")
    )
    people = list(Contact.objects.order_by("email").values_list("name", "email"))
    Authority.objects.all().delete()
    directory_scale_seed(count=5, seed=7)
    topped_up = directory_scale_seed(count=12, seed=7)
    assert (topped_up.existing, topped_up.authorities_created) == (5, 7)
    assert list(Authority.objects.order_by("email").values_list("official_name", "country__iso2", "names")) == names
    assert list(Contact.objects.order_by("email").values_list("name", "email")) == people


def test_scale_schedules_pass_office_hours_validation():
    for _weight, intervals in SCHEDULES:
        rows = [{"weekday": day, "opens": opens, "closes": closes or "24:00"} for day, opens, closes in intervals]
        # Every interval comes back as written (the validator sorts them by day and time).
        by_time = sorted(rows, key=lambda row: (row["weekday"], row["opens"]))
        assert [interval.as_dict() for interval in validate_office_hours(rows)] == by_time


def test_scale_must_be_positive(reference):
    with pytest.raises(CommandError, match="invalid _positive value"):
        seed("--scale", "0")
    assert Authority.objects.count() == 0


@override_settings(COMITY_ENVIRONMENT="production")
@pytest.mark.parametrize("args", [(), ("--scale", "20")])
def test_refused_in_production(reference, args):
    with pytest.raises(CommandError, match="refused under production"):
        seed(*args)
    assert Authority.objects.count() == 0
    assert Contact.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.DEMO_SEEDED).exists()


@override_settings(COMITY_ENVIRONMENT="production")
def test_directory_seed_functions_refuse_production_themselves(reference):
    with pytest.raises(ImproperlyConfigured, match="refused under production"):
        directory_demo_seed()
    with pytest.raises(ImproperlyConfigured, match="refused under production"):
        directory_scale_seed(count=3)
    assert Authority.objects.count() == 0
