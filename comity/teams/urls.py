"""Joint teams pages."""

from django.urls import path

from comity.teams import views

app_name = "teams"

urlpatterns = [
    path("", views.team_list, name="list"),
    path("new/", views.team_create, name="create"),
    path("agreement-template/", views.template_edit, name="template"),
    path("<int:pk>/", views.team_detail, name="detail"),
    path("<int:pk>/members/", views.member_add, name="member_add"),
    path("<int:pk>/members/<int:user_id>/remove/", views.member_remove, name="member_remove"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/actions/", views.item_create, name="item_create"),
    path("<int:pk>/actions/<int:item_id>/status/", views.item_status, name="item_status"),
    path("<int:pk>/documents/", views.document_add, name="document_add"),
    path("<int:pk>/documents/<int:document_id>/versions/", views.version_add, name="version_add"),
    path("<int:pk>/evaluation/", views.evaluate, name="evaluate"),
    path("<int:pk>/agreement/", views.agreement_print, name="agreement"),
    path("<int:pk>/agreement/edit/", views.agreement_edit, name="agreement_edit"),
    path("<int:pk>/agreement.docx", views.agreement_docx, name="agreement_docx"),
]
