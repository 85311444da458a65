"""Import, export, vCards and the freshness dashboard (included by comity.directory.urls, namespace "directory")."""

from django.urls import path

from comity.directory.importexport import views

urlpatterns = [
    path("import/", views.import_view, name="import"),
    path("import/<str:token>/", views.import_job, name="import_job"),
    path("export/", views.export_page, name="export"),
    path("export/csv/", views.export_download, {"fmt": "csv"}, name="export_csv"),
    path("export/json/", views.export_download, {"fmt": "json"}, name="export_json"),
    path("authorities/<int:pk>/vcard/", views.authority_vcard, name="authority_vcard"),
    path("contacts/<int:pk>/vcard/", views.contact_vcard, name="contact_vcard"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
