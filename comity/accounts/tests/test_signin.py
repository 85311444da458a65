import re
import time

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from comity.accounts import services
from comity.accounts.middleware import AUTH_AT, LAST_SEEN
from comity.accounts.models import UserSession
from comity.accounts.tests.helpers import code_for
from comity.audit.models import AuditAction, AuditEvent
from comity.core import ratelimit
from comity.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(users):
    user = users["member"]
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def _password(client, email, password=PASSWORD):
    return client.post("/en/accounts/login/", {"email": email, "password": password})


def test_password_then_code_signs_in_and_rotates_session(member):
    client = Client()
    first = _password(client, member.email)
    assert first.status_code == 302
    assert first["Location"].endswith("/accounts/login/verify/")
    pending_key = client.session.session_key
    # Not signed in yet: protected pages still redirect.
    assert client.get("/en/accounts/profile/").status_code == 302
    device = TOTPDevice.objects.get(user=member)
    second = client.post("/en/accounts/login/verify/", {"code": code_for(device)})
    assert second.status_code == 302
    assert second["Location"] == "/en/"  # the member's preferred language is English
    assert client.session.session_key != pending_key
    assert client.get("/en/accounts/profile/").status_code == 200
    assert UserSession.objects.filter(user=member).count() == 1
    event = AuditEvent.objects.filter(action=AuditAction.LOGIN_SUCCEEDED).get()
    assert event.actor == member


def test_redirects_to_preferred_language(member):
    member.preferred_language = "pt"
    member.save()
    client = Client()
    _password(client, member.email)
    response = client.post("/en/accounts/login/verify/", {"code": code_for(TOTPDevice.objects.get(user=member))})
    assert response["Location"] == "/pt/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pt"
    # The switch from the sign-in page's English is said, in the new language.
    page = client.get("/pt/").content.decode()
    notes = re.findall(r'<p class="message message-info">(.*?)</p>', page)
    assert len(notes) == 1 and "português" in notes[0]


def test_wrong_password_and_unknown_account_answer_the_same(member):
    wrong = _password(Client(), member.email, "not the right password")
    unknown = _password(Client(), "nobody@example.test", "not the right password")
    assert wrong.status_code == unknown.status_code == 400
    message = "The e-mail address or password is not correct."
    assert message in wrong.content.decode()
    assert message in unknown.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 2


def test_lockout_after_repeated_failures_then_even_right_password_waits(member):
    client = Client()
    for _ in range(settings.LOGIN_FREE_ATTEMPTS - 1):
        assert _password(client, member.email, "wrong wrong wrong").status_code == 400
    locked = _password(client, member.email, "wrong wrong wrong")
    assert locked.status_code == 429
    assert "Too many failed attempts. Try again after" in locked.content.decode()
    right = _password(client, member.email)
    assert right.status_code == 429
    assert "pending" not in str(dict(client.session))
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKED).count() == 1


def test_lock_per_ip_across_accounts(users):
    """One address guessing across many accounts is stopped by the per-address limit."""
    client = Client(REMOTE_ADDR="203.0.113.9")
    for index in range(ratelimit.free_attempts("login-ip") - 1):
        assert _password(client, f"guess{index}@example.test", "wrong wrong wrong").status_code == 400
    assert _password(client, "guess-last@example.test", "wrong wrong wrong").status_code == 429
    response = _password(client, users["member_other"].email)
    assert response.status_code == 429
    # Another address is not concerned.
    assert _password(Client(REMOTE_ADDR="203.0.113.10"), users["member_other"].email).status_code == 302


def test_one_persons_typos_do_not_lock_out_their_colleagues_behind_the_same_address(member, users):
    assert ratelimit.free_attempts("login-ip") > settings.LOGIN_FREE_ATTEMPTS
    ministry = "198.51.100.7"
    for _ in range(settings.LOGIN_FREE_ATTEMPTS):
        _password(Client(REMOTE_ADDR=ministry), member.email, "wrong wrong wrong")
    assert _password(Client(REMOTE_ADDR=ministry), member.email).status_code == 429
    colleague = _password(Client(REMOTE_ADDR=ministry), users["member_other"].email)
    assert colleague.status_code == 302
    assert colleague["Location"].endswith("/accounts/login/enrol/")


def test_unknown_account_is_locked_exactly_like_a_known_one(member):
    """The lock is kept on the submitted address, so it cannot tell whether an account exists."""
    answers = {}
    for email in (member.email, "nobody@example.test"):
        client = Client(REMOTE_ADDR="192.0.2.1" if email == member.email else "192.0.2.2")
        answers[email] = [
            (response.status_code, "Too many failed attempts" in response.content.decode())
            for response in (
                _password(client, email, "wrong wrong wrong") for _ in range(settings.LOGIN_FREE_ATTEMPTS + 1)
            )
        ]
    expected = [(400, False)] * (settings.LOGIN_FREE_ATTEMPTS - 1) + [(429, True), (429, True)]
    assert answers[member.email] == answers["nobody@example.test"] == expected
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_LOCKED).count() == 2


def test_a_successful_password_gives_its_attempt_back_to_the_address(member, users):
    client = Client(REMOTE_ADDR="198.51.100.8")
    _password(client, member.email, "wrong wrong wrong")
    for _ in range(3):
        assert _password(Client(REMOTE_ADDR="198.51.100.8"), users["member_other"].email).status_code == 302
    assert cache_value(ratelimit._key("login-ip", "198.51.100.8")) == 1
    assert cache_value(ratelimit._key("login-acct", users["member_other"].email)) is None


def cache_value(key):
    from django.core.cache import cache

    return cache.get(key)


def test_wrong_code_is_refused_and_audited(member):
    client = Client()
    _password(client, member.email)
    device = TOTPDevice.objects.get(user=member)
    bad = "123456" if code_for(device) != "123456" else "654321"
    response = client.post("/en/accounts/login/verify/", {"code": bad})
    assert response.status_code == 400
    assert "not correct" in response.content.decode()
    assert client.get("/en/accounts/profile/").status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.OTP_FAILED).count() == 1


def test_code_lockout(member):
    client = Client()
    _password(client, member.email)
    for _ in range(settings.LOGIN_FREE_ATTEMPTS):
        response = client.post("/en/accounts/login/verify/", {"code": "999999x"})
    assert response.status_code == 429
    right = client.post("/en/accounts/login/verify/", {"code": code_for(TOTPDevice.objects.get(user=member))})
    assert right.status_code == 429


def test_recovery_code_works_once(member):
    codes = services.recovery_codes_regenerate(user=member)
    client = Client()
    _password(client, member.email)
    assert client.post("/en/accounts/login/verify/", {"code": codes[0].upper()}).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.RECOVERY_CODE_USED).get().details == {"remaining": 9}
    again = Client()
    _password(again, member.email)
    reused = again.post("/en/accounts/login/verify/", {"code": codes[0]})
    assert reused.status_code == 400
    assert again.get("/en/accounts/profile/").status_code == 302


def test_no_device_goes_to_enrolment(users):
    client = Client()
    response = _password(client, users["member_other"].email)
    assert response["Location"].endswith("/accounts/login/enrol/")
    assert client.get("/en/accounts/login/verify/")["Location"].endswith("/accounts/login/enrol/")


def test_open_redirect_refused(member):
    client = Client()
    client.post(
        "/en/accounts/login/", {"email": member.email, "password": PASSWORD, "next": "https://evil.example/steal"}
    )
    response = client.post("/en/accounts/login/verify/", {"code": code_for(TOTPDevice.objects.get(user=member))})
    assert response["Location"] == "/en/"


def test_safe_next_is_followed(member):
    client = Client()
    client.post("/en/accounts/login/", {"email": member.email, "password": PASSWORD, "next": "/en/accounts/sessions/"})
    response = client.post("/en/accounts/login/verify/", {"code": code_for(TOTPDevice.objects.get(user=member))})
    assert response["Location"] == "/en/accounts/sessions/"


def test_inactive_user_cannot_sign_in(member):
    member.is_active = False
    member.save()
    response = _password(Client(), member.email)
    assert response.status_code == 400


def test_sign_out(personas, users):
    client = personas["member"]
    assert client.post("/en/accounts/logout/").status_code == 302
    assert client.get("/en/accounts/profile/").status_code == 302
    assert UserSession.objects.filter(user=users["member"]).count() == 0
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT).count() == 1


def test_idle_timeout(personas):
    client = personas["member"]
    session = client.session
    session[LAST_SEEN] = time.time() - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    assert client.get("/en/accounts/profile/").status_code == 302


def test_absolute_lifetime(personas):
    client = personas["member"]
    session = client.session
    session[AUTH_AT] = time.time() - settings.SESSION_ABSOLUTE_LIFETIME - 5
    session.save()
    assert client.get("/en/accounts/profile/").status_code == 302


def test_settings_values():
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_ABSOLUTE_LIFETIME == 12 * 60 * 60


def test_production_hasher_is_argon2():
    from comity.config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_stored_as_argon2id(users):
    user = users["member"]
    user.set_password("another long passphrase here")
    user.save()
    assert user.password.startswith("argon2$argon2id$")


def test_background_polls_do_not_extend_the_idle_timeout(personas):
    client = personas["member"]
    session = client.session
    stale = time.time() - settings.SESSION_IDLE_TIMEOUT + 60
    session[LAST_SEEN] = stale
    session.save()
    assert client.get("/en/accounts/profile/", HTTP_X_COMITY_BACKGROUND="1").status_code == 200
    assert client.session[LAST_SEEN] == stale
    assert client.get("/en/accounts/profile/").status_code == 200
    assert client.session[LAST_SEEN] > stale


def test_reauthentication_is_limited_and_counted_once_per_try(personas, users):
    client = personas["member"]
    device = TOTPDevice.objects.get(user=users["member"])
    for _ in range(settings.LOGIN_FREE_ATTEMPTS - 1):
        response = client.post("/en/accounts/confirm/", {"password": "wrong wrong wrong", "code": "123456"})
        assert response.status_code == 400
    locked = client.post("/en/accounts/confirm/", {"password": "wrong wrong wrong", "code": "123456"})
    assert locked.status_code == 429
    right = client.post("/en/accounts/confirm/", {"password": PASSWORD, "code": code_for(device)})
    assert right.status_code == 429
    assert "Too many failed attempts. Try again after" in right.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == settings.LOGIN_FREE_ATTEMPTS
    assert AuditEvent.objects.filter(action=AuditAction.REAUTHENTICATED).count() == 0


def test_reauthentication_with_the_right_password_and_code(personas, users):
    client = personas["member"]
    device = TOTPDevice.objects.get(user=users["member"])
    client.post(
        "/en/accounts/confirm/", {"password": PASSWORD, "code": "000000" if code_for(device) != "000000" else "111111"}
    )
    response = client.post("/en/accounts/confirm/", {"password": PASSWORD, "code": code_for(device)})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.OTP_FAILED).get().details == {"stage": "reauthentication"}
    assert AuditEvent.objects.filter(action=AuditAction.REAUTHENTICATED).count() == 1
    assert ratelimit.status("otp-acct", str(users["member"].pk)).locked is False
    assert cache_value(ratelimit._key("otp-acct", str(users["member"].pk))) is None
