from django.urls import path

from comity.library import views

app_name = "library"

urlpatterns = [
    path("search/", views.legal_search, name="search"),
    path("library/", views.document_list, name="document_list"),
    path("library/new/", views.document_create, name="document_create"),
    path("library/<int:pk>/", views.document_detail, name="document_detail"),
    path("library/<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("library/<int:pk>/delete/", views.document_delete, name="document_delete"),
    path("library/<int:pk>/download/", views.document_download, name="document_download"),
    path("glossary/", views.glossary, name="glossary"),
    path("glossary/<slug:key>/edit/", views.glossary_edit, name="glossary_edit"),
]
