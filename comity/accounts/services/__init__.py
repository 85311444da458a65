"""Every write about accounts, one module per topic; callers import from here (`services.invitation_create`)."""

from comity.accounts.services._common import sha256_hex
from comity.accounts.services.invitations import (
    InvitationError,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
    invitations_expire,
)
from comity.accounts.services.passwords import (
    password_change,
    password_reset_complete,
    password_reset_request,
    password_reset_send,
)
from comity.accounts.services.second_factor import (
    SecondFactorResult,
    confirmed_totp_device,
    recovery_codes_regenerate,
    second_factor_reset,
    second_factor_verify,
    totp_device_for_enrolment,
    totp_enrolment_confirm,
)
from comity.accounts.services.sessions import (
    session_end,
    session_register,
    session_rekey,
    session_revoke,
    sessions_end_others,
)
from comity.accounts.services.signin import SignInResult, reauth_check, sign_in_check_password, sign_in_complete
from comity.accounts.services.tokens import api_token_authenticate, api_token_create, api_token_revoke
from comity.accounts.services.users import (
    profile_update,
    user_change_role,
    user_deactivate,
    user_reactivate,
    user_set_language,
)

__all__ = [
    "InvitationError",
    "SecondFactorResult",
    "SignInResult",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "confirmed_totp_device",
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_revoke",
    "invitations_expire",
    "password_change",
    "password_reset_complete",
    "password_reset_request",
    "password_reset_send",
    "profile_update",
    "reauth_check",
    "recovery_codes_regenerate",
    "second_factor_reset",
    "second_factor_verify",
    "session_end",
    "session_register",
    "session_rekey",
    "session_revoke",
    "sessions_end_others",
    "sha256_hex",
    "sign_in_check_password",
    "sign_in_complete",
    "totp_device_for_enrolment",
    "totp_enrolment_confirm",
    "user_change_role",
    "user_deactivate",
    "user_reactivate",
    "user_set_language",
]
