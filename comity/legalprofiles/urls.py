"""Pages of the country legal profiles, under /<lang>/legal/ (namespace "legalprofiles")."""

from django.urls import path

from comity.legalprofiles import views

app_name = "legalprofiles"

urlpatterns = [
    path("countries/", views.country_list, name="country_list"),
    path("countries/<str:iso2>/", views.country_detail, name="country_detail"),
    path("countries/<str:iso2>/edit/", views.profile_edit, name="profile_edit"),
    path("countries/<str:iso2>/confirm/", views.profile_confirm, name="profile_confirm"),
    path("countries/<str:iso2>/types/<str:coop_type>/edit/", views.rules_edit, name="rules_edit"),
    path("countries/<str:iso2>/measures/<str:code>/", views.measure_detail, name="measure_detail"),
    path("countries/<str:iso2>/measures/<str:code>/edit/", views.fiche_edit, name="fiche_edit"),
    path("countries/<str:iso2>/measures/<str:code>/confirm/", views.fiche_confirm, name="fiche_confirm"),
    path("compare/", views.compare, name="compare"),
    path("overdue/", views.overdue, name="overdue"),
]
