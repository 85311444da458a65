"""Treaties routes under /api/v1/: instruments, their parties, the legal-basis finder."""

from django.urls import path

from comity.treaties.api import views

urlpatterns = [
    path("instruments/", views.InstrumentListView.as_view(), name="treaties-instrument-list"),
    path("instruments/<slug:slug>/", views.InstrumentDetailView.as_view(), name="treaties-instrument-detail"),
    path("instruments/<slug:slug>/parties/", views.PartyListView.as_view(), name="treaties-party-list"),
    path("legal-basis/", views.LegalBasisView.as_view(), name="treaties-legal-basis"),
]
