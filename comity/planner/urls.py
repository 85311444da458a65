"""Planner pages."""

from django.urls import path

from comity.planner import views

app_name = "planner"

urlpatterns = [path("", views.plan, name="plan")]
