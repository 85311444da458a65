"""Requests pages."""

app_name = "requests"

urlpatterns: list = []
