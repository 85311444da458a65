"""Admin site that demands a two-factor session and sends sign-in through Comity's own flow."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


class ComityAdminSite(admin.AdminSite):
    site_header = "Comity administration"
    site_title = "Comity"

    def has_permission(self, request):
        user = request.user
        verified = getattr(user, "is_verified", lambda: False)()
        return bool(user.is_active and user.is_staff and verified)

    def login(self, request, extra_context=None):
        target = reverse("accounts:login") + "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
