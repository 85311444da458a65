import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from comity.accounts import services
from comity.accounts.models import Invitation, RecoveryCode, Role, User
from comity.accounts.tests.helpers import code_for
from comity.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db

STRONG = "a long and unusual passphrase 42"


def _invite(personas, who="secretariat", **data):
    payload = {
        "email": "new.person@example.test",
        "full_name": "New Person",
        "country": "BR",
        "role": Role.MEMBER,
        "language": "en",
    }
    payload.update(data)
    return personas[who].post("/en/accounts/invitations/", payload)


def _token_from_mail() -> str:
    match = re.search(r"/accounts/invitation/([^/\s]+)/", mail.outbox[-1].body)
    assert match is not None
    return match.group(1)


def test_secretariat_invites_and_token_is_stored_hashed(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(personas)
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new.person@example.test")
    token = _token_from_mail()
    assert invitation.token_hash == services.sha256_hex(token)
    assert token not in invitation.token_hash
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=7)
    assert mail.outbox[-1].to == ["new.person@example.test"]
    event = AuditEvent.objects.get(action=AuditAction.INVITATION_SENT)
    assert (event.actor.email, event.country_code, event.details["email"]) == (
        "secretariat@example.test",
        "BR",
        "new.person@example.test",
    )


def test_coordinator_invites_for_own_country_only(personas, users):
    assert _invite(personas, "coordinator", country="BR").status_code == 302
    before = AuditEvent.objects.count()
    response = _invite(personas, "coordinator", email="other@example.test", country="ID")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Invitation.objects.filter(email="other@example.test").exists()
    assert AuditEvent.objects.count() == before


def test_coordinator_cannot_invite_a_coordinator(personas):
    response = _invite(personas, "coordinator", role=Role.COORDINATOR)
    assert response.status_code == 400
    assert Invitation.objects.count() == 0


def test_members_cannot_see_invitations(personas):
    for name in ("member", "member_other", "moderator", "liaison", "observer"):
        assert personas[name].get("/en/accounts/invitations/").status_code == 404, name
        assert _invite(personas, name).status_code == 404, name
    assert personas["anonymous"].get("/en/accounts/invitations/").status_code == 302
    assert Invitation.objects.count() == 0


def test_invitation_for_existing_user_is_refused(personas, users):
    response = _invite(personas, email="member.br@example.test")
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_accept_enrol_and_recovery_codes(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(personas)
    token = _token_from_mail()
    client = Client()
    page = client.get(f"/en/accounts/invitation/{token}/")
    assert page.status_code == 200
    assert "new.person@example.test" in page.content.decode()

    weak = client.post(
        f"/en/accounts/invitation/{token}/", {"full_name": "New Person", "password1": "short", "password2": "short"}
    )
    assert weak.status_code == 400
    assert "at least 12 characters" in weak.content.decode()
    assert not User.objects.filter(email="new.person@example.test").exists()

    common = client.post(
        f"/en/accounts/invitation/{token}/",
        {"full_name": "New Person", "password1": "password1234", "password2": "password1234"},
    )
    assert common.status_code == 400
    assert not User.objects.filter(email="new.person@example.test").exists()

    response = client.post(
        f"/en/accounts/invitation/{token}/", {"full_name": "New Person", "password1": STRONG, "password2": STRONG}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/accounts/login/enrol/")
    user = User.objects.get(email="new.person@example.test")
    assert (user.country.iso2, user.role) == ("BR", Role.MEMBER)

    # Nothing else is reachable before enrolment.
    assert client.get("/en/accounts/profile/").status_code == 302

    enrol = client.get("/en/accounts/login/enrol/")
    assert enrol.status_code == 200
    assert "<svg" in enrol.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post("/en/accounts/login/enrol/", {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    done = client.post("/en/accounts/login/enrol/", {"code": code_for(device)})
    assert done.status_code == 302
    assert done["Location"].endswith("/accounts/recovery-codes/")
    codes_page = client.get(done["Location"]).content.decode()
    codes = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", codes_page)
    assert len(codes) == 10
    assert RecoveryCode.objects.filter(user=user).count() == 10
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert not stored & set(codes)
    # Shown once only.
    assert client.get("/en/accounts/recovery-codes/").status_code == 302
    assert client.get("/en/accounts/profile/").status_code == 200
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == [AuditAction.INVITATION_ACCEPTED, AuditAction.TOTP_ENROLLED, AuditAction.LOGIN_SUCCEEDED]
    # The invitation is single-use.
    again = Client().get(f"/en/accounts/invitation/{token}/")
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_expired_invitation_is_refused_and_audited_once(users, brazil):
    invitation, token = services.invitation_create(
        actor=users["secretariat"], email="late@example.test", full_name="Late", country=brazil
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client = Client()
    for _ in range(2):
        response = client.get(f"/en/accounts/invitation/{token}/")
        assert response.status_code == 410
        assert "expired" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_EXPIRED).count() == 1
    post = client.post(
        f"/en/accounts/invitation/{token}/", {"full_name": "Late", "password1": STRONG, "password2": STRONG}
    )
    assert post.status_code == 410
    assert not User.objects.filter(email="late@example.test").exists()


def test_expire_command_audits_pending_expired(users, brazil):
    from django.core.management import call_command

    invitation, _token = services.invitation_create(
        actor=users["secretariat"], email="x@example.test", full_name="X", country=brazil
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    call_command("expire_invitations")
    call_command("expire_invitations")
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_EXPIRED).count() == 1


def test_revoke(personas, users, brazil, indonesia):
    invitation, token = services.invitation_create(
        actor=users["secretariat"], email="r@example.test", full_name="R", country=brazil
    )
    other, _ = services.invitation_create(
        actor=users["secretariat"], email="s@example.test", full_name="S", country=indonesia
    )
    # A coordinator of another country cannot see or revoke it.
    assert personas["coordinator_other"].post(f"/en/accounts/invitations/{invitation.pk}/revoke/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert personas["coordinator"].post(f"/en/accounts/invitations/{invitation.pk}/revoke/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.INVITATION_REVOKED, target_id=str(invitation.pk)).count() == 1
    response = Client().get(f"/en/accounts/invitation/{token}/")
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    other.refresh_from_db()
    assert other.revoked_at is None


def test_unknown_token(db):
    response = Client().get("/en/accounts/invitation/not-a-real-token/")
    assert response.status_code == 410
    assert "not valid" in response.content.decode()
