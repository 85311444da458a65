"""The audit log in the admin: readable by the secretariat, never added to, changed or deleted."""

from django.contrib import admin

from comity.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["seq", "created_at", "actor_label", "action", "country_code", "target_type", "target_id"]
    list_filter = ["action", "country_code"]
    search_fields = ["actor_label", "target_id", "request_id"]
    date_hierarchy = "created_at"
    ordering = ["-seq"]
    show_full_result_count = False  # a full COUNT(*) on every page is slow on a large log
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    actions = None

    def has_module_permission(self, request):
        return request.user.is_secretariat or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_secretariat or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
