"""Meetings routes under /api/v1/."""

from django.urls import path

from comity.meetings.api import views

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="api-event-list"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="api-event-detail"),
    path("events/<int:pk>/ics/", views.EventIcsView.as_view(), name="api-event-ics"),
    path("events/<int:pk>/cancel/", views.EventCancelView.as_view(), name="api-event-cancel"),
    path("events/<int:pk>/budget/", views.BudgetView.as_view(), name="api-event-budget"),
    path("events/<int:pk>/registration/", views.RegistrationView.as_view(), name="api-event-registration"),
    path("events/<int:pk>/participants/", views.ParticipantListView.as_view(), name="api-event-participants"),
    path("events/<int:pk>/funding-requests/", views.FundingRequestListView.as_view(), name="api-event-funding"),
    path("funding-requests/<int:pk>/decision/", views.FundingDecisionView.as_view(), name="api-funding-decision"),
    path(
        "registrations/<int:pk>/decision/", views.RegistrationDecisionView.as_view(), name="api-registration-decision"
    ),
]
