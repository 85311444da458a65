"""Periodic job runs and worker heartbeats in the admin, read-only, for the secretariat and operators."""

from django.contrib import admin

from comity.ops.models import JobRun, WorkerHeartbeat


class _ReadOnly(admin.ModelAdmin):
    show_full_result_count = False

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


@admin.register(JobRun)
class JobRunAdmin(_ReadOnly):
    list_display = ["job", "period_start", "ok", "started_at", "finished_at", "worker_id"]
    list_filter = ["job", "ok"]
    ordering = ["-period_start", "job"]
    readonly_fields = ["job", "period_start", "worker_id", "started_at", "lease_until", "finished_at", "ok", "detail"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(_ReadOnly):
    list_display = ["worker_id", "hostname", "pid", "started_at", "seen_at"]
    ordering = ["-seen_at"]
