"""Account pages, one module per topic; `urls.py` and the root URLconf import the views from here."""

from comity.accounts.views._common import (
    NEW_TOKEN,
    PENDING_AT,
    PENDING_MAX_AGE,
    PENDING_NEXT,
    PENDING_USER,
    SHOW_CODES,
)
from comity.accounts.views.account import (
    password_change,
    profile,
    reauth,
    recovery_codes_regenerate,
    sessions,
    token_create,
    token_revoke,
    totp_replace,
)
from comity.accounts.views.invitations import invitation_accept, invitation_list, invitation_revoke
from comity.accounts.views.language import set_language
from comity.accounts.views.members import member_detail, member_list, member_reset_2fa, member_role, member_status
from comity.accounts.views.passwords import password_reset_confirm, password_reset_request
from comity.accounts.views.signin import enrol, recovery_codes, sign_in, sign_out, verify

__all__ = [
    "NEW_TOKEN",
    "PENDING_AT",
    "PENDING_MAX_AGE",
    "PENDING_NEXT",
    "PENDING_USER",
    "SHOW_CODES",
    "enrol",
    "invitation_accept",
    "invitation_list",
    "invitation_revoke",
    "member_detail",
    "member_list",
    "member_reset_2fa",
    "member_role",
    "member_status",
    "password_change",
    "password_reset_confirm",
    "password_reset_request",
    "profile",
    "reauth",
    "recovery_codes",
    "recovery_codes_regenerate",
    "sessions",
    "set_language",
    "sign_in",
    "sign_out",
    "token_create",
    "token_revoke",
    "totp_replace",
    "verify",
]
