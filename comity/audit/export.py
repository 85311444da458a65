"""CSV rendering of audit events, one row at a time (for streaming responses)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Iterator

from comity.audit.models import AuditEvent

CSV_COLUMNS = [
    "seq",
    "time_utc",
    "actor",
    "action",
    "target_type",
    "target_id",
    "country",
    "ip",
    "user_agent",
    "request_id",
    "details",
    "hash",
]
# A spreadsheet treats a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value) -> str:
    """The cell as text, with a leading quote when a spreadsheet would otherwise run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def event_row(event: AuditEvent) -> list[str]:
    return [
        neutralize(v)
        for v in (
            event.seq,
            event.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            event.actor_label,
            event.action,
            event.target_type,
            event.target_id,
            event.country_code,
            event.ip,
            event.user_agent,
            event.request_id,
            json.dumps(event.details, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
            event.hash,
        )
    ]


class _Line:
    """A file-like object whose write() hands back the line csv.writer produced."""

    def write(self, value: str) -> str:
        return value


def csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    """The header and one CSV line per event, produced lazily."""
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    for event in events:
        yield writer.writerow(event_row(event))
