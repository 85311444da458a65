"""Operator tools: the secretariat edits the fixed text of letters here (data, not code). Drafts and requests are
TLP:RED and not shown in the admin."""

from django.contrib import admin
from django.db import transaction
from django.utils import timezone

from comity.requests import auditing
from comity.requests.models import LetterModel


@admin.register(LetterModel)
class LetterModelAdmin(admin.ModelAdmin):
    list_display = ("coop_type", "measure", "language", "edited", "updated_at")
    list_filter = ("language", "coop_type", "edited")
    readonly_fields = ("edited", "updated_at")

    @staticmethod
    def _secretariat(request) -> bool:
        return bool(request.user.is_active and getattr(request.user, "is_secretariat", False))

    def has_module_permission(self, request):
        return self._secretariat(request)

    def has_view_permission(self, request, obj=None):
        return self._secretariat(request)

    def has_change_permission(self, request, obj=None):
        return self._secretariat(request)

    def save_model(self, request, obj, form, change):
        obj.edited = True
        obj.updated_at = timezone.now()
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            auditing.record(
                auditing.LETTER_MODEL_EDITED,
                actor=request.user,
                target=obj,
                details={"coop_type": obj.coop_type, "measure": obj.measure, "language": obj.language},
            )
