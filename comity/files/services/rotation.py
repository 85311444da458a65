"""Master key rotation: re-wrap every file key from the old master key to the new one, in batches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from comity.audit.models import AuditAction
from comity.audit.services import audit_log
from comity.core import crypto
from comity.files import storage
from comity.files.models import Attachment, Upload


@dataclass
class RotationResult:
    old_fingerprint: str
    new_fingerprint: str
    attachments: int = 0
    uploads: int = 0
    already: int = 0
    failed: int = 0
    failed_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "old_fingerprint": self.old_fingerprint,
            "new_fingerprint": self.new_fingerprint,
            "attachments": self.attachments,
            "uploads": self.uploads,
            "already": self.already,
            "failed": self.failed,
            "failed_ids": self.failed_ids[:50],
        }


def master_key_rotate(*, old_key: bytes, new_key: bytes, batch_size: int = 500, actor=None) -> RotationResult:
    """Re-wrap every file key (attachments and uploads in progress) from the old master key to the new one,
    in batches, each in a transaction. Rows already under the new key are skipped, so running it again
    after an interruption (or after a restart that left a few uploads under the old key) finishes the job.
    The files are not touched. Deleted attachments have no key left to re-wrap."""
    result = RotationResult(storage.fingerprint(old_key), storage.fingerprint(new_key))
    if result.old_fingerprint == result.new_fingerprint:
        raise ValidationError(_("The old and the new master key are the same."))
    # Both models carry the same key fields; Any lets one loop serve both (a union would not type-check here).
    keyed: tuple[tuple[Any, str], ...] = ((Attachment, "attachments"), (Upload, "uploads"))
    for model, counter in keyed:
        base = model.objects.exclude(wrapped_key="")
        result.already += base.filter(key_fingerprint=result.new_fingerprint).count()
        last_pk = None
        while True:
            with transaction.atomic():
                query = base.exclude(key_fingerprint=result.new_fingerprint).order_by("pk")
                if last_pk is not None:
                    query = query.filter(pk__gt=last_pk)
                rows = list(query.select_for_update()[:batch_size])
                if not rows:
                    break
                changed = []
                for row in rows:
                    last_pk = row.pk
                    if row.key_fingerprint != result.old_fingerprint:
                        result.failed += 1
                        result.failed_ids.append(f"{model._meta.model_name}:{row.pk}")
                        continue
                    try:
                        row.wrapped_key = crypto.rewrap_key(row.wrapped_key, old_key, new_key)
                    except crypto.DecryptionError:
                        result.failed += 1
                        result.failed_ids.append(f"{model._meta.model_name}:{row.pk}")
                        continue
                    row.key_fingerprint = result.new_fingerprint
                    changed.append(row)
                model.objects.bulk_update(changed, ["wrapped_key", "key_fingerprint"])
                setattr(result, counter, getattr(result, counter) + len(changed))
    audit_log(action=AuditAction.MASTER_KEY_ROTATED, actor=actor, details=result.as_dict())
    return result
