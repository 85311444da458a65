"""Reading an import file: size, encoding, delimiter, header and cells, before any row is judged.

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
``last_confirmed_at``, ``contact_*``) are ignored and its contact rows are skipped. A text longer than the
directory allows (the limits of ``comity.directory.inputs``) is an error of its cell.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from comity.core.i18n import UI_LANGUAGES

NAME_COLUMNS = [f"names_{code}" for code in UI_LANGUAGES]
COLUMNS = [
    "id",
    "country",
    "official_name",
    *NAME_COLUMNS,
    "competences",
    "languages_accepted",
    "channels",
    "urgent_channels",
    "untoc_mla_basis",
    "untoc_extradition_basis",
    "postal_address",
    "email",
    "phone",
    "website",
    "timezone",
    "holiday_subdivision",
    "always_available",
    "office_hours",
]
REQUIRED_COLUMNS = ("id", "country", "official_name")
# Columns of the directory's CSV export that describe rather than set a record; an import ignores them.
INFORMATIONAL_COLUMNS = (
    "record",
    "authority_id",
    "is_active",
    "last_confirmed_at",
    "contact_id",
    "contact_name",
    "contact_title",
    "contact_languages",
    "contact_phone",
    "contact_mobile",
    "contact_email",
    "contact_secure_channel",
    "contact_timezone",
    "contact_always_available",
    "contact_start_date",
)
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "DIRECTORY_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


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


def parse_csv(content: bytes, *, name: str = "", limit: int | None = None) -> ParsedFile:
    """Decode and split the file; raise ImportFileError with a clear message when it cannot be used."""
    limit = max_bytes() if limit is None else limit
    if limit and len(content) > limit:
        raise ImportFileError(
            _(
                "The file is too large (%(size)s); the limit is %(limit)s. Split it, or ask the "
                "secretariat to run the import command."
            )
            % {"size": _megabytes(len(content)), "limit": _megabytes(limit)}
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _('The file is not UTF-8 text (byte %(position)s). In a spreadsheet, save it as "CSV UTF-8".')
            % {"position": exc.start + 1}
        ) from exc
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
            rows.append(
                RawRow(
                    index,
                    {},
                    _("This row has %(found)s cells; the header has %(expected)s.")
                    % {"found": len(cells), "expected": len(header)},
                )
            )
            continue
        rows.append(
            RawRow(
                index,
                {
                    column: _unquote(cell)
                    for column, cell in zip(header, cells, strict=True)
                    if column in columns or column == "record"
                },
            )
        )
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
        raise ImportFileError(
            _("The header line is not right: %(problems)s. The columns are: %(columns)s.")
            % {"problems": "; ".join(problems), "columns": ", ".join(COLUMNS)}
        )
    return [column for column in header if column in COLUMNS]


def _unquote(cell: str) -> str:
    """Undo the export's formula defusing: a leading apostrophe before = + - @ is dropped."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@":
        return cell[1:]
    return cell


def _megabytes(size: int) -> str:
    return _("%(size).1f MB") % {"size": size / (1024 * 1024)}
