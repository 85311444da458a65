"""Meetings pages."""

app_name = "meetings"

urlpatterns: list = []
