"""What an import reports: the mode it ran in, and each row's status, errors and changed fields."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy


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
        return {
            "rows": len(self.rows),
            "created": self.count(Status.CREATE),
            "updated": self.count(Status.UPDATE),
            "unchanged": self.count(Status.UNCHANGED),
            "skipped": self.count(Status.SKIPPED),
            "errors": self.count(Status.ERROR),
        }

    @property
    def has_errors(self) -> bool:
        return any(row.status == Status.ERROR for row in self.rows)

    @property
    def valid_changes(self) -> int:
        return self.count(Status.CREATE) + self.count(Status.UPDATE)

    def label(self, row: RowResult) -> str:
        return str(STATUS_LABELS[(row.status, self.applied)])
