"""CSV import: the page (dry run, apply, apply-valid-only), every kind of rejected row and file, and the command."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from comity.audit.models import AuditAction, AuditEvent
from comity.core.decorators import REAUTH_AT
from comity.directory import services
from comity.directory.importexport import csv_import
from comity.directory.importexport.csv_import import Mode
from comity.directory.models import Authority, ImportJob, RecordVersion
from comity.directory.tests.factories import AuthorityFactory
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

HEADER = [
    "id",
    "country",
    "official_name",
    "names_en",
    "competences",
    "languages_accepted",
    "channels",
    "urgent_channels",
    "untoc_mla_basis",
    "untoc_extradition_basis",
    "email",
    "phone",
    "timezone",
    "always_available",
    "office_hours",
]
NEW_BR = {
    "id": "",
    "country": "BR",
    "official_name": "Departamento de Cooperação (demo)",
    "names_en": "Department of Cooperation (demo)",
    "competences": "mla_central:untoc_18_13;extradition",
    "languages_accepted": "pt;en",
    "channels": "direct;electronic",
    "urgent_channels": "email",
    "untoc_mla_basis": "true",
    "untoc_extradition_basis": "false",
    "email": "dc@gov.example",
    "phone": "+55 61 2025 0001",
    "timezone": "America/Sao_Paulo",
    "always_available": "no",
    "office_hours": "Mon-Fri 09:00-13:00; Mon 14:00-18:00; Fri 22:00-24:00",
}


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    """Where the previous release staged files: nothing may be written there any more (staging is in the DB)."""
    settings.DIRECTORY_IMPORT_DIR = tmp_path / "imports"
    yield
    assert not (tmp_path / "imports").exists()


def make_csv(rows: list[dict], header: list[str] = HEADER, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue().encode("utf-8")


def upload(client, content: bytes, name: str = "authorities.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("directory:import"), {"file": SimpleUploadedFile(name, content, "text/csv")})


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def report_rows(response) -> list[tuple[str, ...]]:
    """(row, authority, result, details) of each line of the report table, as the reader sees them."""
    html = response.content.decode()
    return [
        tuple(_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S))
        for match in re.finditer(r'<tr id="row-\d+">(.*?)</tr>', html, re.S)
    ]


def token_of(response) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def file_errors(response) -> list[str]:
    html = response.content.decode()
    block = re.search(r'<ul class="errors" id="id_file_errors">(.*?)</ul>', html, re.S)
    return [_text(item) for item in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)] if block else []


def form_errors(response) -> list[str]:
    html = response.content.decode()
    block = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', html, re.S)
    return [_text(item) for item in re.findall(r"<p>(.*?)</p>", block.group(1), re.S)] if block else []


def page_text(response) -> str:
    return _text(response.content.decode())


def run(user, rows, mode=Mode.DRY_RUN, header=HEADER):
    parsed = csv_import.parse_csv(make_csv(rows, header), name="t.csv")
    return csv_import.run_import(actor=user, parsed=parsed, mode=mode)


def state() -> tuple:
    """Everything an import could change."""
    return (
        sorted(
            (a.pk, tuple(sorted(services.authority_snapshot(a).items(), key=str)).__repr__())
            for a in Authority.objects.all()
        ),
        RecordVersion.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def existing(brazil):
    return AuthorityFactory(
        country=brazil,
        official_name="Ministério da Justiça (demo)",
        phone="+55 61 1",
        names={"es": "Ministerio de Justicia (demo)"},
        timezone="America/Sao_Paulo",
    )


def test_permission_matrix(personas, users):
    check_matrix(
        personas,
        "GET",
        reverse("directory:import"),
        {
            "anonymous": 302,
            "member": 404,
            "member_other": 404,
            "moderator": 404,
            "liaison": 404,
            "observer": 404,
            "coordinator": 200,
            "coordinator_other": 200,
            "secretariat": 200,
        },
    )


def test_page_documents_columns_and_scope(personas):
    page = personas["coordinator"].get(reverse("directory:import")).content.decode()
    assert "You may import authorities of: <bdi>Brazil (BR)</bdi>. Rows for other countries are rejected." in page
    for column in (
        "official_name",
        "names_en, names_fr, names_es, names_ru, names_zh-hans, names_ar, names_pt",
        "untoc_mla_basis, untoc_extradition_basis, always_available",
        "office_hours",
    ):
        assert f"<code>{column}</code>" in page
    assert "<code>mla_central</code> (Central authority for mutual legal assistance)" in page


def test_dry_run_then_apply(personas, users, existing):
    update = {
        **NEW_BR,
        "id": str(existing.pk),
        "official_name": "Ministério da Justiça (demo)",
        "names_en": "Ministry of Justice (demo)",
        "competences": "mla_central:untoc_18_13",
        "office_hours": "Mon-Fri 09:00-13:00; Mon-Fri 14:00-18:00",
        "languages_accepted": "en",
        "channels": "direct;electronic",
        "urgent_channels": "",
        "untoc_mla_basis": "false",
        "email": existing.email,
        "phone": "+55 61 2",
        "always_available": "false",
    }
    before = state()
    response = upload(personas["coordinator"], make_csv([NEW_BR, update]))
    assert response.status_code == 200
    assert state() == before
    assert report_rows(response) == [
        ("2", "Departamento de Cooperação (demo)", "would create", ""),
        ("3", f"Ministério da Justiça (demo) #{existing.pk}", "would update", "Fields: names and phone"),
    ]
    page = response.content.decode()
    assert "Dry run: nothing has been saved" in page
    token = token_of(response)
    assert 'value="apply"' in page and 'value="apply_valid"' not in page

    response = personas["coordinator"].post(reverse("directory:import"), {"token": token, "action": "apply"})
    assert response.status_code == 200
    created = Authority.objects.get(official_name="Departamento de Cooperação (demo)")
    assert report_rows(response) == [
        ("2", f"Departamento de Cooperação (demo) #{created.pk}", "created", ""),
        ("3", f"Ministério da Justiça (demo) #{existing.pk}", "updated", "Fields: names and phone"),
    ]
    assert "Import applied: 1 created, 1 updated, 0 unchanged, 0 rows with errors not imported." in page_text(response)
    snapshot = services.authority_snapshot(created)
    assert {
        key: snapshot[key]
        for key in (
            "country",
            "names",
            "languages_accepted",
            "channels",
            "urgent_channels",
            "untoc_mla_basis",
            "always_available",
            "phone",
        )
    } == {
        "country": "BR",
        "names": {"en": "Department of Cooperation (demo)"},
        "languages_accepted": ["en", "pt"],
        "channels": ["direct", "electronic"],
        "urgent_channels": ["email"],
        "untoc_mla_basis": True,
        "always_available": False,
        "phone": "+55 61 2025 0001",
    }
    assert snapshot["competences"] == [
        {"code": "extradition", "instrument": "", "scope_notes": ""},
        {"code": "mla_central", "instrument": "untoc_18_13", "scope_notes": ""},
    ]
    assert [(h["weekday"], h["opens"], h["closes"]) for h in snapshot["office_hours"]] == [
        (0, "09:00", "13:00"),
        (0, "14:00", "18:00"),
        (1, "09:00", "13:00"),
        (2, "09:00", "13:00"),
        (3, "09:00", "13:00"),
        (4, "09:00", "13:00"),
        (4, "22:00", "24:00"),
    ]
    existing.refresh_from_db()
    # Names in languages without a column are kept.
    assert existing.names == {"es": "Ministerio de Justicia (demo)", "en": "Ministry of Justice (demo)"}
    assert existing.phone == "+55 61 2"
    assert list(RecordVersion.objects.order_by("pk").values_list("record_id", "action")) == [
        (created.pk, "imported"),
        (existing.pk, "imported"),
    ]
    events = list(AuditEvent.objects.order_by("seq").values_list("action", "country_code", "actor_label"))
    assert events == [
        (AuditAction.DIRECTORY_IMPORT_QUEUED, "BR", "coord.br@example.test"),
        (AuditAction.AUTHORITY_CREATED, "BR", "coord.br@example.test"),
        (AuditAction.AUTHORITY_UPDATED, "BR", "coord.br@example.test"),
        (AuditAction.DIRECTORY_IMPORTED, "BR", "coord.br@example.test"),
    ]
    imported = AuditEvent.objects.get(action=AuditAction.DIRECTORY_IMPORTED)
    assert {k: v for k, v in imported.details.items() if k != "sha256"} == {
        "file": "authorities.csv",
        "valid_rows_only": False,
        "rows": 2,
        "created": 1,
        "updated": 1,
        "unchanged": 0,
        "skipped": 0,
        "errors": 0,
    }
    assert imported.details["sha256"] == csv_import.parse_csv(make_csv([NEW_BR, update])).sha256
    assert ImportJob.objects.get().content is None  # the staged file is erased once applied
    # The token is spent: applying again changes nothing.
    after = state()
    response = personas["coordinator"].post(reverse("directory:import"), {"token": token, "action": "apply"})
    assert response.status_code == 400
    assert form_errors(response) == [
        "The uploaded file is no longer available (files are kept for an hour). Upload it again."
    ]
    assert state() == after


def test_unchanged_rows_and_semicolon_files(users, existing):
    row = {"id": str(existing.pk), "country": "BR", "official_name": existing.official_name}
    report = run(users["secretariat"], [row], Mode.APPLY, header=["id", "country", "official_name"])
    assert [(r.status, r.changed) for r in report.rows] == [("unchanged", [])]
    parsed = csv_import.parse_csv(make_csv([NEW_BR], delimiter=";"))
    assert parsed.rows[0].cells["competences"] == "mla_central:untoc_18_13;extradition"
    assert parsed.rows[0].cells["office_hours"] == NEW_BR["office_hours"]


REJECTED = [
    (
        {"timezone": "Mars/Olympus_Mons"},
        "timezone",
        "Unknown time zone Mars/Olympus_Mons; use an IANA name such as Europe/Paris.",
    ),
    (
        {"office_hours": "Mon 18:00-09:00"},
        "office_hours",
        '"Mon 18:00-09:00": closes must be later than opens; split a shift past midnight into two intervals '
        "(Fri 22:00-24:00; Sat 00:00-02:00).",
    ),
    (
        {"office_hours": "Mon 9-13"},
        "office_hours",
        '"Mon 9-13": times must be written HH:MM (24-hour clock; closes may be 24:00).',
    ),
    (
        {"office_hours": "Lun 09:00-13:00"},
        "office_hours",
        '"Lun 09:00-13:00": unknown day; use Mon, Tue, Wed, Thu, Fri, Sat or Sun.',
    ),
    (
        {"office_hours": "Mon 09:00-13:00; Mon 12:00-14:00"},
        "office_hours",
        "Intervals overlap on weekday 0: 09:00-13:00 and 12:00-14:00.",
    ),
    (
        {"competences": "mla_central;piracy"},
        "competences",
        "Unknown competence piracy. Allowed: mla_central, extradition, sentenced_transfer, proceedings_transfer, "
        "asset_recovery, cybercrime_24_7, migrant_smuggling_sea, firearms, cultural_property, jit.",
    ),
    ({"competences": "mla_central:treaty_of_nowhere"}, "competences", "Unknown instrument treaty_of_nowhere."),
    ({"untoc_mla_basis": "maybe"}, "untoc_mla_basis", 'Must be true or false, not "maybe".'),
    (
        {"languages_accepted": "pt;xx"},
        "languages_accepted",
        "Unknown language code(s): xx. Use ISO 639-1 codes such as en, fr, pt.",
    ),
    (
        {"channels": "pigeon"},
        "channels",
        "Unknown code(s): pigeon. Allowed: diplomatic, direct, electronic, interpol, network.",
    ),
    ({"email": "not an address"}, "email", "Enter a valid e-mail address."),
    ({"phone": "+55 " + "1" * 40}, "phone", "At most 40 characters (this cell has 44)."),
    ({"country": "ID"}, "country", "You may only import authorities of the countries you coordinate (BR), not ID."),
    ({"country": "ZZ"}, "country", "You may only import authorities of the countries you coordinate (BR), not ZZ."),
    ({"id": "abc"}, "id", "Must be blank (new authority) or the number of an existing authority."),
    ({"id": "999999"}, "id", "There is no authority 999999 that you may edit."),
    ({"official_name": ""}, "official_name", "The official name is required."),
    ({"competences": ""}, "competences", "An authority needs at least one competence."),
]


@pytest.mark.parametrize(("change", "column", "message"), REJECTED)
def test_rejected_row_names_the_column(users, existing, change, column, message):
    before = state()
    report = run(users["coordinator"], [NEW_BR, {**NEW_BR, **change}], Mode.APPLY)
    assert not report.applied
    assert [r.status for r in report.rows] == ["create", "error"]
    assert [(e.column, e.message) for e in report.rows[1].errors] == [(column, message)]
    assert state() == before


def test_rows_of_a_foreign_authority_are_rejected_for_a_coordinator(users, indonesia):
    foreign = AuthorityFactory(country=indonesia)
    before = state()
    report = run(users["coordinator"], [{**NEW_BR, "id": str(foreign.pk), "country": "BR"}], Mode.APPLY)
    assert [(e.column, e.message) for e in report.rows[0].errors] == [
        ("id", f"There is no authority {foreign.pk} that you may edit.")
    ]
    assert state() == before


def test_repeated_id_and_wrong_cell_count(users, existing):
    row = {"id": str(existing.pk), "country": "BR", "official_name": "X"}
    content = make_csv([row, row], header=["id", "country", "official_name"]) + b"1,2\r\n"
    report = csv_import.run_import(actor=users["secretariat"], parsed=csv_import.parse_csv(content), mode=Mode.DRY_RUN)
    assert [(r.number, r.status, [(e.column, e.message) for e in r.errors]) for r in report.rows] == [
        (2, "update", []),
        (3, "error", [("id", f"Authority {existing.pk} is already on row 2.")]),
        (4, "error", [("", "This row has 2 cells; the header has 3.")]),
    ]


def test_any_invalid_row_changes_nothing_unless_valid_rows_only(personas, users, existing):
    content = make_csv(
        [
            NEW_BR,
            {**NEW_BR, "official_name": "Bad", "timezone": "Nowhere/Land"},
            {**NEW_BR, "official_name": "Also new"},
        ]
    )
    before = state()
    response = upload(personas["coordinator"], content)
    error = "timezone: Unknown time zone Nowhere/Land; use an IANA name such as Europe/Paris."
    assert report_rows(response) == [
        ("2", "Departamento de Cooperação (demo)", "would create", ""),
        ("3", "Bad", "error", error),
        ("4", "Also new", "would create", ""),
    ]
    token = token_of(response)
    page = response.content.decode()
    assert 'value="apply_valid"' in page and 'value="apply"' not in page
    assert state() == before

    # Applying the whole file (e.g. a forged "apply") is refused as a whole.
    response = personas["coordinator"].post(reverse("directory:import"), {"token": token, "action": "apply"})
    assert response.status_code == 400
    assert "Some rows have errors, so no row was imported." in page_text(response)
    assert [row[2] for row in report_rows(response)] == ["would create", "error", "would create"]
    assert state() == before

    response = personas["coordinator"].post(reverse("directory:import"), {"token": token, "action": "apply_valid"})
    assert response.status_code == 200
    assert [row[2] for row in report_rows(response)] == ["created", "error, not imported", "created"]
    assert sorted(Authority.objects.values_list("official_name", flat=True)) == [
        "Also new",
        "Departamento de Cooperação (demo)",
        "Ministério da Justiça (demo)",
    ]
    imported = AuditEvent.objects.get(action=AuditAction.DIRECTORY_IMPORTED)
    assert (imported.details["created"], imported.details["errors"], imported.details["valid_rows_only"]) == (
        2,
        1,
        True,
    )
    assert AuditEvent.objects.filter(action=AuditAction.AUTHORITY_CREATED).count() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"id,country,name\r\n,BR,X\r\n",
            "The header line is not right: unknown column(s): name; missing column(s): "
            "official_name. The columns are: id, country, official_name, names_en, "
            "names_fr, names_es, names_ru, names_zh-hans, names_ar, names_pt, "
            "competences, languages_accepted, channels, urgent_channels, "
            "untoc_mla_basis, untoc_extradition_basis, postal_address, email, phone, "
            "website, timezone, holiday_subdivision, always_available, office_hours.",
        ),
        (
            b"id,country,official_name,country\r\n",
            "The header line is not right: repeated column(s): country. "
            "The columns are: id, country, official_name, names_en, names_fr, "
            "names_es, names_ru, names_zh-hans, names_ar, names_pt, competences, "
            "languages_accepted, channels, urgent_channels, untoc_mla_basis, "
            "untoc_extradition_basis, postal_address, email, phone, website, "
            "timezone, holiday_subdivision, always_available, office_hours.",
        ),
        (
            "id,country,official_name\r\n,BR,Ministério\r\n".encode("latin-1"),
            'The file is not UTF-8 text (byte 37). In a spreadsheet, save it as "CSV UTF-8".',
        ),
        (b"", "The submitted file is empty."),
    ],
)
def test_rejected_file_changes_nothing(personas, existing, content, message):
    before = state()
    response = upload(personas["secretariat"], content)
    assert response.status_code == 400
    assert file_errors(response) == [message]
    assert "Row-by-row report" not in response.content.decode()
    assert state() == before
    assert not ImportJob.objects.exists()


def test_too_large_file_is_rejected(personas, settings, existing):
    settings.DIRECTORY_IMPORT_MAX_BYTES = 1024 * 1024
    before = state()
    response = upload(personas["secretariat"], make_csv([NEW_BR] * 5000))
    assert response.status_code == 400
    [error] = file_errors(response)
    assert re.fullmatch(
        r"The file is too large \(1\.\d MB\); the limit is 1\.0 MB\. Split it, or ask the "
        r"secretariat to run the import command\.",
        error,
    )
    assert state() == before
    with pytest.raises(csv_import.ImportFileError) as info:
        csv_import.parse_csv(b"x" * 2000, limit=1000)
    assert (
        info.value.message == "The file is too large (0.0 MB); the limit is 0.0 MB. Split it, or ask the "
        "secretariat to run the import command."
    )


def test_too_many_rows_for_the_page(personas, settings, existing):
    settings.DIRECTORY_IMPORT_MAX_ROWS = 3
    before = state()
    response = upload(personas["secretariat"], make_csv([NEW_BR] * 4))
    assert response.status_code == 400
    assert file_errors(response) == [
        "The file has 4 rows; this page takes at most 3. Split it, or ask the secretariat to run the import command."
    ]
    assert state() == before


@pytest.mark.parametrize("content", [b"", b"  \r\n\r\n"])
def test_empty_file(content):
    with pytest.raises(csv_import.ImportFileError) as info:
        csv_import.parse_csv(content)
    assert info.value.message == "The file is empty."


def test_header_only_file_offers_nothing_to_apply(personas, existing):
    response = upload(personas["secretariat"], b"id,country,official_name\r\n\r\n")
    assert response.status_code == 200
    assert report_rows(response) == []
    page = page_text(response)
    assert "The file has a header but no rows." in page
    assert 'name="token"' not in response.content.decode()


def test_byte_order_mark_is_accepted(users):
    parsed = csv_import.parse_csv("\ufeff".encode() + make_csv([NEW_BR]))
    assert parsed.columns[:3] == ["id", "country", "official_name"]


def test_token_of_another_session_or_tampered_is_refused(personas, users, existing, client):
    response = upload(personas["coordinator"], make_csv([NEW_BR]))
    token = token_of(response)
    before = state()
    for client_name, data in [
        ("secretariat", {"token": token, "action": "apply"}),
        ("coordinator", {"token": "../../etc/passwd", "action": "apply"}),
        ("coordinator", {"token": token, "action": "drop_tables"}),
    ]:
        response = personas[client_name].post(reverse("directory:import"), data)
        assert response.status_code == 400
        assert form_errors(response) == [
            "The uploaded file is no longer available (files are kept for an hour). Upload it again."
        ]
    assert state() == before


def test_stale_reauthentication_is_asked_again(personas):
    client = personas["coordinator"]
    session = client.session
    session[REAUTH_AT] = 0
    session.save()
    response = client.get(reverse("directory:import"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauth") + "?next=")


def test_service_refuses_non_importers(users):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        run(users["member"], [NEW_BR])


def test_export_round_trip_changes_nothing(personas, users, existing):
    from comity.directory.tests.factories import ContactFactory

    ContactFactory(seat__authority=existing, name='=HYPERLINK("x")', phone="+55 61 9")
    response = personas["coordinator"].get(reverse("directory:export_csv"))
    content = b"".join(response.streaming_content)
    report = csv_import.run_import(actor=users["coordinator"], parsed=csv_import.parse_csv(content), mode=Mode.APPLY)
    assert [(r.status, r.changed) for r in report.rows] == [("unchanged", []), ("skipped", [])]


# --- the management command ------------------------------------------------------------------------------


def test_command_dry_run_with_progress(users, existing, tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(make_csv([{**NEW_BR, "official_name": f"Authority {n}"} for n in range(250)]))
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "directory_import", str(path), "--user", "SECRETARIAT@example.test", "--dry-run", stdout=out, stderr=err
    )
    assert (
        out.getvalue() == "Dry run, nothing saved. 250 rows: 250 new, 0 updated, 0 unchanged, 0 skipped, "
        "0 with errors.\n"
    )
    assert err.getvalue() == (
        "\r[############..................] 100/250 rows (40%)"
        "\r[########################......] 200/250 rows (80%)"
        "\r[##############################] 250/250 rows (100%)\n"
    )
    assert Authority.objects.count() == 1


def test_command_apply_and_apply_valid(users, existing, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(make_csv([NEW_BR, {**NEW_BR, "official_name": "Bad", "untoc_mla_basis": "sometimes"}]))
    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("directory_import", str(path), "--user", "coord.br@example.test", stdout=out, stderr=io.StringIO())
    assert str(info.value) == "1 row(s) with errors."
    assert out.getvalue() == (
        'row 3: untoc_mla_basis: Must be true or false, not "sometimes".\n'
        "Not applied: some rows have errors, nothing was changed. 2 rows: 1 new, 0 updated, "
        "0 unchanged, 0 skipped, 1 with errors.\n"
    )
    assert Authority.objects.count() == 1 and not AuditEvent.objects.exists()
    out = io.StringIO()
    call_command(
        "directory_import",
        str(path),
        "--user",
        "coord.br@example.test",
        "--apply-valid",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert out.getvalue().endswith("Applied. 2 rows: 1 new, 0 updated, 0 unchanged, 0 skipped, 1 with errors.\n")
    assert Authority.objects.count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.DIRECTORY_IMPORTED).count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--user", "member.br@example.test"],
            "No active secretariat member or national coordinator with e-mail member.br@example.test.",
        ),
        (
            ["--user", "secretariat@example.test", "--dry-run", "--apply-valid"],
            "Choose --dry-run or --apply-valid, not both.",
        ),
    ],
)
def test_command_refusals(users, tmp_path, args, message):
    path = tmp_path / "a.csv"
    path.write_bytes(make_csv([NEW_BR]))
    with pytest.raises(CommandError) as info:
        call_command("directory_import", str(path), *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert str(info.value) == message
    assert not Authority.objects.exists()


def test_command_rejects_unreadable_and_non_utf8_files(users, tmp_path):
    with pytest.raises(CommandError) as info:
        call_command("directory_import", str(tmp_path / "missing.csv"), "--user", "secretariat@example.test")
    assert str(info.value) == f"Cannot read {tmp_path / 'missing.csv'}: No such file or directory."
    path = tmp_path / "latin.csv"
    path.write_bytes("id,country,official_name\r\n,BR,Justiça\r\n".encode("cp1252"))
    with pytest.raises(CommandError) as info:
        call_command("directory_import", str(path), "--user", "secretariat@example.test")
    assert str(info.value) == 'The file is not UTF-8 text (byte 36). In a spreadsheet, save it as "CSV UTF-8".'
