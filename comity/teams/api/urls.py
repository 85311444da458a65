"""Joint teams routes under /api/v1/."""

from django.urls import path

from comity.teams.api import views

urlpatterns = [
    path("teams/", views.TeamListView.as_view(), name="teams-list"),
    path("teams/<int:pk>/", views.TeamDetailView.as_view(), name="teams-detail"),
    path("teams/<int:pk>/members/", views.TeamMembersView.as_view(), name="teams-members"),
    path("teams/<int:pk>/members/<int:user_id>/", views.TeamMemberView.as_view(), name="teams-member"),
    path("teams/<int:pk>/action-items/", views.ActionItemsView.as_view(), name="teams-action-items"),
    path("teams/<int:pk>/action-items/<int:item_id>/", views.ActionItemView.as_view(), name="teams-action-item"),
]
