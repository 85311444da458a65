"""Running an import: every row through the services, in one transaction, as a dry run or for real.

How it runs
-----------
Every row goes through ``services.authority_create`` / ``services.authority_update`` (action "imported"), so
validation (``comity.directory.inputs``), versions and audit events are exactly those of the pages and the API.
All rows run inside one transaction with a savepoint per row: a dry run rolls everything back; "apply" commits
only when no row has an error; "apply the valid rows only" commits the rows that passed. One
``DIRECTORY_IMPORTED`` audit event records each applied import with its counts.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.directory import permissions, services
from comity.directory.importexport.csv_import.parsing import ParsedFile, RawRow
from comity.directory.importexport.csv_import.report import ImportReport, Mode, RowError, RowResult, Status
from comity.directory.importexport.csv_import.rows import row_to_data

DEFAULT_MAX_WEB_ROWS = 2000


def max_web_rows() -> int:
    """Rows the web page handles in one request (every row is a full service call, about 75 rows a second on
    SQLite); larger files go through `manage.py directory_import`, which has no limit."""
    return int(getattr(settings, "DIRECTORY_IMPORT_MAX_ROWS", DEFAULT_MAX_WEB_ROWS))


def can_import(user) -> bool:
    """The secretariat, and national coordinators who coordinate at least one country."""
    if not permissions.is_member(user):
        return False
    return user.is_secretariat or bool(user.is_coordinator and user.coordinated_country_codes())


def run_import(
    *, actor, parsed: ParsedFile, mode: str, progress: Callable[[int, int], None] | None = None
) -> ImportReport:
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
        countries = {
            raw.cells.get("country", "").strip().upper()
            for raw, row in zip(parsed.rows, results, strict=True)
            if row.status in (Status.CREATE, Status.UPDATE, Status.UNCHANGED)
        }
        audit_log(
            action=AuditAction.DIRECTORY_IMPORTED,
            actor=actor,
            country=countries.pop() if len(countries) == 1 else "",
            details={
                "file": parsed.name[:200],
                "sha256": parsed.sha256,
                "valid_rows_only": mode == Mode.APPLY_VALID,
                **report.counts,
            },
        )
    return report


def _process_row(actor, raw: RawRow, seen_ids: dict[int, int]) -> RowResult:
    if raw.error:
        return RowResult(raw.number, "", Status.ERROR, errors=[RowError("", raw.error)])
    if raw.cells.get("record", "").strip().lower() == "contact":
        return RowResult(raw.number, raw.cells.get("official_name", ""), Status.SKIPPED)
    authority_id, data, errors = row_to_data(raw.cells)
    result = RowResult(raw.number, data["official_name"], Status.ERROR, authority_id=authority_id, errors=errors)
    authority = _authority(actor, authority_id, raw.number, seen_ids, errors) if authority_id is not None else None
    country = data["country"]
    if country and not permissions.can_edit_country(actor, country):
        errors.append(
            RowError(
                "country",
                _("You may only import authorities of the countries you coordinate (%(codes)s), not %(code)s.")
                % {"codes": ", ".join(sorted(actor.coordinated_country_codes())) or "-", "code": country},
            )
        )
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


def _authority(actor, authority_id: int, row: int, seen_ids: dict[int, int], errors: list[RowError]):
    """The authority a row updates, when the actor may edit it and no earlier row named it."""
    if authority_id in seen_ids:
        errors.append(
            RowError(
                "id",
                _("Authority %(id)s is already on row %(row)s.") % {"id": authority_id, "row": seen_ids[authority_id]},
            )
        )
    else:
        seen_ids[authority_id] = row
    authority = (
        permissions.authorities_visible_to(actor)
        .select_related("country")
        .prefetch_related("competences")
        .filter(pk=authority_id)
        .first()
    )
    if authority is None or not permissions.can_edit_authority(actor, authority):
        errors.append(RowError("id", _("There is no authority %(id)s that you may edit.") % {"id": authority_id}))
        return None
    return authority


def _keep_existing_details(authority, data: dict) -> None:
    """What a CSV row cannot express stays as it is: names in languages without a column, scope notes."""
    if "names" in data:
        data["names"] = {**authority.names, **data["names"]}
    if "competences" in data:
        notes = {c.code: c.scope_notes for c in authority.competences.all()}
        for row in data["competences"]:
            row["scope_notes"] = notes.get(row["code"], "")


def _errors_from_validation(exc: ValidationError) -> list[RowError]:
    out: list[RowError] = []
    for key, messages in exc.message_dict.items():
        column = "names_*" if key == "names" else key
        out.extend(RowError(column, message) for message in messages)
    return out
