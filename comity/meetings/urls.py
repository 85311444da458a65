"""Meetings pages."""

from django.urls import path

from comity.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("new/", views.event_create, name="event_create"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("<int:pk>/", views.event_detail, name="event_detail"),
    path("<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("<int:pk>/event.ics", views.event_ics, name="event_ics"),
    path("<int:pk>/sessions/", views.session_add, name="session_add"),
    path("<int:pk>/actions/", views.action_add, name="action_add"),
    path("<int:pk>/minutes/", views.minutes_edit, name="minutes_edit"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/participants/", views.participants, name="participants"),
    path("<int:pk>/participants.csv", views.participants_csv, name="participants_csv"),
    path("<int:pk>/badges/", views.badges, name="badges"),
    path("<int:pk>/sign-in-sheet/", views.signin_sheet, name="signin_sheet"),
    path("<int:pk>/funding/", views.funding, name="funding"),
    path("<int:pk>/funding/request/", views.funding_request, name="funding_request"),
    path("<int:pk>/funding.csv", views.funding_csv, name="funding_csv"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("registrations/<int:pk>/decide/", views.registration_decide, name="registration_decide"),
    path("funding-requests/<int:pk>/decide/", views.funding_decide, name="funding_decide"),
]
