"""Who may read the audit log. Deny by default; everyone else gets 404 from the views."""

from __future__ import annotations

from django.db.models import QuerySet

from comity.audit.models import AuditEvent


def _is_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_view_audit(user) -> bool:
    """The secretariat reads the whole log; a national coordinator reads their countries' events."""
    return _is_member(user) and (user.is_secretariat or user.is_coordinator)


def events_visible_to(user) -> QuerySet[AuditEvent]:
    """The audit events `user` may see: all for the secretariat, their countries' for a coordinator."""
    if not _is_member(user):
        return AuditEvent.objects.none()
    if user.is_secretariat:
        return AuditEvent.objects.all()
    if user.is_coordinator:
        codes = user.coordinated_country_codes()
        if not codes:
            return AuditEvent.objects.none()
        return AuditEvent.objects.filter(country_code__in=sorted(codes))
    return AuditEvent.objects.none()
