import re
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from comity.accounts import services
from comity.accounts.models import ApiToken, RecoveryCode, Role, UserSession
from comity.accounts.tests.helpers import code_for
from comity.audit.models import AuditAction, AuditEvent
from comity.core.decorators import REAUTH_AT
from comity.testing import PASSWORD, check_matrix, sign_in

pytestmark = pytest.mark.django_db


def _stale(client):
    session = client.session
    session[REAUTH_AT] = 0
    session.save()


# --- sessions -------------------------------------------------------------------------------------


def test_sessions_page_and_sign_out_others(users):
    user = users["member"]
    first, second = sign_in(Client(), user), sign_in(Client(), user)
    page = first.get("/en/accounts/sessions/")
    assert page.status_code == 200
    assert page.content.decode().count("This session") == 1
    assert first.post("/en/accounts/sessions/", {"action": "others"}).status_code == 302
    assert second.get("/en/accounts/profile/").status_code == 302
    assert first.get("/en/accounts/profile/").status_code == 200
    assert UserSession.objects.filter(user=user).count() == 1
    assert AuditEvent.objects.get(action=AuditAction.SESSION_REVOKED).details == {"count": 1}


def test_cannot_revoke_someone_elses_session(users):
    mine = sign_in(Client(), users["member"])
    theirs = sign_in(Client(), users["member_other"])
    other_session = UserSession.objects.get(user=users["member_other"])
    assert mine.post("/en/accounts/sessions/", {"session": other_session.pk}).status_code == 404
    assert mine.post("/en/accounts/sessions/", {"session": "abc"}).status_code == 404
    assert theirs.get("/en/accounts/profile/").status_code == 200


# --- re-authentication and API tokens ------------------------------------------------------------------


def test_token_creation_needs_recent_reauth(personas, users):
    client = personas["member"]
    _stale(client)
    response = client.post(
        "/en/accounts/profile/tokens/",
        {"name": "ci", "scope": "read", "days": 30},
        HTTP_REFERER="/en/accounts/profile/",
    )
    assert response.status_code == 302
    assert "/en/accounts/confirm/" in response["Location"]
    assert ApiToken.objects.count() == 0

    device = TOTPDevice.objects.get(user=users["member"])
    bad = client.post(
        "/en/accounts/confirm/",
        {"password": "wrong password!!", "code": code_for(device, 1), "next": "/en/accounts/profile/"},
    )
    assert bad.status_code == 400
    ok = client.post(
        "/en/accounts/confirm/", {"password": PASSWORD, "code": code_for(device, 1), "next": "/en/accounts/profile/"}
    )
    assert ok.status_code == 302
    assert ok["Location"] == "/en/accounts/profile/"
    assert client.post("/en/accounts/profile/tokens/", {"name": "ci", "scope": "read", "days": 30}).status_code == 302
    page = client.get("/en/accounts/profile/").content.decode()
    raw = re.search(r'id="new-token">([^<]+)<', page).group(1)
    token = ApiToken.objects.get()
    assert token.token_hash == services.sha256_hex(raw)
    assert raw not in client.get("/en/accounts/profile/").content.decode()  # shown once
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_CREATED).count() == 1


def test_token_form_rejects_bad_input(personas):
    client = personas["member"]
    response = client.post("/en/accounts/profile/tokens/", {"name": "", "scope": "admin", "days": 999})
    assert response.status_code == 302
    assert ApiToken.objects.count() == 0
    page = client.get("/en/accounts/profile/").content.decode()
    assert "The token was not created" in page


def test_api_bearer_token_and_scopes(users):
    user = users["coordinator"]
    _token, raw = services.api_token_create(user=user, name="read", scope="read")
    client = Client()
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.status_code == 200
    assert me.json()["email"] == user.email
    assert me.json()["coordinated_countries"] == ["BR"]
    assert me.json()["token_scope"] == "read"
    write = client.post("/api/v1/me/", {}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert write.status_code == 403
    assert write.json()["error"]["code"] == "permission_denied"
    assert "scope" in write.json()["error"]["message"]


def test_api_rejects_bad_tokens(users):
    token, raw = services.api_token_create(user=users["member"], name="x", scope="write")
    client = Client()
    for header in ("Bearer nope", "Bearer", "Bearer a b"):
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert set(response.json()["error"]) >= {"status", "code", "message"}
    services.api_token_revoke(actor=users["member"], token=token)
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.get("/api/v1/me/").status_code == 401  # no credentials: the Bearer challenge


def test_expired_token_refused(users):
    import datetime as dt

    from django.utils import timezone

    token, raw = services.api_token_create(user=users["member"], name="x")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_create_api_token_command(users):
    out = StringIO()
    call_command("create_api_token", "--user", users["member"].email, "--scope", "write", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    assert raw.startswith("cmt_")
    assert ApiToken.objects.get().scope == "write"
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["token_scope"] == "write"
    with pytest.raises(CommandError, match="No active user"):
        call_command("create_api_token", "--user", "ghost@example.test")


def test_revoke_only_own_token(personas, users):
    token, _raw = services.api_token_create(user=users["member_other"], name="theirs")
    assert personas["member"].post(f"/en/accounts/profile/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_api_session_requires_verified_session(users):
    client = Client()
    client.force_login(users["member"])  # a session without the second factor
    assert client.get("/api/v1/me/").status_code == 401
    verified = sign_in(Client(), users["member"])
    assert verified.get("/api/v1/me/").status_code == 200


# --- deactivation, roles, 2FA reset -----------------------------------------------------------------------


def test_deactivation_ends_sessions_and_tokens(personas, users):
    member = users["member"]
    _token, raw = services.api_token_create(user=member, name="x")
    victim = personas["member"]
    assert (
        personas["coordinator"].post(f"/en/accounts/members/{member.pk}/status/", {"action": "deactivate"}).status_code
        == 302
    )
    member.refresh_from_db()
    assert not member.is_active
    assert victim.get("/en/accounts/profile/").status_code == 302
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    event = AuditEvent.objects.get(action=AuditAction.USER_DEACTIVATED)
    assert event.details == {"sessions_ended": 1, "tokens_revoked": 1}
    assert (
        personas["coordinator"].post(f"/en/accounts/members/{member.pk}/status/", {"action": "reactivate"}).status_code
        == 302
    )
    member.refresh_from_db()
    assert member.is_active


def test_coordinator_of_other_country_cannot_deactivate(personas, users):
    member = users["member"]
    before = AuditEvent.objects.count()
    response = personas["coordinator_other"].post(f"/en/accounts/members/{member.pk}/status/", {"action": "deactivate"})
    assert response.status_code == 404
    member.refresh_from_db()
    assert member.is_active
    assert AuditEvent.objects.count() == before


def test_only_secretariat_changes_roles(personas, users, brazil):
    member = users["member"]
    before = AuditEvent.objects.count()
    for name in ("coordinator", "coordinator_other", "member_other"):
        response = personas[name].post(
            f"/en/accounts/members/{member.pk}/role/", {"role": Role.COORDINATOR, "coordinated_countries": ["BR"]}
        )
        assert response.status_code == 404, name
    member.refresh_from_db()
    assert member.role == Role.MEMBER
    assert AuditEvent.objects.count() == before
    ok = personas["secretariat"].post(
        f"/en/accounts/members/{member.pk}/role/", {"role": Role.COORDINATOR, "coordinated_countries": ["BR"]}
    )
    assert ok.status_code == 302
    member.refresh_from_db()
    assert member.role == Role.COORDINATOR
    assert list(member.coordinated_countries.values_list("iso2", flat=True)) == ["BR"]
    event = AuditEvent.objects.get(action=AuditAction.USER_ROLE_CHANGED)
    assert event.details["before"]["role"] == "member"
    assert event.details["after"] == {"role": "coordinator", "countries": ["BR"], "networks": []}


def test_role_change_rejects_coordinator_without_country(personas, users):
    member = users["member"]
    personas["secretariat"].post(f"/en/accounts/members/{member.pk}/role/", {"role": Role.COORDINATOR})
    member.refresh_from_db()
    assert member.role == Role.MEMBER
    page = personas["secretariat"].get(f"/en/accounts/members/{member.pk}/").content.decode()
    assert "needs at least one country" in page


def test_role_change_needs_recent_reauth(personas, users):
    member = users["member"]
    _stale(personas["secretariat"])
    response = personas["secretariat"].post(f"/en/accounts/members/{member.pk}/role/", {"role": Role.OBSERVER})
    assert "/accounts/confirm/" in response["Location"]
    member.refresh_from_db()
    assert member.role == Role.MEMBER


def test_secretariat_resets_second_factor(personas, users):
    member = users["member"]
    services.recovery_codes_regenerate(user=member)
    victim = personas["member"]
    assert personas["secretariat"].post(f"/en/accounts/members/{member.pk}/reset-2fa/").status_code == 302
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not RecoveryCode.objects.filter(user=member).exists()
    assert victim.get("/en/accounts/profile/").status_code == 302
    client = Client()
    response = client.post("/en/accounts/login/", {"email": member.email, "password": PASSWORD})
    assert response["Location"].endswith("/accounts/login/enrol/")
    assert AuditEvent.objects.filter(action=AuditAction.TOTP_RESET).count() == 1


# --- profile and language ------------------------------------------------------------------------------


def test_profile_update_and_bad_input(personas, users):
    client = personas["member"]
    bad = client.post(
        "/en/accounts/profile/",
        {"full_name": "Bruno", "preferred_language": "xx", "timezone": "Mars/Olympus", "languages_spoken": ["pt"]},
    )
    assert bad.status_code == 400
    users["member"].refresh_from_db()
    assert (users["member"].timezone, users["member"].preferred_language) == ("UTC", "en")
    ok = client.post(
        "/en/accounts/profile/",
        {
            "full_name": "Bruno Silva",
            "preferred_language": "pt",
            "timezone": "America/Sao_Paulo",
            "languages_spoken": ["pt", "es"],
        },
    )
    assert ok.status_code == 302
    assert ok["Location"] == "/pt/accounts/profile/"
    users["member"].refresh_from_db()
    assert users["member"].languages_spoken == ["es", "pt"]
    assert AuditEvent.objects.get(action=AuditAction.USER_PROFILE_UPDATED).details == {
        "fields": ["full_name", "languages_spoken", "preferred_language", "timezone"]
    }


def test_language_switch_changes_the_pages_not_the_emails_and_says_so(personas, users):
    response = personas["member"].post("/i18n/setlang/", {"language": "fr", "next": "/en/countries/"})
    assert response.status_code == 302
    assert response["Location"] == "/fr/countries/"
    users["member"].refresh_from_db()
    assert users["member"].preferred_language == "en"
    page = personas["member"].get("/fr/countries/").content.decode()
    # Said in the language the pages now use (languages named in their own language).
    assert (
        '<p class="message message-info">Les pages sont désormais affichées en français. Vos courriels restent en '
        "English, la langue de votre profil, où vous pouvez la modifier.</p>"
    ) in page
    # Back to the profile's own language: nothing to say.
    personas["member"].post("/i18n/setlang/", {"language": "en", "next": "/fr/countries/"})
    assert 'class="message message-' not in personas["member"].get("/en/countries/").content.decode()


def test_dates_shown_in_viewer_zone(personas, users):
    users["member"].timezone = "Asia/Tokyo"
    users["member"].save()
    page = personas["member"].get("/en/accounts/sessions/").content.decode()
    assert "(Tokyo, UTC+09:00)" in page


# --- password reset -----------------------------------------------------------------------------------


def test_password_reset_same_answer_and_single_use(users, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post("/en/accounts/password/reset/", {"email": "nobody@example.test"})
    assert len(mail.outbox) == 0
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/en/accounts/password/reset/", {"email": users["member"].email})
    assert unknown.status_code == known.status_code == 200
    assert (
        unknown.content.decode().split('id="reset-sent">')[1][:80]
        == known.content.decode().split('id="reset-sent">')[1][:80]
    )
    assert len(mail.outbox) == 1
    link = re.search(r"(/accounts/password/reset/[^/\s]+/[^/\s]+/)", mail.outbox[0].body).group(1)
    url = "/en" + link
    weak = client.post(url, {"password1": "short", "password2": "short"})
    assert weak.status_code == 400
    users["member"].refresh_from_db()
    assert users["member"].check_password(PASSWORD)
    done = client.post(url, {"password1": "a brand new passphrase 77", "password2": "a brand new passphrase 77"})
    assert done.status_code == 302
    users["member"].refresh_from_db()
    assert users["member"].check_password("a brand new passphrase 77")
    reused = client.get(url)
    assert reused.status_code == 410
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET_COMPLETED).count() == 1


# --- permission matrix -----------------------------------------------------------------------------------


def test_permission_matrix_get(personas, users):
    member_url = f"/en/accounts/members/{users['member'].pk}/"
    check_matrix(
        personas,
        "get",
        "/en/accounts/members/",
        {
            "anonymous": 302,
            "member": 404,
            "member_other": 404,
            "coordinator": 200,
            "coordinator_other": 200,
            "secretariat": 200,
        },
    )
    check_matrix(
        personas,
        "get",
        member_url,
        {
            "anonymous": 302,
            "member": 404,
            "member_other": 404,
            "coordinator": 200,
            "coordinator_other": 404,
            "secretariat": 200,
        },
    )
    check_matrix(
        personas,
        "get",
        "/en/accounts/profile/",
        {
            "anonymous": 302,
            "member": 200,
            "member_other": 200,
            "coordinator": 200,
            "coordinator_other": 200,
            "secretariat": 200,
        },
    )
    check_matrix(
        personas,
        "get",
        "/en/accounts/sessions/",
        {
            "anonymous": 302,
            "member": 200,
            "member_other": 200,
            "coordinator": 200,
            "coordinator_other": 200,
            "secretariat": 200,
        },
    )
    check_matrix(personas, "get", "/en/accounts/login/", {"anonymous": 200, "member": 302, "secretariat": 302})
    check_matrix(personas, "get", "/admin/", {"anonymous": 302, "member": 302, "coordinator": 302, "secretariat": 200})


def test_member_list_is_scoped(personas, users):
    page = personas["coordinator"].get("/en/accounts/members/").content.decode()
    assert users["member"].email in page
    assert users["member_other"].email not in page
    everything = personas["secretariat"].get("/en/accounts/members/").content.decode()
    assert users["member_other"].email in everything


def test_member_list_query_count(personas, users, brazil, django_assert_num_queries, nothing_kept):
    from comity.accounts.tests.factories import UserFactory

    client = personas["secretariat"]
    client.get("/en/accounts/members/")
    # The session is not saved again (nothing in it changed); it is read from the database unless it is in Redis.
    reads = 1 if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db" else 0
    with django_assert_num_queries(4 + reads) as few:
        client.get("/en/accounts/members/")
    for index in range(20):
        UserFactory(email=f"bulk{index}@example.test", country=brazil)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/en/accounts/members/")
