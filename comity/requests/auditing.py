"""The audit actions of the requests app, and the one call that records them.

The values below must exist in `comity.audit.models.AuditAction` (added at merge: see the branch's report). Events
carry ids, types and statuses only, never the content of a draft or a request (TLP:RED)."""

from __future__ import annotations

from comity.audit.services import audit_log

DRAFT_CREATED = "requests.draft_created"
DRAFT_SHARED = "requests.draft_shared"
DRAFT_DELETED = "requests.draft_deleted"
REQUEST_CREATED = "requests.created"
STATUS_CHANGED = "requests.status_changed"
REFERENCE_SET = "requests.reference_set"
THREAD_OPENED = "requests.thread_opened"
DOCUMENT_DOWNLOADED = "requests.document_downloaded"
REGISTER_EXPORTED = "requests.register_exported"
REMINDER_SENT = "requests.reminder_sent"
LETTER_MODEL_EDITED = "requests.letter_model_edited"

LABELS = {
    DRAFT_CREATED: "Draft request created",
    DRAFT_SHARED: "Draft request shared",
    DRAFT_DELETED: "Draft request deleted",
    REQUEST_CREATED: "Request finalised and sent",
    STATUS_CHANGED: "Request status changed",
    REFERENCE_SET: "Request reference set",
    THREAD_OPENED: "Private thread opened for a request",
    DOCUMENT_DOWNLOADED: "Request letter downloaded",
    REGISTER_EXPORTED: "Register of requests exported",
    REMINDER_SENT: "Reminder about a request sent",
    LETTER_MODEL_EDITED: "Fixed text of a letter edited",
}


def record(action: str, **kwargs) -> None:
    audit_log(action=action, **kwargs)  # type: ignore[arg-type]  # a value of AuditAction
