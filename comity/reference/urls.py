from django.urls import path

from comity.reference import views

app_name = "reference"

urlpatterns = [
    path("countries/", views.country_list, name="country_list"),
    path("networks/", views.network_list, name="network_list"),
    path("networks/<slug:slug>/", views.network_detail, name="network_detail"),
]
