from django.urls import path

from comity.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("session/keepalive/", views.session_keepalive, name="keepalive"),
    path("countries/<str:iso2>/", views.country_detail, name="country_detail"),
    path("legal/", views.legal_home, name="legal_home"),
]
