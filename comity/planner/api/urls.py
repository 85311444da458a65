"""Planner routes under /api/v1/."""

from django.urls import path

from comity.planner.api import views

urlpatterns = [path("planner/", views.PlannerView.as_view(), name="planner-plan")]
