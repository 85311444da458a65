"""Planner pages."""

app_name = "planner"

urlpatterns: list = []
