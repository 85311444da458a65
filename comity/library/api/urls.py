from django.urls import path

from comity.library.api import views

urlpatterns = [
    path("documents/", views.DocumentList.as_view(), name="api-library-documents"),
    path("documents/<int:pk>/", views.DocumentDetail.as_view(), name="api-library-document"),
    path("legal-search/", views.LegalSearch.as_view(), name="api-legal-search"),
    path("glossary/", views.GlossaryList.as_view(), name="api-glossary"),
]
