from django.urls import path

from comity.files import views

app_name = "files"

urlpatterns = [
    path("spaces/<slug:slug>/", views.space_files, name="space_files"),
    path("spaces/<slug:slug>/upload/", views.upload, name="upload"),
    path("spaces/<slug:slug>/log/", views.space_log, name="space_log"),
    path("spaces/<slug:slug>/log.csv", views.space_log_export, name="space_log_export"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
