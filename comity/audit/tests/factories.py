"""Audit events are only ever made by `audit_log`, so that the factory's rows are properly chained."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import factory

from comity.audit.models import AuditAction, AuditEvent
from comity.audit.services import audit_log


class AuditEventFactory(factory.Factory):
    """`AuditEventFactory(at=aware_datetime, ...)` appends an event as if it happened at that moment."""

    class Meta:
        model = AuditEvent

    action = AuditAction.USER_PROFILE_UPDATED
    actor = None
    country = ""
    target_type = ""
    target_id = ""
    details = factory.LazyFunction(dict)
    at = None

    @classmethod
    def _create(cls, model_class, *args, at: dt.datetime | None = None, **kwargs):
        if at is None:
            return audit_log(**kwargs)
        with mock.patch("django.utils.timezone.now", return_value=at):
            return audit_log(**kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("audit events exist only in the chain; use create()")
