"""Running an import: every row through the services, as a dry run or for real, without stalling the platform.

How it runs
-----------
Every row goes through ``services.authority_create`` / ``services.authority_update`` (action "imported"), so
validation (``comity.directory.inputs``), versions and audit events are exactly those of the pages and the API.

Every audited write locks the audit chain's head until its transaction ends, and every sign-in, post or upload
on the platform waits for that lock; so no import holds it for longer than one row:

* the check (a dry run, and the first pass of "apply") runs the rows through the services inside
  ``audit.services.rehearsal()``, in batches of ``CHECK_BATCH_ROWS`` rows each rolled back: it writes nothing,
  appends no audit event and never takes the chain's lock;
* applying commits each row by itself (its changes, version and audit event), then one ``DIRECTORY_IMPORTED``
  event records the import with its counts. The row transactions are durable: calling this inside another
  transaction is an error, not a silent long lock.

"Apply" applies only when the check finds no row with an error; "apply the valid rows only" applies the rows that
pass. A row that passed the check but fails when applied (someone changed the record in between) is reported as
an error and not imported; the rows already committed stay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from comity.audit.models import AuditAction
from comity.audit.services import audit_log, rehearsal
from comity.directory import permissions, services
from comity.directory.importexport.csv_import.parsing import ParsedFile, RawRow
from comity.directory.importexport.csv_import.report import ImportReport, Mode, RowError, RowResult, Status
from comity.directory.importexport.csv_import.rows import row_to_data

DEFAULT_MAX_WEB_ROWS = 2000
# Rows checked per rolled-back transaction: short enough that the records it touches are not locked for long,
# and under PostgreSQL's 64 cached subtransactions (one savepoint per row), beyond which every snapshot slows.
CHECK_BATCH_ROWS = 50

Progress = Callable[[int, int], None]


def max_web_rows() -> int:
    """Rows the web page takes in one file (each row is a full service call, run by the task worker); larger
    files go through `manage.py directory_import`, which has no limit."""
    return int(getattr(settings, "DIRECTORY_IMPORT_MAX_ROWS", DEFAULT_MAX_WEB_ROWS))


def can_import(user) -> bool:
    """The secretariat, and national coordinators who coordinate at least one country."""
    if not permissions.is_member(user):
        return False
    return user.is_secretariat or bool(user.is_coordinator and user.coordinated_country_codes())


@dataclass
class ImportRun:
    """One run of a file; `results` grows row by row, so a run stopped by an error still shows what it did."""

    actor: object
    parsed: ParsedFile
    mode: str
    progress: Progress | None = None
    on_phase: Callable[[str], None] | None = None
    phase: str = ""
    results: list[RowResult] = field(default_factory=list)

    def report(self, *, applied: bool) -> ImportReport:
        return ImportReport(mode=self.mode, rows=list(self.results), applied=applied, file_name=self.parsed.name)

    def run(self) -> ImportReport:
        if self.mode not in Mode.ALL:
            raise ValueError(self.mode)
        if not can_import(self.actor):
            raise PermissionDenied
        if self.mode in (Mode.DRY_RUN, Mode.APPLY):
            self._check()
            report = self.report(applied=False)
            if self.mode == Mode.DRY_RUN or report.has_errors:
                for row in report.rows:  # the numbers a rolled-back creation received are not real
                    if row.status == Status.CREATE:
                        row.authority_id = None
                return report
        self._apply()
        report = self.report(applied=True)
        countries = {
            raw.cells.get("country", "").strip().upper()
            for raw, row in zip(self.parsed.rows, report.rows, strict=True)
            if row.status in (Status.CREATE, Status.UPDATE, Status.UNCHANGED)
        }
        with transaction.atomic(durable=True):
            audit_log(
                action=AuditAction.DIRECTORY_IMPORTED,
                actor=self.actor,
                country=countries.pop() if len(countries) == 1 else "",
                details={
                    "file": self.parsed.name[:200],
                    "sha256": self.parsed.sha256,
                    "valid_rows_only": self.mode == Mode.APPLY_VALID,
                    **report.counts,
                },
            )
        return report

    def _start(self, phase: str) -> None:
        self.phase = phase
        self.results = []
        if self.on_phase is not None:
            self.on_phase(phase)

    def _done(self, done: int) -> None:
        if self.progress is not None:
            self.progress(done, len(self.parsed.rows))

    def _check(self) -> None:
        """Every row through the services, rolled back batch by batch; no audit event, no chain lock."""
        self._start("checking")
        seen_ids: dict[int, int] = {}
        rows = self.parsed.rows
        for first in range(0, len(rows), CHECK_BATCH_ROWS):
            with transaction.atomic(durable=True), rehearsal():
                for raw in rows[first : first + CHECK_BATCH_ROWS]:
                    self.results.append(_process_row(self.actor, raw, seen_ids))
            for done in range(first + 1, len(self.results) + 1):  # after the rollback, so progress can be saved
                self._done(done)

    def _apply(self) -> None:
        """Every row committed by itself, so the chain's lock is held for one row's write at a time."""
        self._start("applying")
        seen_ids: dict[int, int] = {}
        for raw in self.parsed.rows:
            with transaction.atomic(durable=True):
                self.results.append(_process_row(self.actor, raw, seen_ids))
            self._done(len(self.results))


def run_import(
    *,
    actor,
    parsed: ParsedFile,
    mode: str,
    progress: Progress | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> ImportReport:
    """Dry-run or apply a parsed file; see the module docstring for the rules."""
    return ImportRun(actor=actor, parsed=parsed, mode=mode, progress=progress, on_phase=on_phase).run()


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
