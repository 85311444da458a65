"""Operations routes at the site root, without a language prefix (like /healthz)."""

from django.urls import path

from comity.ops import views

app_name = "ops"

urlpatterns = [
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics_view, name="metrics"),
]
