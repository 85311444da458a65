"""The append-only, hash-chained audit log."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    INVITATION_SENT = "invitation.sent", _("Invitation sent")
    INVITATION_ACCEPTED = "invitation.accepted", _("Invitation accepted")
    INVITATION_EXPIRED = "invitation.expired", _("Invitation expired")
    INVITATION_REVOKED = "invitation.revoked", _("Invitation revoked")
    LOGIN_SUCCEEDED = "auth.login", _("Signed in")
    LOGIN_FAILED = "auth.login_failed", _("Sign-in failed (password)")
    OTP_FAILED = "auth.otp_failed", _("Sign-in failed (second factor)")
    LOGIN_LOCKED = "auth.locked", _("Sign-in locked after repeated failures")
    LOGOUT = "auth.logout", _("Signed out")
    REAUTHENTICATED = "auth.reauthenticated", _("Identity confirmed again")
    TOTP_ENROLLED = "auth.totp_enrolled", _("Authenticator enrolled")
    TOTP_RESET = "auth.totp_reset", _("Two-factor authentication reset")
    RECOVERY_CODE_USED = "auth.recovery_code_used", _("Recovery code used")
    RECOVERY_CODES_REGENERATED = "auth.recovery_codes_regenerated", _("Recovery codes regenerated")
    PASSWORD_CHANGED = "auth.password_changed", _("Password changed")
    PASSWORD_RESET_REQUESTED = "auth.password_reset_requested", _("Password reset requested")
    PASSWORD_RESET_COMPLETED = "auth.password_reset_completed", _("Password reset completed")
    SESSION_REVOKED = "auth.session_revoked", _("Session signed out")
    API_TOKEN_CREATED = "api_token.created", _("API token created")
    API_TOKEN_REVOKED = "api_token.revoked", _("API token revoked")
    USER_ROLE_CHANGED = "user.role_changed", _("Role changed")
    USER_DEACTIVATED = "user.deactivated", _("User deactivated")
    USER_REACTIVATED = "user.reactivated", _("User reactivated")
    USER_PROFILE_UPDATED = "user.profile_updated", _("Profile updated")
    AUDIT_EXPORTED = "audit.exported", _("Audit log exported")
    REFERENCE_LOADED = "reference.loaded", _("Reference data loaded")
    DEMO_SEEDED = "demo.seeded", _("Demo data created")
    AUTHORITY_CREATED = "directory.authority_created", _("Authority created")
    AUTHORITY_UPDATED = "directory.authority_updated", _("Authority updated")
    AUTHORITY_CONFIRMED = "directory.authority_confirmed", _("Authority confirmed as correct")
    CONTACT_CREATED = "directory.contact_created", _("Contact point created")
    CONTACT_UPDATED = "directory.contact_updated", _("Contact point updated")
    CONTACT_CONFIRMED = "directory.contact_confirmed", _("Contact point confirmed as correct")
    CONTACT_HANDOVER = "directory.contact_handover", _("Seat handed over")
    DIRECTORY_IMPORTED = "directory.imported", _("Directory data imported")
    DIRECTORY_IMPORT_QUEUED = "directory.import_queued", _("Directory import queued")
    DIRECTORY_IMPORT_FAILED = "directory.import_failed", _("Directory import failed")
    DIRECTORY_EXPORTED = "directory.exported", _("Directory data exported")
    DIRECTORY_REMINDER_SENT = "directory.reminder_sent", _("Confirmation reminder sent")
    DIRECTORY_ESCALATED = "directory.escalated", _("Overdue confirmation escalated")
    SPACE_CREATED = "forum.space_created", _("Space created")
    SPACE_UPDATED = "forum.space_updated", _("Space settings changed")
    SPACE_MEMBER_ADDED = "forum.member_added", _("Person or authority added to a space")
    SPACE_MEMBER_REMOVED = "forum.member_removed", _("Person or authority removed from a space")
    THREAD_CREATED = "forum.thread_created", _("Thread started")
    THREAD_LOCKED = "forum.thread_locked", _("Thread locked")
    THREAD_UNLOCKED = "forum.thread_unlocked", _("Thread unlocked")
    THREAD_MOVED = "forum.thread_moved", _("Thread moved")
    THREAD_PINNED = "forum.thread_pinned", _("Thread pinned")
    THREAD_UNPINNED = "forum.thread_unpinned", _("Thread unpinned")
    THREAD_EXPORTED = "forum.thread_exported", _("Thread exported")
    LEGAL_HOLD_SET = "forum.legal_hold_set", _("Legal hold placed")
    LEGAL_HOLD_RELEASED = "forum.legal_hold_released", _("Legal hold released")
    POST_FLAGGED = "forum.post_flagged", _("Post flagged")
    POST_HIDDEN = "forum.post_hidden", _("Post hidden")
    POST_RESTORED = "forum.post_restored", _("Post restored")
    ANSWER_ACCEPTED = "forum.answer_accepted", _("Answer accepted")
    ANSWER_UNACCEPTED = "forum.answer_unaccepted", _("Accepted answer withdrawn")
    POSTS_PURGED = "forum.posts_purged", _("Old posts deleted under the retention rule")
    QUESTION_REMINDER_SENT = "forum.question_reminder", _("Reminder about an unanswered question")
    TRANSLATION_REQUESTED = "forum.translation_requested", _("Post sent for machine translation")
    FILE_UPLOADED = "files.uploaded", _("File uploaded")
    FILE_DOWNLOADED = "files.downloaded", _("File downloaded")
    FILE_DELETED = "files.deleted", _("File deleted")
    FILE_LOG_EXPORTED = "files.log_exported", _("File log exported")
    MASTER_KEY_ROTATED = "files.master_key_rotated", _("Master key rotated")
    INSTRUMENT_CREATED = "treaties.instrument_created", _("Instrument created")
    INSTRUMENT_UPDATED = "treaties.instrument_updated", _("Instrument updated")
    PARTY_CREATED = "treaties.party_created", _("Party to an instrument recorded")
    PARTY_UPDATED = "treaties.party_updated", _("Party to an instrument updated")
    PARTY_VERIFIED = "treaties.party_verified", _("Party to an instrument confirmed")
    PARTIES_IMPORTED = "treaties.parties_imported", _("Parties imported from a status table")
    LEGAL_PROFILE_UPDATED = "legalprofiles.profile_updated", _("Country legal profile updated")
    LEGAL_PROFILE_CONFIRMED = "legalprofiles.profile_confirmed", _("Country legal profile confirmed")
    MEASURE_FICHE_UPDATED = "legalprofiles.fiche_updated", _("Measure fiche updated")
    MEASURE_FICHE_CONFIRMED = "legalprofiles.fiche_confirmed", _("Measure fiche confirmed")
    DOCUMENT_UPLOADED = "library.document_uploaded", _("Library document uploaded")
    DOCUMENT_UPDATED = "library.document_updated", _("Library document updated")
    DOCUMENT_DELETED = "library.document_deleted", _("Library document deleted")
    DOCUMENT_DOWNLOADED = "library.document_downloaded", _("Members-only library document downloaded")
    GLOSSARY_TERM_SAVED = "library.glossary_term_saved", _("Glossary term saved")
    TEAM_CREATED = "teams.created", _("Joint team set up")
    TEAM_MEMBER_ADDED = "teams.member_added", _("Member added to a joint team")
    TEAM_MEMBER_REMOVED = "teams.member_removed", _("Member removed from a joint team")
    TEAM_EXTENDED = "teams.extended", _("Joint team extended")
    TEAM_CLOSED = "teams.closed", _("Joint team closed")
    TEAM_AGREEMENT_DRAFTED = "teams.agreement_drafted", _("Joint team agreement drafted or edited")
    TEAM_EVALUATED = "teams.evaluated", _("Joint team evaluated")
    TEAM_DOCUMENT_ADDED = "teams.document_added", _("Document added to a joint team's shelf")
    TEAM_TEMPLATE_UPDATED = "teams.template_updated", _("Model agreement template updated")
    REQUEST_DRAFT_CREATED = "requests.draft_created", _("Draft request created")
    REQUEST_DRAFT_SHARED = "requests.draft_shared", _("Draft request shared")
    REQUEST_DRAFT_DELETED = "requests.draft_deleted", _("Draft request deleted")
    REQUEST_CREATED = "requests.created", _("Request finalised and sent")
    REQUEST_STATUS_CHANGED = "requests.status_changed", _("Request status changed")
    REQUEST_REFERENCE_SET = "requests.reference_set", _("Request reference set")
    REQUEST_THREAD_OPENED = "requests.thread_opened", _("Private thread opened for a request")
    REQUEST_DOCUMENT_DOWNLOADED = "requests.document_downloaded", _("Request letter downloaded")
    REQUEST_REGISTER_EXPORTED = "requests.register_exported", _("Register of requests exported")
    REQUEST_REMINDER_SENT = "requests.reminder_sent", _("Reminder about a request sent")
    REQUEST_LETTER_MODEL_EDITED = "requests.letter_model_edited", _("Fixed text of a letter edited")
    EVENT_CREATED = "meetings.event_created", _("Event created")
    EVENT_UPDATED = "meetings.event_updated", _("Event updated")
    EVENT_CANCELLED = "meetings.event_cancelled", _("Event cancelled")
    EVENT_REGISTRATION_DECIDED = "meetings.registration_decided", _("Event registration approved or declined")
    EVENT_PARTICIPANTS_EXPORTED = "meetings.participants_exported", _("Event participant list exported")
    EVENT_BUDGET_SET = "meetings.budget_set", _("Event funding budget set")
    EVENT_ELIGIBILITY_ADDED = "meetings.eligibility_added", _("Country made eligible for event funding")
    FUNDING_DECIDED = "meetings.funding_decided", _("Funding request decided")
    FUNDING_EXPORTED = "meetings.funding_exported", _("Funding requests exported")
    CALENDAR_FEED_CREATED = "meetings.feed_created", _("Calendar feed address created")
    CALENDAR_FEED_REVOKED = "meetings.feed_revoked", _("Calendar feed address revoked")


GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One security-relevant or data-changing action. Rows are never updated or deleted.

    `hash` is the SHA-256 of the previous row's hash and this row's canonical JSON, so altering,
    removing or inserting a row out of band breaks the chain (`manage.py audit_verify`).
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor label"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=64, choices=AuditAction.choices, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    country_code = models.CharField(_("country"), max_length=2, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["actor", "created_at"], name="audit_actor_time")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit events are append-only.")

    def canonical(self) -> str:
        payload = {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "country_code": self.country_code,
            "ip": self.ip,
            "user_agent": self.user_agent,
            "request_id": self.request_id,
            "details": self.details,
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)

    def compute_hash(self) -> str:
        return hashlib.sha256(f"{self.prev_hash}\n{self.canonical()}".encode()).hexdigest()


class AuditChainHead(models.Model):
    """A single row holding the last sequence number and hash; locked while appending."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"head #{self.seq}"
