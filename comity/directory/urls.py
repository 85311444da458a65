from django.urls import include, path

from comity.directory import views

app_name = "directory"

urlpatterns = [
    path("authorities/", views.authority_list, name="authority_list"),
    path("authorities/new/", views.authority_create, name="authority_create"),
    path("authorities/<int:pk>/", views.authority_detail, name="authority_detail"),
    path("authorities/<int:pk>/edit/", views.authority_edit, name="authority_edit"),
    path("authorities/<int:pk>/confirm/", views.authority_confirm, name="authority_confirm"),
    path("authorities/<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/confirm/", views.contact_confirm, name="contact_confirm"),
    path("contacts/<int:pk>/handover/", views.contact_handover, name="contact_handover"),
    path("finder/", views.finder, name="finder"),
    # Import, export, vCard and the freshness dashboard live in their own module.
    path("", include("comity.directory.importexport.urls")),
]
