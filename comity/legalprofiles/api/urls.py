"""Legal profile routes under /api/v1/: a country's profile and measure fiches, and the comparison of two countries."""

from django.urls import path

from comity.legalprofiles.api import views

urlpatterns = [
    path("countries/<str:iso2>/legal-profile/", views.ProfileView.as_view(), name="legalprofiles-profile"),
    path(
        "countries/<str:iso2>/legal-profile/confirm/",
        views.ProfileConfirmView.as_view(),
        name="legalprofiles-profile-confirm",
    ),
    path("countries/<str:iso2>/measures/", views.MeasureListView.as_view(), name="legalprofiles-measure-list"),
    path(
        "countries/<str:iso2>/measures/<str:code>/",
        views.MeasureDetailView.as_view(),
        name="legalprofiles-measure-detail",
    ),
    path(
        "countries/<str:iso2>/measures/<str:code>/confirm/",
        views.MeasureConfirmView.as_view(),
        name="legalprofiles-measure-confirm",
    ),
    path("legal-compare/", views.CompareView.as_view(), name="legalprofiles-compare"),
]
