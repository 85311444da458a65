"""Import of a depositary status table (UN Treaty Collection layout): dry run, row report, bad rows, applying."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from comity import testing
from comity.audit.models import AuditAction, AuditEvent
from comity.reference.tests.factories import CountryFactory
from comity.treaties import importing
from comity.treaties.models import Coverage, Declaration, Instrument, Party

D = dt.date
pytestmark = pytest.mark.django_db
HEADER = (
    'Participant,Signature,"Ratification, Accession(a), Acceptance(A), Approval(AA), Succession(d)",Entry into force\n'
)
GOOD = HEADER + (
    "Brazil,12 Dec 2000,29 Jan 2004,28 Feb 2004\n"
    "Japan,12 Dec 2000,11 Jul 2017 A,\n"
    "France 3,12 Dec 2000,29 Oct 2002 AA,\n"
    "Indonesia,12 Dec 2000,20 Apr 2009,20 May 2009\n"
)
BAD = HEADER + (
    "Brazil,12 Dec 2000,29 Jan 2004,28 Feb 2004\n"
    "Atlantis,,1 Jan 2001,\n"
    "Japan,2000-12-12,11 July 2017 X,\n"
    "France,12 Dec 2003,29 Oct 2002,\n"
    "Indonesia,,20 Apr 2009,1 Jan 2003\n"
)
SOURCE = "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XVIII-12&chapter=18"


class Unchanged(testing.Unchanged):
    tables = (Instrument, Coverage, Party, Declaration)


@pytest.fixture
def japan(db):
    return CountryFactory(iso2="JP", name_en="Japan")


def run(instrument, content, mode, actor):
    return importing.run_import(
        actor=actor, instrument=instrument, content=content, mode=mode, source=SOURCE, as_of=D(2026, 12, 1)
    )


def test_dry_run_reports_and_changes_nothing(users, untoc, japan, france):
    guard = Unchanged(*untoc.parties.all())
    report = run(untoc, GOOD, importing.Mode.DRY_RUN, users["secretariat"])
    assert report.applied is False
    assert [(r.number, r.country, r.status) for r in report.rows] == [
        (2, "BR", "update"),
        (3, "JP", "create"),
        (4, "FR", "create"),
        (5, "ID", "update"),
    ]
    assert report.rows[0].changed == ["as_of", "signed_on", "source"]
    assert report.counts == {"rows": 4, "created": 2, "updated": 2, "unchanged": 0, "errors": 0}
    guard.check()


def test_apply_writes_kinds_from_suffixes_unverified(users, untoc, japan, france):
    untoc.parties.update(verified=True)
    report = run(untoc, GOOD, importing.Mode.APPLY, users["secretariat"])
    assert report.applied is True
    rows = {p.country.iso2: p for p in untoc.parties.select_related("country")}
    assert {code: (p.consent_kind, p.consent_on, p.in_force_on, p.verified) for code, p in rows.items()} == {
        "BR": ("ratification", D(2004, 1, 29), D(2004, 2, 28), False),
        "FR": ("approval", D(2002, 10, 29), None, False),
        "ID": ("ratification", D(2009, 4, 20), D(2009, 5, 20), False),
        "JP": ("acceptance", D(2017, 7, 11), None, False),
    }
    assert rows["JP"].source == SOURCE and rows["JP"].as_of == D(2026, 12, 1)
    assert AuditEvent.objects.latest("seq").action == AuditAction.PARTIES_IMPORTED
    again = run(untoc, GOOD, importing.Mode.APPLY, users["secretariat"])
    assert again.counts == {"rows": 4, "created": 0, "updated": 0, "unchanged": 4, "errors": 0}


def test_bad_rows_are_reported_by_column_and_block_apply(users, untoc, japan, france):
    guard = Unchanged(*untoc.parties.all())
    report = run(untoc, BAD, importing.Mode.APPLY, users["secretariat"])
    assert report.applied is False
    errors = {r.number: [(e.column, e.message) for e in r.errors] for r in report.rows if r.errors}
    assert errors == {
        3: [("Participant", "Unknown participant “Atlantis”.")],
        4: [(importing.CONSENT, "“11 July 2017 X” is not a date like 29 Jan 2004 a.")],
        5: [(importing.CONSENT, "Consent to be bound cannot come before the signature.")],
        6: [
            (
                importing.ENTRY_INTO_FORCE,
                "The instrument cannot enter into force for a state before its consent.",
            )
        ],
    }
    guard.check()


def test_apply_valid_rows_only(users, untoc, japan, france):
    report = run(untoc, BAD, importing.Mode.APPLY_VALID, users["secretariat"])
    assert report.applied is True
    assert report.counts == {"rows": 5, "created": 0, "updated": 1, "unchanged": 0, "errors": 4}
    assert untoc.parties.get(country__iso2="BR").signed_on == D(2000, 12, 12)
    assert untoc.parties.filter(country__iso2__in=["JP", "FR"]).count() == 0


def test_missing_columns(users, untoc):
    with pytest.raises(importing.ImportFileError) as exc:
        run(untoc, "Participant,Signature\nBrazil,\n", importing.Mode.DRY_RUN, users["secretariat"])
    assert "missing: Ratification, Accession(a), Acceptance(A), Approval(AA), Succession(d)" in exc.value.message


def test_import_page(personas, untoc, japan, france):
    url = "/en/legal/instruments/untoc/parties/import/"
    upload = SimpleUploadedFile("status.csv", GOOD.encode(), content_type="text/csv")
    response = personas["secretariat"].post(
        url, {"file": upload, "action": "dry_run", "source": SOURCE, "as_of": "2026-12-01"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dry run: nothing has been saved" in html and "would create" in html
    assert untoc.parties.count() == 2
    response = personas["secretariat"].post(
        url, {"content": GOOD, "action": "apply", "source": SOURCE, "as_of": "2026-12-01"}
    )
    assert response.status_code == 200
    assert "Import applied" in response.content.decode()
    assert untoc.parties.count() == 4


def test_import_page_refused(personas, untoc):
    guard = Unchanged(*untoc.parties.all())
    for persona in ("coordinator", "member", "observer"):
        response = personas[persona].post(
            "/en/legal/instruments/untoc/parties/import/",
            {"content": GOOD, "action": "apply", "source": SOURCE, "as_of": "2026-12-01"},
        )
        assert response.status_code == 404
    guard.check()


def test_import_command(users, untoc, japan, france, tmp_path):
    path = tmp_path / "status.csv"
    path.write_text(BAD, encoding="utf-8")
    out = StringIO()
    args = ["import_parties", "untoc", str(path), "--user", "secretariat@example.test", "--source", SOURCE]
    with pytest.raises(CommandError, match="4 row"):
        call_command(*args, "--as-of", "2026-12-01", stdout=out)
    assert "row 3: Participant: Unknown participant “Atlantis”." in out.getvalue()
    assert untoc.parties.count() == 2
    path.write_text(GOOD, encoding="utf-8")
    out = StringIO()
    call_command(*args, "--as-of", "2026-12-01", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "Dry run, nothing saved. 4 rows: 2 new, 2 updated, 0 unchanged, 0 with errors."
    with pytest.raises(CommandError, match="No active secretariat member"):
        call_command(
            "import_parties",
            "untoc",
            str(path),
            "--user",
            "coord.br@example.test",
            "--source",
            "x",
            "--as-of",
            "2026-12-01",
        )
