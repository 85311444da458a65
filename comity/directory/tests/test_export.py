"""Bulk export (CSV, JSON): who may export, which contact fields each viewer gets, filters, formula injection,
re-authentication, audit, streaming and query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from comity.audit.models import AuditAction, AuditEvent
from comity.core.decorators import REAUTH_AT
from comity.directory.importexport.export import CSV_COLUMNS, neutralize
from comity.directory.models import Closure, Visibility
from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

CONFIRMED = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
SECRET_PHONE = "+55 61 3333 7777"
NETWORK_EMAIL = "ana.network@gov.example"
SECRET_CHANNEL = "ejn-secure://ana"


def url(fmt: str, **params) -> str:
    return reverse(f"directory:export_{fmt}") + ("?" + urlencode(params) if params else "")


def body(response) -> str:
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(response) -> list[dict]:
    rows = list(csv.DictReader(io.StringIO(body(response))))
    return rows


@pytest.fixture
def directory(users, brazil, indonesia, iberred):
    """A Brazilian authority with one contact whose fields have every visibility level, an Indonesian one and an
    inactive Brazilian one."""
    br = AuthorityFactory(
        country=brazil,
        official_name="Secretaria Nacional de Justiça (demo)",
        names={"en": "National Secretariat of Justice (demo)"},
        languages_accepted=["pt", "en"],
        urgent_channels=["email", "phone"],
        untoc_mla_basis=True,
        phone="+55 61 2025 0000",
        postal_address="Esplanada dos Ministérios\nBloco T",
        timezone="America/Sao_Paulo",
        website="https://justica.example/",
        competences=["mla_central", "extradition"],
        last_confirmed_at=CONFIRMED,
    )
    Closure.objects.create(
        authority=br, start_date=dt.date(2026, 12, 24), end_date=dt.date(2026, 12, 31), reason="Recess"
    )
    ana = ContactFactory(
        seat__authority=br,
        name="Ana Souza",
        title="Coordinator",
        phone=SECRET_PHONE,
        mobile="+55 61 9 8888 0000",
        email=NETWORK_EMAIL,
        secure_channel=SECRET_CHANNEL,
        languages=["pt", "es"],
        last_confirmed_at=CONFIRMED,
        start_date=dt.date(2025, 3, 1),
        visibility={
            "phone": Visibility.SECRETARIAT,
            "email": Visibility.NETWORK,
            "secure_channel": Visibility.SECRETARIAT,
        },
    )
    ContactFactory(seat__authority=br, name="Former Holder", end_date=dt.date(2025, 1, 1))
    idn = AuthorityFactory(
        country=indonesia,
        official_name="Direktorat Jenderal AHU (demo)",
        competences=["extradition"],
        last_confirmed_at=CONFIRMED,
    )
    inactive = AuthorityFactory(
        country=brazil, official_name="Old Department (demo)", is_active=False, last_confirmed_at=CONFIRMED
    )
    return {"br": br, "ana": ana, "id": idn, "inactive": inactive}


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_permission_matrix(personas, directory, fmt):
    check_matrix(
        personas,
        "GET",
        url(fmt),
        {
            "anonymous": 302,
            "member": 200,
            "member_other": 200,
            "coordinator": 200,
            "coordinator_other": 200,
            "secretariat": 200,
            "moderator": 200,
            "liaison": 200,
            "observer": 200,
        },
    )
    check_matrix(personas, "GET", reverse("directory:export"), {"anonymous": 302, "member": 200, "secretariat": 200})


def test_anonymous_goes_to_sign_in_and_nothing_is_audited(personas, directory):
    response = personas["anonymous"].get(url("csv"))
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    assert not AuditEvent.objects.filter(action=AuditAction.DIRECTORY_EXPORTED).exists()


def test_stale_reauthentication_redirects_and_exports_nothing(personas, directory):
    client = personas["member"]
    session = client.session
    session[REAUTH_AT] = 0
    session.save()
    response = client.get(url("csv", country="BR"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:reauth") + "?" + urlencode({"next": url("csv", country="BR")})
    assert not AuditEvent.objects.filter(action=AuditAction.DIRECTORY_EXPORTED).exists()


CONTACT_CELLS = (
    "contact_name",
    "contact_title",
    "contact_phone",
    "contact_mobile",
    "contact_email",
    "contact_secure_channel",
)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("member", ("Ana Souza", "Coordinator", "", "'+55 61 9 8888 0000", NETWORK_EMAIL, "")),
        ("member_other", ("Ana Souza", "Coordinator", "", "'+55 61 9 8888 0000", "", "")),
        ("coordinator_other", ("Ana Souza", "Coordinator", "", "'+55 61 9 8888 0000", "", "")),
        (
            "coordinator",
            ("Ana Souza", "Coordinator", "'" + SECRET_PHONE, "'+55 61 9 8888 0000", NETWORK_EMAIL, SECRET_CHANNEL),
        ),
        (
            "secretariat",
            ("Ana Souza", "Coordinator", "'" + SECRET_PHONE, "'+55 61 9 8888 0000", NETWORK_EMAIL, SECRET_CHANNEL),
        ),
    ],
)
def test_csv_contact_fields_follow_visibility(personas, directory, persona, expected):
    response = personas[persona].get(url("csv", country="BR"))
    text = body(response)
    rows = list(csv.DictReader(io.StringIO(text)))
    contacts = [row for row in rows if row["record"] == "contact"]
    assert [tuple(row[c] for c in CONTACT_CELLS) for row in contacts] == [expected]
    if persona not in ("coordinator", "secretariat"):
        assert SECRET_PHONE not in text and SECRET_CHANNEL not in text
    if persona in ("member_other", "coordinator_other"):
        assert NETWORK_EMAIL not in text


@pytest.mark.parametrize(
    ("persona", "keys"),
    [
        (
            "member",
            [
                "always_available",
                "email",
                "id",
                "languages",
                "last_confirmed_at",
                "mobile",
                "name",
                "start_date",
                "timezone",
                "title",
            ],
        ),
        (
            "member_other",
            [
                "always_available",
                "id",
                "languages",
                "last_confirmed_at",
                "mobile",
                "name",
                "start_date",
                "timezone",
                "title",
            ],
        ),
        (
            "secretariat",
            [
                "always_available",
                "email",
                "id",
                "languages",
                "last_confirmed_at",
                "mobile",
                "name",
                "phone",
                "secure_channel",
                "start_date",
                "timezone",
                "title",
            ],
        ),
    ],
)
def test_json_contact_fields_follow_visibility(personas, directory, persona, keys):
    text = body(personas[persona].get(url("json", country="BR")))
    document = json.loads(text)
    [contact] = [c for a in document["authorities"] for c in a["contacts"]]
    assert sorted(contact) == keys
    if persona != "secretariat":
        assert SECRET_PHONE not in text and SECRET_CHANNEL not in text


def test_json_document(personas, directory):
    br, ana = directory["br"], directory["ana"]
    document = json.loads(body(personas["member"].get(url("json", q="justiça"))))
    assert set(document) == {"generated_at", "filters", "authorities"}
    assert document["filters"] == {"q": "justiça"}
    assert document["authorities"] == [
        {
            "id": br.pk,
            "country": "BR",
            "official_name": "Secretaria Nacional de Justiça (demo)",
            "names": {"en": "National Secretariat of Justice (demo)"},
            "competences": [
                {"code": "extradition", "instrument": "untoc_18_13", "scope_notes": ""},
                {"code": "mla_central", "instrument": "untoc_18_13", "scope_notes": ""},
            ],
            "languages_accepted": ["pt", "en"],
            "channels": ["direct", "electronic"],
            "urgent_channels": ["email", "phone"],
            "untoc_mla_basis": True,
            "untoc_extradition_basis": False,
            "postal_address": "Esplanada dos Ministérios\nBloco T",
            "email": br.email,
            "phone": "+55 61 2025 0000",
            "website": "https://justica.example/",
            "timezone": "America/Sao_Paulo",
            "holiday_subdivision": "",
            "always_available": False,
            "office_hours": [
                {"weekday": day, "opens": opens, "closes": closes}
                for day in range(5)
                for opens, closes in (("09:00", "13:00"), ("14:00", "18:00"))
            ],
            "closures": [{"start_date": "2026-12-24", "end_date": "2026-12-31", "reason": "Recess"}],
            "is_active": True,
            "last_confirmed_at": "2026-01-15T12:00:00+00:00",
            "contacts": [
                {
                    "id": ana.pk,
                    "name": "Ana Souza",
                    "title": "Coordinator",
                    "mobile": "+55 61 9 8888 0000",
                    "email": NETWORK_EMAIL,
                    "languages": ["pt", "es"],
                    "timezone": None,
                    "always_available": False,
                    "start_date": "2025-03-01",
                    "last_confirmed_at": "2026-01-15T12:00:00+00:00",
                }
            ],
        }
    ]


def test_csv_layout_and_round_trip_columns(personas, directory):
    br, ana = directory["br"], directory["ana"]
    response = personas["member"].get(url("csv", country="BR"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="comity-directory-')
    rows = list(csv.reader(io.StringIO(body(response))))
    assert rows[0] == CSV_COLUMNS
    record = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert {k: v for k, v in record.items() if v} == {
        "record": "authority",
        "id": str(br.pk),
        "authority_id": str(br.pk),
        "country": "BR",
        "official_name": "Secretaria Nacional de Justiça (demo)",
        "names_en": "National Secretariat of Justice (demo)",
        "competences": "extradition:untoc_18_13;mla_central:untoc_18_13",
        "languages_accepted": "pt;en",
        "channels": "direct;electronic",
        "urgent_channels": "email;phone",
        "untoc_mla_basis": "true",
        "untoc_extradition_basis": "false",
        "postal_address": "Esplanada dos Ministérios\nBloco T",
        "email": br.email,
        "phone": "'+55 61 2025 0000",
        "website": "https://justica.example/",
        "timezone": "America/Sao_Paulo",
        "always_available": "false",
        "office_hours": "Mon 09:00-13:00; Mon 14:00-18:00; Tue 09:00-13:00; Tue 14:00-18:00; Wed 09:00-13:00; "
        "Wed 14:00-18:00; Thu 09:00-13:00; Thu 14:00-18:00; Fri 09:00-13:00; Fri 14:00-18:00",
        "is_active": "true",
        "last_confirmed_at": "2026-01-15T12:00:00+00:00",
    }
    contact = dict(zip(CSV_COLUMNS, rows[2], strict=True))
    assert {k: v for k, v in contact.items() if v} == {
        "record": "contact",
        "authority_id": str(br.pk),
        "contact_id": str(ana.pk),
        "country": "BR",
        "official_name": "Secretaria Nacional de Justiça (demo)",
        "last_confirmed_at": "2026-01-15T12:00:00+00:00",
        "contact_name": "Ana Souza",
        "contact_title": "Coordinator",
        "contact_languages": "pt;es",
        "contact_mobile": "'+55 61 9 8888 0000",
        "contact_email": NETWORK_EMAIL,
        "contact_always_available": "false",
        "contact_start_date": "2025-03-01",
    }
    assert len(rows) == 3  # the former holder is not exported, nor the inactive authority


def test_formula_cells_are_defused(personas, brazil):
    authority = AuthorityFactory(
        country=brazil,
        official_name='=HYPERLINK("http://evil.example","x")',
        phone="-1+1",
        postal_address="@SUM(A1:A2)",
    )
    ContactFactory(seat__authority=authority, name="+cmd|' /C calc'!A0", title="\tTab", visibility={})
    rows = csv_rows(personas["member"].get(url("csv")))
    assert (rows[0]["official_name"], rows[0]["phone"], rows[0]["postal_address"]) == (
        '\'=HYPERLINK("http://evil.example","x")',
        "'-1+1",
        "'@SUM(A1:A2)",
    )
    assert (rows[1]["contact_name"], rows[1]["contact_title"]) == ("'+cmd|' /C calc'!A0", "'\tTab")
    assert [neutralize(v) for v in ("=1", "+1", "-1", "@a", "\rx", "a=1", "", None, 5)] == [
        "'=1",
        "'+1",
        "'-1",
        "'@a",
        "'\rx",
        "a=1",
        "",
        "",
        "5",
    ]


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({}, ["Secretaria Nacional de Justiça (demo)", "Direktorat Jenderal AHU (demo)"]),
        ({"country": "ID"}, ["Direktorat Jenderal AHU (demo)"]),
        ({"competence": "mla_central"}, ["Secretaria Nacional de Justiça (demo)"]),
        ({"network": "iberred"}, ["Secretaria Nacional de Justiça (demo)"]),
        ({"region": "035"}, ["Direktorat Jenderal AHU (demo)"]),
        ({"q": "ahu"}, ["Direktorat Jenderal AHU (demo)"]),
        ({"language": "pt"}, ["Secretaria Nacional de Justiça (demo)"]),
    ],
)
def test_filters_are_those_of_the_browse_page(personas, directory, indonesia, params, names):
    indonesia.region_m49, indonesia.subregion_m49 = "142", "035"
    indonesia.save()
    rows = csv_rows(personas["member"].get(url("csv", **params)))
    assert [row["official_name"] for row in rows if row["record"] == "authority"] == names


def test_inactive_authorities_only_for_their_editors(personas, directory):
    def names(persona):
        return [
            r["official_name"]
            for r in csv_rows(personas[persona].get(url("csv", country="BR")))
            if r["record"] == "authority"
        ]

    assert names("member") == ["Secretaria Nacional de Justiça (demo)"]
    assert names("coordinator_other") == ["Secretaria Nacional de Justiça (demo)"]
    assert names("coordinator") == ["Old Department (demo)", "Secretaria Nacional de Justiça (demo)"]


def test_invalid_filter_is_rejected_and_not_audited(personas, directory):
    response = personas["member"].get(url("csv", competence="piracy", country="ZZ"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "“piracy” is not a competence." in text and "“ZZ” is not a country in Comity." in text
    assert not AuditEvent.objects.filter(action=AuditAction.DIRECTORY_EXPORTED).exists()


def test_export_is_audited_with_filters_and_format(personas, users, directory):
    body(personas["member"].get(url("json", country="BR", competence="extradition")))
    body(personas["secretariat"].get(url("csv")))
    events = list(AuditEvent.objects.filter(action=AuditAction.DIRECTORY_EXPORTED).order_by("seq"))
    assert [(e.actor_id, e.country_code, e.details) for e in events] == [
        (users["member"].pk, "BR", {"format": "json", "filters": {"country": "BR", "competence": "extradition"}}),
        (users["secretariat"].pk, "", {"format": "csv", "filters": {}}),
    ]


def test_unknown_format_is_404(personas):
    assert personas["member"].get(reverse("directory:export_csv").replace("/csv/", "/xml/")).status_code == 404


def test_export_page_offers_both_formats(personas, directory):
    page = personas["member"].get(reverse("directory:export")).content.decode()
    assert f'formaction="{reverse("directory:export_csv")}"' in page
    assert f'formaction="{reverse("directory:export_json")}"' in page


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_query_count_does_not_grow_with_rows(nothing_kept, personas, brazil, fmt):
    client = personas["member"]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            body(client.get(url(fmt)))
        return len(queries)

    body(client.get(url(fmt)))  # the first audit event ever also creates the chain's head
    for _ in range(2):
        ContactFactory(seat__authority=AuthorityFactory(country=brazil))
    count()  # the factories' new countries change the reference data: this request reloads the shared lists
    small = count()
    for _ in range(8):
        authority = AuthorityFactory(country=brazil)
        ContactFactory(seat__authority=authority)
        ContactFactory(seat__authority=authority)
    count()
    assert count() == small
    assert small == 17  # an unchanged session is not saved; networks come from the process's shared list
