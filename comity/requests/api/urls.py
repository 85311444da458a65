"""Requests routes under /api/v1/."""

from django.urls import path

from comity.requests.api import views

urlpatterns = [
    path("requests/", views.RequestListView.as_view(), name="requests-list"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="requests-detail"),
    path("requests/<int:pk>/status/", views.RequestStatusView.as_view(), name="requests-status"),
    path("requests/<int:pk>/document/", views.RequestDocumentView.as_view(), name="requests-document"),
]
