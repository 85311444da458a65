from django.urls import path

from comity.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("login/verify/", views.verify, name="verify"),
    path("login/enrol/", views.enrol, name="enrol"),
    path("logout/", views.sign_out, name="logout"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("recovery-codes/new/", views.recovery_codes_regenerate, name="recovery_codes_regenerate"),
    path("confirm/", views.reauth, name="reauth"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("password/reset/", views.password_reset_request, name="password_reset"),
    path("password/reset/<str:uidb64>/<str:token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("profile/", views.profile, name="profile"),
    path("profile/password/", views.password_change, name="password_change"),
    path("profile/authenticator/", views.totp_replace, name="totp_replace"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("sessions/", views.sessions, name="sessions"),
    path("members/", views.member_list, name="member_list"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/status/", views.member_status, name="member_status"),
    path("members/<int:pk>/role/", views.member_role, name="member_role"),
    path("members/<int:pk>/reset-2fa/", views.member_reset_2fa, name="member_reset_2fa"),
]
