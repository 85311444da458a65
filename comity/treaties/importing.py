"""Import of party rows from a status table in the layout of the UN Treaty Collection (the depositary).

The columns, named on the first line: `Participant`, `Signature`, `Ratification, Accession(a), Acceptance(A),
Approval(AA), Succession(d)` (the kind of consent is the suffix after the date: none for ratification, a, A, AA
or d), and optionally `Entry into force`. Dates are written as on the depositary's pages (29 Jan 2004) or as
2004-01-29. Participant names are the UN names (footnote numbers after them are ignored) or ISO codes.

A dry run checks every row and reports what would happen; applying writes through `services.party_save` (one
audit event per changed row) and one `treaties.parties_imported` event. Imported rows are unverified.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

import pycountry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.reference.models import Country
from comity.treaties import permissions, services
from comity.treaties.models import ConsentKind, Instrument, Party

PARTICIPANT = "Participant"
SIGNATURE = "Signature"
CONSENT = "Ratification, Accession(a), Acceptance(A), Approval(AA), Succession(d)"
ENTRY_INTO_FORCE = "Entry into force"
REQUIRED = (PARTICIPANT, SIGNATURE, CONSENT)
MAX_ROWS = 400
SUFFIXES = {
    "": ConsentKind.RATIFICATION,
    "a": ConsentKind.ACCESSION,
    "A": ConsentKind.ACCEPTANCE,
    "AA": ConsentKind.APPROVAL,
    "d": ConsentKind.SUCCESSION,
}
_DATE_AND_SUFFIX = re.compile(r"^(?P<date>.+?)(?:\s+(?P<suffix>AA|A|a|d))?$")
_FOOTNOTES = re.compile(r"[\d,\s*]+$")
# UN names the ISO standard writes otherwise (pycountry resolves the others, and ISO codes).
UN_NAMES = {
    "bolivia (plurinational state of)": "BO",
    "netherlands (kingdom of the)": "NL",
    "republic of korea": "KR",
    "democratic people's republic of korea": "KP",
    "iran (islamic republic of)": "IR",
    "democratic republic of the congo": "CD",
    "state of palestine": "PS",
    "venezuela (bolivarian republic of)": "VE",
    "micronesia (federated states of)": "FM",
    "republic of moldova": "MD",
    "united republic of tanzania": "TZ",
    "lao people's democratic republic": "LA",
    "holy see": "VA",
    "congo": "CG",
    "european union": "",
}


class Mode:
    DRY_RUN = "dry_run"
    APPLY = "apply"
    APPLY_VALID = "apply_valid"
    ALL = (DRY_RUN, APPLY, APPLY_VALID)


class Status:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


STATUS_LABELS = {
    (Status.CREATE, False): gettext_lazy("would create"),
    (Status.UPDATE, False): gettext_lazy("would update"),
    (Status.CREATE, True): gettext_lazy("created"),
    (Status.UPDATE, True): gettext_lazy("updated"),
    (Status.UNCHANGED, False): gettext_lazy("no change"),
    (Status.UNCHANGED, True): gettext_lazy("no change"),
    (Status.ERROR, False): gettext_lazy("error"),
    (Status.ERROR, True): gettext_lazy("error, not imported"),
}


class ImportFileError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RowError:
    column: str
    message: str


@dataclass
class RowResult:
    number: int
    participant: str
    status: str
    country: str = ""
    errors: list[RowError] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    mode: str
    rows: list[RowResult]
    applied: bool

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": len(self.rows),
            "created": self.count(Status.CREATE),
            "updated": self.count(Status.UPDATE),
            "unchanged": self.count(Status.UNCHANGED),
            "errors": self.count(Status.ERROR),
        }

    @property
    def has_errors(self) -> bool:
        return self.count(Status.ERROR) > 0

    def label(self, row: RowResult) -> str:
        return str(STATUS_LABELS[(row.status, self.applied)])


def parse_csv(content: str) -> list[tuple[int, dict[str, str]]]:
    """(row number, cells by column) for each non-empty row; the header is row 1."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError(
            _("The first line must name the columns %(columns)s; missing: %(missing)s.")
            % {"columns": "; ".join(REQUIRED), "missing": "; ".join(missing)}
        )
    rows = []
    for number, raw in enumerate(reader, start=2):
        cells = {(key or "").strip(): (value or "").strip() for key, value in raw.items() if isinstance(value, str)}
        if any(cells.values()):
            rows.append((number, cells))
        if len(rows) > MAX_ROWS:
            raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    return rows


def parse_untc_date(text: str) -> dt.date:
    for fmt in ("%d %b %Y", "%d %B %Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    raise ValueError(text)


def resolve_country(name: str, countries: dict[str, Country]) -> Country | None:
    cleaned = _FOOTNOTES.sub("", name).strip()
    if len(cleaned) == 2 and cleaned.isalpha():
        return countries.get(cleaned.upper())
    code = UN_NAMES.get(cleaned.casefold())
    if code is None:
        try:
            code = pycountry.countries.lookup(cleaned).alpha_2
        except LookupError:
            code = next((c.iso2 for c in countries.values() if c.name_en.casefold() == cleaned.casefold()), None)
    return countries.get(code) if code else None


def _row_data(cells: dict[str, str], errors: list[RowError]) -> dict:
    data: dict = {}
    signature = cells.get(SIGNATURE, "")
    if signature:
        try:
            data["signed_on"] = parse_untc_date(signature)
        except ValueError:
            errors.append(RowError(SIGNATURE, _("“%(value)s” is not a date like 29 Jan 2004.") % {"value": signature}))
    consent = cells.get(CONSENT, "")
    if consent:
        match = _DATE_AND_SUFFIX.match(consent)
        try:
            data["consent_on"] = parse_untc_date(match.group("date").strip()) if match else parse_untc_date(consent)
            data["consent_kind"] = SUFFIXES[(match.group("suffix") or "") if match else ""]
        except ValueError:
            errors.append(RowError(CONSENT, _("“%(value)s” is not a date like 29 Jan 2004 a.") % {"value": consent}))
    force = cells.get(ENTRY_INTO_FORCE, "")
    if force:
        try:
            data["in_force_on"] = parse_untc_date(force)
        except ValueError:
            errors.append(
                RowError(ENTRY_INTO_FORCE, _("“%(value)s” is not a date like 29 Jan 2004.") % {"value": force})
            )
    return data


COLUMN_OF = {"signed_on": SIGNATURE, "consent_on": CONSENT, "consent_kind": CONSENT, "in_force_on": ENTRY_INTO_FORCE}


def run_import(*, actor, instrument: Instrument, content: str, mode: str, source: str, as_of: dt.date) -> ImportReport:
    """Check every row, then (unless a dry run) apply: all rows or none (APPLY), or the valid rows (APPLY_VALID)."""
    if not permissions.can_import(actor):
        raise PermissionError("Only the secretariat imports status tables.")
    parsed = parse_csv(content)
    countries = {c.iso2: c for c in Country.objects.all()}
    existing = {p.country_id: p for p in Party.objects.filter(instrument=instrument).prefetch_related("declarations")}
    results: list[RowResult] = []
    plans: list[tuple[RowResult, Country, dict]] = []
    seen: set[str] = set()
    for number, cells in parsed:
        name = cells.get(PARTICIPANT, "")
        result = RowResult(number=number, participant=name, status=Status.ERROR)
        results.append(result)
        country = resolve_country(name, countries) if name else None
        if country is None:
            result.errors.append(
                RowError(PARTICIPANT, _("Unknown participant “%(name)s”.") % {"name": name} if name else _("Empty."))
            )
        elif country.iso2 in seen:
            result.errors.append(RowError(PARTICIPANT, _("This state appears twice in the file.")))
        data = _row_data(cells, result.errors)
        if country is None or result.errors:
            continue
        seen.add(country.iso2)
        result.country = country.iso2
        data.update({"source": source, "as_of": as_of})
        party = existing.get(country.pk)
        try:
            cleaned = services.clean_party_data(data, instrument=instrument, party=party)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                for message in messages:
                    result.errors.append(RowError(COLUMN_OF.get(key, key), message))
            continue
        if party is None:
            result.status = Status.CREATE
            result.changed = sorted(cleaned)
        else:
            result.changed = sorted(key for key, value in cleaned.items() if getattr(party, key) != value)
            result.status = Status.UPDATE if result.changed else Status.UNCHANGED
        plans.append((result, country, data))
    report = ImportReport(mode=mode, rows=results, applied=False)
    if mode == Mode.DRY_RUN or (mode == Mode.APPLY and report.has_errors):
        return report
    with transaction.atomic():
        for result, country, data in plans:
            if result.status != Status.UNCHANGED:
                services.party_save(actor=actor, instrument=instrument, country=country, data=data)
        counts = report.counts
        audit_log(
            action=AuditAction.PARTIES_IMPORTED,
            actor=actor,
            target=instrument,
            details={"instrument": instrument.slug, "mode": mode, **counts},
        )
    report.applied = True
    return report
