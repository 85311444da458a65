"""The outbox in the admin, for operators: delivery state only, never the subject or the text.

A GREEN post in a private consultation travels in its e-mail; the secretariat does not read private
consultations, so the admin shows who, when and what went wrong, not what was said.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from comity.mail import services as outbox
from comity.mail.models import OutboxEmail, OutboxStatus

DELIVERY_FIELDS = ["to", "category", "status", "attempts", "next_attempt_at", "last_error", "created_at", "sent_at"]


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to", "category", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "category"]
    search_fields = ["to"]
    ordering = ["-created_at"]
    fields = DELIVERY_FIELDS
    readonly_fields = DELIVERY_FIELDS
    show_full_result_count = False
    actions = ["retry"]

    def has_module_permission(self, request):
        return request.user.is_secretariat

    def has_view_permission(self, request, obj=None):
        return request.user.is_secretariat

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Queue failed e-mail again"))
    def retry(self, request, queryset):
        rows = list(queryset.filter(status=OutboxStatus.FAILED))
        for row in rows:
            outbox.outbox_retry(row=row)
        self.message_user(request, _("%(count)s e-mail queued again.") % {"count": len(rows)})
