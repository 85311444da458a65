from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django_otp.oath import totp

from comity.accounts.demo import DEMO_USERS, demo_totp_hex
from comity.accounts.models import Role, User
from comity.reference.tests.factories import CountryFactory, NetworkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def countries():
    for spec in DEMO_USERS:
        CountryFactory(iso2=spec.country, iso3=spec.country + "X")
    NetworkFactory(slug="iberred")


def test_seed_demo_creates_one_user_per_role_idempotently(countries, settings):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert User.objects.filter(email__endswith="@demo.comity.test").count() == len(DEMO_USERS)
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    coordinator = User.objects.get(email="coordinator.br@demo.comity.test")
    assert list(coordinator.coordinated_country_codes()) == ["BR"]
    liaison = User.objects.get(email="liaison.iberred@demo.comity.test")
    assert list(liaison.liaison_networks.values_list("slug", flat=True)) == ["iberred"]


def test_demo_user_signs_in_with_documented_secrets(countries, settings):
    call_command("seed_demo", stdout=StringIO())
    client = Client()
    response = client.post(
        "/en/accounts/login/", {"email": "member.br@demo.comity.test", "password": settings.DEMO_PASSWORD}
    )
    assert response["Location"].endswith("/accounts/login/verify/")
    code = f"{totp(bytes.fromhex(demo_totp_hex())):06d}"
    response = client.post("/en/accounts/login/verify/", {"code": code})
    assert response.status_code == 302
    assert response["Location"] == "/pt/"


def test_if_empty_leaves_existing_data(countries, users):
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "nothing loaded" in out.getvalue()
    assert not User.objects.filter(email__endswith="@demo.comity.test").exists()


@override_settings(COMITY_ENVIRONMENT="production")
def test_refused_in_production(countries):
    with pytest.raises(CommandError, match="refused under production"):
        call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == 0


def test_missing_reference_data_is_a_clear_error(db):
    with pytest.raises(CommandError, match="run load_reference first"):
        call_command("seed_demo", stdout=StringIO())
