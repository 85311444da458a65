"""One row of an import file as a service payload: lists, booleans and office hours written as text."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from comity.directory.importexport.csv_import.report import RowError
from comity.directory.inputs import AuthorityInput, max_lengths

LIST_COLUMNS = ("languages_accepted", "channels", "urgent_channels")
BOOLEAN_COLUMNS = ("untoc_mla_basis", "untoc_extradition_basis", "always_available")
TEXT_COLUMNS = ("postal_address", "email", "phone", "website", "timezone", "holiday_subdivision")
# The input serializer's limits (official_name, each name, email, ...), checked here so that the error names the
# cell and says how long it is.
MAX_LENGTHS = max_lengths(AuthorityInput)
TRUE_WORDS = {"true", "yes", "1"}
FALSE_WORDS = {"false", "no", "0", ""}
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_INTERVAL = re.compile(r"^(?P<days>[A-Za-z]{3}(?:\s*-\s*[A-Za-z]{3})?)\s+(?P<opens>\S+)\s*-\s*(?P<closes>\S+)$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


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
            errors.append(_('"%(entry)s" is not of the form "Mon 09:00-13:00".') % {"entry": entry})
            continue
        days = [day.strip().lower() for day in match.group("days").split("-")]
        if any(day not in WEEKDAYS for day in days):
            errors.append(_('"%(entry)s": unknown day; use Mon, Tue, Wed, Thu, Fri, Sat or Sun.') % {"entry": entry})
            continue
        opens, closes = match.group("opens"), match.group("closes")
        if not _HHMM.match(opens) or not (_HHMM.match(closes) or closes == "24:00"):
            errors.append(
                _('"%(entry)s": times must be written HH:MM (24-hour clock; closes may be 24:00).') % {"entry": entry}
            )
            continue
        if closes != "24:00" and closes <= opens:
            errors.append(
                _(
                    '"%(entry)s": closes must be later than opens; split a shift past midnight into two '
                    "intervals (Fri 22:00-24:00; Sat 00:00-02:00)."
                )
                % {"entry": entry}
            )
            continue
        first, last = WEEKDAYS[days[0]], WEEKDAYS[days[-1]]
        if last < first:
            errors.append(
                _('"%(entry)s": a day range must run forwards within the week, e.g. Mon-Fri.') % {"entry": entry}
            )
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
    authority_id = None
    raw_id = cells.get("id", "").strip()
    if raw_id:
        if raw_id.isdigit() and int(raw_id) > 0:
            authority_id = int(raw_id)
        else:
            errors.append(RowError("id", _("Must be blank (new authority) or the number of an existing authority.")))
    data: dict = {
        "country": cells.get("country", "").strip().upper(),
        "official_name": cells.get("official_name", "").strip(),
    }
    names = {
        column.removeprefix("names_"): value.strip() for column, value in cells.items() if column.startswith("names_")
    }
    if names:
        data["names"] = names
    if "competences" in cells:
        parts = [part.strip() for part in cells["competences"].split(";") if part.strip()]
        data["competences"] = [
            {"code": code.strip().lower(), "instrument": instrument.strip().lower()}
            for code, _sep, instrument in (part.partition(":") for part in parts)
        ]
    data.update({column: _split_codes(cells[column]) for column in LIST_COLUMNS if column in cells})
    for column in BOOLEAN_COLUMNS:
        if column in cells:
            word = cells[column].strip().lower()
            if word in TRUE_WORDS | FALSE_WORDS:
                data[column] = word in TRUE_WORDS
            else:
                errors.append(
                    RowError(column, _('Must be true or false, not "%(value)s".') % {"value": cells[column].strip()})
                )
    data.update({column: cells[column].strip() for column in TEXT_COLUMNS if column in cells})
    errors.extend(_too_long(data))
    if "office_hours" in cells:
        intervals, problems = parse_office_hours(cells["office_hours"])
        errors.extend(RowError("office_hours", problem) for problem in problems)
        data["office_hours"] = intervals
    return authority_id, data, errors


def _too_long(data: dict) -> list[RowError]:
    """Cells longer than the directory allows, each named with its length."""
    cells = {column: data[column] for column in MAX_LENGTHS if isinstance(data.get(column), str)}
    cells.update({f"names_{code}": name for code, name in data.get("names", {}).items()})
    errors = []
    for column, value in cells.items():
        limit = MAX_LENGTHS["names" if column.startswith("names_") else column]
        if len(value) > limit:
            errors.append(
                RowError(
                    column,
                    _("At most %(limit)s characters (this cell has %(length)s).")
                    % {"limit": limit, "length": len(value)},
                )
            )
    return errors
