"""Requests pages."""

from django.urls import path

from comity.requests import views

app_name = "requests"

urlpatterns = [
    path("", views.home, name="home"),
    path("drafts/new/", views.draft_new, name="draft_new"),
    path("drafts/<int:pk>/finalise/", views.draft_finalise, name="draft_finalise"),
    path("drafts/<int:pk>/share/", views.draft_share, name="draft_share"),
    path("drafts/<int:pk>/delete/", views.draft_delete, name="draft_delete"),
    path("drafts/<int:pk>/letter/", views.draft_letter, name="draft_letter"),
    path("drafts/<int:pk>/letter.docx", views.draft_docx, name="draft_docx"),
    path("drafts/<int:pk>/annexes/", views.draft_annexes, name="draft_annexes"),
    path("drafts/<int:pk>/<slug:step>/", views.draft_step, name="draft_step"),
    path("register/", views.register, name="register"),
    path("register.csv", views.register_csv, name="register_csv"),
    path("counts/", views.counts, name="counts"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/status/", views.request_status, name="request_status"),
    path("<int:pk>/reference/", views.request_reference, name="request_reference"),
    path("<int:pk>/thread/", views.request_thread, name="request_thread"),
    path("<int:pk>/letter/", views.request_letter, name="request_letter"),
    path("<int:pk>/letter.docx", views.request_docx, name="request_docx"),
]
