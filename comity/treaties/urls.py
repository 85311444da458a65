"""Pages under /<lang>/legal/: instruments and their parties, the legal-basis finder, the status table."""

from django.urls import path

from comity.treaties import views

app_name = "treaties"

urlpatterns = [
    path("instruments/", views.instrument_list, name="instrument_list"),
    path("instruments/new/", views.instrument_create, name="instrument_create"),
    path("instruments/status/", views.status_table, name="status"),
    path("instruments/status.csv", views.status_csv, name="status_csv"),
    path("instruments/overview/", views.overview, name="overview"),
    path("instruments/<slug:slug>/", views.instrument_detail, name="instrument_detail"),
    path("instruments/<slug:slug>/edit/", views.instrument_edit, name="instrument_edit"),
    path("instruments/<slug:slug>/parties/new/", views.party_create, name="party_create"),
    path("instruments/<slug:slug>/parties/import/", views.party_import, name="party_import"),
    path("instruments/<slug:slug>/parties/<str:iso2>/edit/", views.party_edit, name="party_edit"),
    path("instruments/<slug:slug>/parties/<str:iso2>/verify/", views.party_verify, name="party_verify"),
    path("basis/", views.legal_basis, name="basis"),
]
