"""CSV import of authorities, for the secretariat and for national coordinators (their own countries only).

The file
--------
UTF-8 text (a byte-order mark is accepted, so "CSV UTF-8" from a spreadsheet works), comma-separated; a file
whose header line has semicolons and no comma is read as semicolon-separated (the spreadsheet default in many
languages). The first line is the header. Row numbers in reports count the header as row 1, as a spreadsheet does.
Entirely blank lines are skipped.

Columns (order free; ``id``, ``country`` and ``official_name`` are required; any other column may be left out,
and a column left out leaves that field unchanged on the authorities the file updates):

=========================== ==================================================================================
``id``                      blank = create a new authority; a number = update that authority
``country``                 ISO 3166-1 alpha-2 code, e.g. ``BR``
``official_name``           the official name
``names_<lang>``            the name in a UI language: ``names_en``, ``names_fr``, ``names_es``, ``names_ru``,
                            ``names_zh-hans``, ``names_ar``, ``names_pt``
``competences``             ``code`` or ``code:instrument``, separated by ``;``, e.g.
                            ``mla_central:untoc_18_13;extradition``; scope notes are kept for the competences
                            that remain and are edited on the authority's page
``languages_accepted``      ISO 639-1 codes separated by ``;``, e.g. ``pt;en``
``channels``                ``direct``, ``diplomatic``, ``interpol``, ``electronic``, ``network`` separated by ``;``
``urgent_channels``         ``email``, ``phone``, ``interpol`` separated by ``;``
``untoc_mla_basis``         ``true`` or ``false`` (also yes/no, 1/0; blank = false)
``untoc_extradition_basis`` as above
``postal_address``          free text (line breaks allowed inside a quoted cell)
``email``, ``phone``,       the official e-mail, phone and web site
``website``
``timezone``                an IANA time zone, e.g. ``America/Sao_Paulo`` (required for a new authority)
``holiday_subdivision``     the subdivision whose public holidays apply, e.g. ``DF``
``always_available``        ``true`` or ``false`` (available 24/7)
``office_hours``            intervals separated by ``;``: ``Mon 09:00-13:00; Mon 14:00-18:00; Fri 22:00-24:00``;
                            a day range is allowed (``Mon-Fri 09:00-17:00``); closes may be ``24:00``; a shift
                            past midnight is two intervals (``Fri 22:00-24:00; Sat 00:00-02:00``)
=========================== ==================================================================================

A blank cell means "empty" (or false), so a row states the record as it should be. A cell exported with a
leading apostrophe to defuse spreadsheet formulas (``'+55 61 ...``) is read without it. The directory's own CSV
export can be imported as it is: its informational columns (``record``, ``authority_id``, ``is_active``,
``last_confirmed_at``, ``contact_*``) are ignored and its contact rows are skipped.

How it runs
-----------
Every row goes through ``services.authority_create`` / ``services.authority_update`` (action "imported"), so
validation, versions and audit events are exactly those of the pages. All rows run inside one transaction with
a savepoint per row: a dry run rolls everything back; "apply" commits only when no row has an error; "apply the
valid rows only" commits the rows that passed. One ``DIRECTORY_IMPORTED`` audit event records each applied
import with its counts.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core.i18n import UI_LANGUAGES
from comity.directory import permissions, services

NAME_COLUMNS = [f"names_{code}" for code in UI_LANGUAGES]
COLUMNS = ["id", "country", "official_name", *NAME_COLUMNS, "competences", "languages_accepted", "channels",
           "urgent_channels", "untoc_mla_basis", "untoc_extradition_basis", "postal_address", "email", "phone",
           "website", "timezone", "holiday_subdivision", "always_available", "office_hours"]
REQUIRED_COLUMNS = ("id", "country", "official_name")
# Columns of the directory's CSV export that describe rather than set a record; an import ignores them.
INFORMATIONAL_COLUMNS = ("record", "authority_id", "is_active", "last_confirmed_at", "contact_id", "contact_name",
                         "contact_title", "contact_languages", "contact_phone", "contact_mobile", "contact_email",
                         "contact_secure_channel", "contact_timezone", "contact_always_available",
                         "contact_start_date")
LIST_COLUMNS = ("languages_accepted", "channels", "urgent_channels")
BOOLEAN_COLUMNS = ("untoc_mla_basis", "untoc_extradition_basis", "always_available")
TEXT_COLUMNS = ("postal_address", "email", "phone", "website", "timezone", "holiday_subdivision")
# The database's limits, checked here so that a long cell is a row error on every database engine.
MAX_LENGTHS = {"official_name": 300, "email": 254, "phone": 40, "website": 200, "timezone": 64,
               "holiday_subdivision": 10}
TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0", ""}
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_INTERVAL = re.compile(r"^(?P<days>[A-Za-z]{3}(?:\s*-\s*[A-Za-z]{3})?)\s+(?P<opens>\S+)\s*-\s*(?P<closes>\S+)$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_WEB_ROWS = 2000


class Mode:
    DRY_RUN = "dry_run"
    APPLY = "apply"
    APPLY_VALID = "apply_valid"
    ALL = (DRY_RUN, APPLY, APPLY_VALID)


class Status:
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    ERROR = "error"


STATUS_LABELS = {
    # (status, applied) -> label; a dry run or a refused apply reports what *would* happen.
    (Status.CREATE, False): gettext_lazy("would create"),
    (Status.UPDATE, False): gettext_lazy("would update"),
    (Status.CREATE, True): gettext_lazy("created"),
    (Status.UPDATE, True): gettext_lazy("updated"),
    (Status.UNCHANGED, False): gettext_lazy("no change"),
    (Status.UNCHANGED, True): gettext_lazy("no change"),
    (Status.SKIPPED, False): gettext_lazy("skipped (contact row of an export)"),
    (Status.SKIPPED, True): gettext_lazy("skipped (contact row of an export)"),
    (Status.ERROR, False): gettext_lazy("error"),
    (Status.ERROR, True): gettext_lazy("error, not imported"),
}


def max_bytes() -> int:
    return int(getattr(settings, "DIRECTORY_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_web_rows() -> int:
    """Rows the web page handles in one request (every row is a full service call, about 75 rows a second on
    SQLite); larger files go through `manage.py directory_import`, which has no limit."""
    return int(getattr(settings, "DIRECTORY_IMPORT_MAX_ROWS", DEFAULT_MAX_WEB_ROWS))


def can_import(user) -> bool:
    """The secretariat, and national coordinators who coordinate at least one country."""
    if not permissions.is_member(user):
        return False
    return user.is_secretariat or bool(user.is_coordinator and user.coordinated_country_codes())


class ImportFileError(Exception):
    """The file as a whole cannot be read (size, encoding, header): nothing is imported."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RawRow:
    number: int
    cells: dict[str, str]
    error: str = ""


@dataclass
class ParsedFile:
    name: str
    sha256: str
    columns: list[str]
    rows: list[RawRow]


@dataclass
class RowError:
    column: str
    message: str


@dataclass
class RowResult:
    number: int
    name: str
    status: str
    authority_id: int | None = None
    errors: list[RowError] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    mode: str
    rows: list[RowResult]
    applied: bool
    file_name: str = ""

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {"rows": len(self.rows), "created": self.count(Status.CREATE), "updated": self.count(Status.UPDATE),
                "unchanged": self.count(Status.UNCHANGED), "skipped": self.count(Status.SKIPPED),
                "errors": self.count(Status.ERROR)}

    @property
    def has_errors(self) -> bool:
        return any(row.status == Status.ERROR for row in self.rows)

    @property
    def valid_changes(self) -> int:
        return self.count(Status.CREATE) + self.count(Status.UPDATE)

    def label(self, row: RowResult) -> str:
        return str(STATUS_LABELS[(row.status, self.applied)])


# --- reading the file -----------------------------------------------------------------------------------------


def parse_csv(content: bytes, *, name: str = "", limit: int | None = None) -> ParsedFile:
    """Decode and split the file; raise ImportFileError with a clear message when it cannot be used."""
    limit = max_bytes() if limit is None else limit
    if limit and len(content) > limit:
        raise ImportFileError(_("The file is too large (%(size)s); the limit is %(limit)s. Split it, or ask the "
                                "secretariat to run the import command.") % {
            "size": _megabytes(len(content)), "limit": _megabytes(limit)})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is not UTF-8 text (byte %(position)s). In a spreadsheet, save it as "
                                "\"CSV UTF-8\".") % {"position": exc.start + 1}) from exc
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as exc:
        raise ImportFileError(_("The file is not valid CSV: %(error)s.") % {"error": str(exc)}) from exc
    header = [cell.strip().lower() for cell in records[0]]
    columns = _check_header(header)
    rows = []
    for index, cells in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            rows.append(RawRow(index, {}, _("This row has %(found)s cells; the header has %(expected)s.") % {
                "found": len(cells), "expected": len(header)}))
            continue
        rows.append(RawRow(index, {column: _unquote(cell) for column, cell in zip(header, cells, strict=True)
                                   if column in columns or column == "record"}))
    return ParsedFile(name=name, sha256=hashlib.sha256(content).hexdigest(), columns=columns, rows=rows)


def _check_header(header: list[str]) -> list[str]:
    known = set(COLUMNS) | set(INFORMATIONAL_COLUMNS)
    unknown = [column for column in header if column not in known]
    duplicates = sorted({column for column in header if header.count(column) > 1})
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    problems = []
    if unknown:
        problems.append(_("unknown column(s): %(columns)s") % {"columns": ", ".join(c or '""' for c in unknown)})
    if duplicates:
        problems.append(_("repeated column(s): %(columns)s") % {"columns": ", ".join(duplicates)})
    if missing:
        problems.append(_("missing column(s): %(columns)s") % {"columns": ", ".join(missing)})
    if problems:
        raise ImportFileError(_("The header line is not right: %(problems)s. The columns are: %(columns)s.") % {
            "problems": "; ".join(problems), "columns": ", ".join(COLUMNS)})
    return [column for column in header if column in COLUMNS]


def _unquote(cell: str) -> str:
    """Undo the export's formula defusing: a leading apostrophe before = + - @ is dropped."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@":
        return cell[1:]
    return cell


def _megabytes(size: int) -> str:
    return _("%(size).1f MB") % {"size": size / (1024 * 1024)}


# --- one row ----------------------------------------------------------------------------------------------------


def _split_codes(value: str) -> list[str]:
    return [part.strip().lower() for part in value.split(";") if part.strip()]


def parse_office_hours(value: str) -> tuple[list[dict], list[str]]:
    """'Mon 09:00-13:00; Mon-Fri 14:00-18:00' -> API-style intervals; errors quote the entry."""
    intervals: list[dict] = []
    errors: list[str] = []
    for entry in (part.strip() for part in value.split(";")):
        if not entry:
            continue
        match = _INTERVAL.match(entry)
        if not match:
            errors.append(_("\"%(entry)s\" is not of the form \"Mon 09:00-13:00\".") % {"entry": entry})
            continue
        days = [day.strip().lower() for day in match.group("days").split("-")]
        if any(day not in WEEKDAYS for day in days):
            errors.append(_("\"%(entry)s\": unknown day; use Mon, Tue, Wed, Thu, Fri, Sat or Sun.") % {
                "entry": entry})
            continue
        opens, closes = match.group("opens"), match.group("closes")
        if not _HHMM.match(opens) or not (_HHMM.match(closes) or closes == "24:00"):
            errors.append(_("\"%(entry)s\": times must be written HH:MM (24-hour clock; closes may be 24:00).")
                          % {"entry": entry})
            continue
        if closes != "24:00" and closes <= opens:
            errors.append(_("\"%(entry)s\": closes must be later than opens; split a shift past midnight into two "
                            "intervals (Fri 22:00-24:00; Sat 00:00-02:00).") % {"entry": entry})
            continue
        first, last = WEEKDAYS[days[0]], WEEKDAYS[days[-1]]
        if last < first:
            errors.append(_("\"%(entry)s\": a day range must run forwards within the week, e.g. Mon-Fri.") % {
                "entry": entry})
            continue
        intervals.extend({"weekday": day, "opens": opens, "closes": closes} for day in range(first, last + 1))
    return intervals, errors


def format_office_hours(rows) -> str:
    """The inverse of parse_office_hours for OfficeHours rows (one entry per interval)."""
    names = {number: name.capitalize() for name, number in WEEKDAYS.items()}
    return "; ".join(f"{names[row.weekday]} {row.opens.strftime('%H:%M')}-{row.closes_label}" for row in rows)


def row_to_data(cells: dict[str, str]) -> tuple[int | None, dict, list[RowError]]:
    """Turn the cells of one row into a service payload; errors name the column."""
    errors: list[RowError] = []
    data: dict = {}
    authority_id = None
    raw_id = cells.get("id", "").strip()
    if raw_id:
        if raw_id.isdigit() and int(raw_id) > 0:
            authority_id = int(raw_id)
        else:
            errors.append(RowError("id", _("Must be blank (new authority) or the number of an existing authority.")))
    data["country"] = cells.get("country", "").strip().upper()
    data["official_name"] = cells.get("official_name", "").strip()
    names = {column.removeprefix("names_"): value.strip() for column, value in cells.items()
             if column.startswith("names_")}
    if names:
        data["names"] = names
    if "competences" in cells:
        competences = []
        for part in (p.strip() for p in cells["competences"].split(";")):
            if part:
                code, _sep, instrument = part.partition(":")
                competences.append({"code": code.strip().lower(), "instrument": instrument.strip().lower()})
        data["competences"] = competences
    for column in LIST_COLUMNS:
        if column in cells:
            data[column] = _split_codes(cells[column])
    for column in BOOLEAN_COLUMNS:
        if column in cells:
            word = cells[column].strip().lower()
            if word in TRUE_WORDS:
                data[column] = True
            elif word in FALSE_WORDS:
                data[column] = False
            else:
                errors.append(RowError(column, _("Must be true or false, not \"%(value)s\".") % {
                    "value": cells[column].strip()}))
    for column in TEXT_COLUMNS:
        if column in cells:
            data[column] = cells[column].strip()
    for column, limit in MAX_LENGTHS.items():
        if column in data and isinstance(data[column], str) and len(data[column]) > limit:
            errors.append(RowError(column, _("At most %(limit)s characters (this cell has %(length)s).") % {
                "limit": limit, "length": len(data[column])}))
    if "office_hours" in cells:
        intervals, problems = parse_office_hours(cells["office_hours"])
        errors.extend(RowError("office_hours", problem) for problem in problems)
        data["office_hours"] = intervals
    return authority_id, data, errors


def _errors_from_validation(exc: ValidationError) -> list[RowError]:
    out = []
    for key, messages in exc.message_dict.items():
        column = "names_*" if key == "names" else key
        out.extend(RowError(column, message) for message in messages)
    return out


def _process_row(actor, raw: RawRow, seen_ids: dict[int, int]) -> RowResult:
    if raw.error:
        return RowResult(raw.number, "", Status.ERROR, errors=[RowError("", raw.error)])
    if raw.cells.get("record", "").strip().lower() == "contact":
        return RowResult(raw.number, raw.cells.get("official_name", ""), Status.SKIPPED)
    authority_id, data, errors = row_to_data(raw.cells)
    result = RowResult(raw.number, data["official_name"], Status.ERROR, authority_id=authority_id, errors=errors)
    authority = None
    if authority_id is not None:
        if authority_id in seen_ids:
            errors.append(RowError("id", _("Authority %(id)s is already on row %(row)s.") % {
                "id": authority_id, "row": seen_ids[authority_id]}))
        else:
            seen_ids[authority_id] = raw.number
        authority = (permissions.authorities_visible_to(actor).select_related("country")
                     .prefetch_related("competences").filter(pk=authority_id).first())
        if authority is None or not permissions.can_edit_authority(actor, authority):
            authority = None
            errors.append(RowError("id", _("There is no authority %(id)s that you may edit.") % {"id": authority_id}))
    country = data["country"]
    if country and not permissions.can_edit_country(actor, country):
        errors.append(RowError("country", _("You may only import authorities of the countries you coordinate "
                                            "(%(codes)s), not %(code)s.") % {
            "codes": ", ".join(sorted(actor.coordinated_country_codes())) or "-", "code": country}))
    if errors:
        return result
    if authority is not None:
        _keep_existing_details(authority, data)
    try:
        with transaction.atomic():
            if authority is None:
                created = services.authority_create(actor=actor, data=data, action="imported")
                result.authority_id = created.pk
                result.status = Status.CREATE
            else:
                changes = services.authority_update(actor=actor, authority=authority, data=data, action="imported")
                result.changed = sorted(changes)
                result.status = Status.UPDATE if changes else Status.UNCHANGED
    except ValidationError as exc:
        result.errors = _errors_from_validation(exc)
    except PermissionDenied:
        result.errors = [RowError("country", _("You may not edit authorities of %(code)s.") % {"code": country})]
    return result


def _keep_existing_details(authority, data: dict) -> None:
    """What a CSV row cannot express stays as it is: names in languages without a column, scope notes."""
    if "names" in data:
        data["names"] = {**authority.names, **data["names"]}
    if "competences" in data:
        notes = {c.code: c.scope_notes for c in authority.competences.all()}
        for row in data["competences"]:
            row["scope_notes"] = notes.get(row["code"], "")


# --- the whole import ---------------------------------------------------------------------------------------------


def run_import(*, actor, parsed: ParsedFile, mode: str,
               progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Dry-run or apply a parsed file; see the module docstring for the rules."""
    if mode not in Mode.ALL:
        raise ValueError(mode)
    if not can_import(actor):
        raise PermissionDenied
    results: list[RowResult] = []
    seen_ids: dict[int, int] = {}
    total = len(parsed.rows)
    with transaction.atomic():
        for done, raw in enumerate(parsed.rows, start=1):
            results.append(_process_row(actor, raw, seen_ids))
            if progress is not None:
                progress(done, total)
        report = ImportReport(mode=mode, rows=results, applied=False, file_name=parsed.name)
        if mode == Mode.DRY_RUN or (mode == Mode.APPLY and report.has_errors):
            transaction.set_rollback(True)
            for row in results:  # the numbers a rolled-back creation received are not real
                if row.status == Status.CREATE:
                    row.authority_id = None
            return report
        report.applied = True
        countries = {raw.cells.get("country", "").strip().upper() for raw, row in zip(parsed.rows, results, strict=True)
                     if row.status in (Status.CREATE, Status.UPDATE, Status.UNCHANGED)}
        audit_log(action=AuditAction.DIRECTORY_IMPORTED, actor=actor,
                  country=countries.pop() if len(countries) == 1 else "",
                  details={"file": parsed.name[:200], "sha256": parsed.sha256,
                           "valid_rows_only": mode == Mode.APPLY_VALID, **report.counts})
    return report


# --- keeping the uploaded file between the dry run and the apply --------------------------------------------------
#
# The file is stored server-side under DIRECTORY_IMPORT_DIR (default VAR_DIR/imports, never served), named by a
# random token. The session keeps the token with the file's SHA-256, the user and the time; the form only sends
# the token back, so the client can neither choose a path nor swap the content. Files expire after an hour.

SESSION_KEY = "directory_import_uploads"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
UPLOAD_TTL_SECONDS = 60 * 60
MAX_UPLOADS_PER_SESSION = 5


def upload_dir() -> Path:
    return Path(getattr(settings, "DIRECTORY_IMPORT_DIR", Path(settings.VAR_DIR) / "imports"))


def store_upload(session, *, user, content: bytes, name: str) -> str:
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    _sweep(directory)
    token = secrets.token_hex(16)
    path = directory / f"{token}.csv"
    path.write_bytes(content)
    path.chmod(0o600)
    uploads = dict(session.get(SESSION_KEY) or {})
    uploads[token] = {"name": name[:200], "sha256": hashlib.sha256(content).hexdigest(), "user": user.pk,
                      "at": time.time()}
    for old in sorted(uploads, key=lambda t: uploads[t]["at"])[:-MAX_UPLOADS_PER_SESSION]:
        _remove(old)
        del uploads[old]
    session[SESSION_KEY] = uploads
    return token


def load_upload(session, *, user, token: str) -> tuple[bytes, str] | None:
    """The stored content and file name, or None when the token is not this session's or has expired."""
    entry = (session.get(SESSION_KEY) or {}).get(token)
    if not entry or not _TOKEN.match(token) or entry["user"] != user.pk:
        return None
    if time.time() - entry["at"] > UPLOAD_TTL_SECONDS:
        discard_upload(session, token=token)
        return None
    try:
        content = (upload_dir() / f"{token}.csv").read_bytes()
    except OSError:
        return None
    if hashlib.sha256(content).hexdigest() != entry["sha256"]:
        return None
    return content, entry["name"]


def discard_upload(session, *, token: str) -> None:
    uploads = dict(session.get(SESSION_KEY) or {})
    if uploads.pop(token, None) is not None:
        session[SESSION_KEY] = uploads
    if _TOKEN.match(token):
        _remove(token)


def _remove(token: str) -> None:
    (upload_dir() / f"{token}.csv").unlink(missing_ok=True)


def _sweep(directory: Path) -> None:
    cutoff = time.time() - UPLOAD_TTL_SECONDS
    for path in directory.glob("*.csv"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue
