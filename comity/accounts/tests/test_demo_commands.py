"""The newcomer's first steps: `manage.py demo_code` prints the code of the demo accounts' secret as stored in the
database (or says it cannot), and `make serve` ends with where to sign in."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from comity.accounts.demo import accounts_demo_seed
from comity.accounts.management.commands.signin_hint import Command as SignInHint
from comity.reference.services import reference_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_accounts():
    reference_load()
    with override_settings(DEMO_TOTP_SECRET="GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"):
        accounts_demo_seed()


def _code(**options) -> str:
    out = StringIO()
    call_command("demo_code", stdout=out, **options)
    return out.getvalue().strip()


def test_demo_code_uses_the_secret_in_the_database_not_the_shell(demo_accounts):
    device = TOTPDevice.objects.get(user__email="member.br@demo.comity.test")
    assert device.bin_key == bytes.fromhex("3132333435363738393031323334353637383930")
    # The shell's secret (the default here) differs from the one the accounts were seeded with.
    expected = f"{totp(device.bin_key):06d}"
    assert _code() == expected
    assert _code(email="member.id@demo.comity.test") == expected


def test_demo_code_says_it_cannot_without_demo_accounts():
    with pytest.raises(CommandError, match="Cannot print a code: the database has no demo account"):
        _code()


def test_demo_code_refuses_other_accounts_and_production(demo_accounts):
    with pytest.raises(CommandError, match="Only demo accounts"):
        _code(email="someone@example.test")
    with override_settings(COMITY_ENVIRONMENT="production"), pytest.raises(CommandError, match="Refused"):
        _code()


def test_signin_hint_names_the_address_account_password_and_code_command(demo_accounts):
    out = StringIO()
    call_command("signin_hint", "--host", "127.0.0.1", "--port", "18432", stdout=out)
    assert out.getvalue() == (
        "\nComity is running.\n"
        "  Sign in at  http://127.0.0.1:18432/en/accounts/login/\n"
        "  E-mail      member.br@demo.comity.test\n"
        "  Password    Brasilia-to-Jakarta-2026\n"
        "  Code        .venv/bin/python manage.py demo_code   (a new one every 30 seconds)\n"
        "  Other demo accounts are listed in README.md. Stop the server with Ctrl+C.\n"
    )


def test_signin_hint_without_demo_accounts():
    assert "No demo account in the database" in SignInHint.hint("http://127.0.0.1:8000", "python")


def test_signin_hint_when_the_password_was_changed(demo_accounts):
    with override_settings(DEMO_PASSWORD="something-else"):  # noqa: S106 - a test value
        text = SignInHint.hint("http://127.0.0.1:8000", "python")
    assert "Password    (the COMITY_DEMO_PASSWORD the demo was seeded with)" in text


def test_signin_hint_waits_for_the_server_and_gives_up():
    err = StringIO()
    call_command("signin_hint", "--port", "9", "--wait", "--timeout", "0.5", stdout=StringIO(), stderr=err)
    assert err.getvalue().strip() == "The server did not answer at http://127.0.0.1:9/healthz within 0 s."
