from django.urls import include, path

app_name = "directory"

urlpatterns = [
    # Import, export, vCard and the freshness dashboard live in their own module.
    path("", include("comity.directory.importexport.urls")),
]
