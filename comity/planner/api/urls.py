"""Planner routes under /api/v1/."""

urlpatterns: list = []
