"""vCard 4.0 for a contact point and an authority: exact output, visible fields only, folding, escaping, 404s."""

from __future__ import annotations

import pytest
from django.urls import reverse

from comity.directory.importexport import vcard
from comity.directory.models import Visibility
from comity.directory.tests.factories import AuthorityFactory, ContactFactory
from comity.testing import check_matrix

pytestmark = pytest.mark.django_db

CONTACT_CARD = (
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "KIND:individual\r\n"
    "FN:Ana Souza\r\n"
    "ORG:Secretaria Nacional de Justiça\\, Ministério da Justiça (demo)\r\n"
    "TITLE:Coordenadora-Geral de Cooperação Jurídica Internacional em Matéri\r\n"
    " a Penal\r\n"
    "EMAIL;TYPE=work:ana.souza@justica.example\r\n"
    "TEL;TYPE=work;VALUE=uri:tel:+55-61-2025-8900\r\n"
    "TEL;TYPE=cell;VALUE=uri:tel:+55-61-9-9999-0000\r\n"
    "LANG;PREF=1:pt\r\n"
    "LANG;PREF=2:es\r\n"
    "LANG;PREF=3:en\r\n"
    "TZ:America/Sao_Paulo\r\n"
    "ADR;TYPE=work:;;Esplanada dos Ministérios\\; Bloco T\\nBrasília - DF;;;;Bra\r\n"
    " zil\r\n"
    "URL:https://justica.example/\r\n"
    "NOTE:Secure channel: iberred://ana\r\n"
    "NOTE:Available 24/7.\r\n"
    "END:VCARD\r\n"
)

PUBLIC_CONTACT_CARD = (
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "KIND:individual\r\n"
    "FN:Ana Souza\r\n"
    "ORG:Secretaria Nacional de Justiça\\, Ministério da Justiça (demo)\r\n"
    "TITLE:Coordenadora-Geral de Cooperação Jurídica Internacional em Matéri\r\n"
    " a Penal\r\n"
    "LANG;PREF=1:pt\r\n"
    "LANG;PREF=2:es\r\n"
    "LANG;PREF=3:en\r\n"
    "TZ:America/Sao_Paulo\r\n"
    "ADR;TYPE=work:;;Esplanada dos Ministérios\\; Bloco T\\nBrasília - DF;;;;Bra\r\n"
    " zil\r\n"
    "URL:https://justica.example/\r\n"
    "NOTE:Available 24/7.\r\n"
    "END:VCARD\r\n"
)

AUTHORITY_CARD = (
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "KIND:org\r\n"
    "FN:Secretaria Nacional de Justiça\\, Ministério da Justiça (demo)\r\n"
    "ORG:Secretaria Nacional de Justiça\\, Ministério da Justiça (demo)\r\n"
    "EMAIL;TYPE=work:dejus@justica.example\r\n"
    "TEL;TYPE=work;VALUE=uri:tel:+55-61-2025-3000\r\n"
    "LANG;PREF=1:pt\r\n"
    "LANG;PREF=2:en\r\n"
    "TZ:America/Sao_Paulo\r\n"
    "ADR;TYPE=work:;;Esplanada dos Ministérios\\; Bloco T\\nBrasília - DF;;;;Bra\r\n"
    " zil\r\n"
    "URL:https://justica.example/\r\n"
    "END:VCARD\r\n"
)


@pytest.fixture
def authority(brazil):
    return AuthorityFactory(
        country=brazil,
        official_name="Secretaria Nacional de Justiça, Ministério da Justiça (demo)",
        postal_address="Esplanada dos Ministérios; Bloco T\nBrasília - DF",
        website="https://justica.example/",
        timezone="America/Sao_Paulo",
        languages_accepted=["pt", "en"],
        phone="+55 61 2025-3000",
        email="dejus@justica.example",
    )


@pytest.fixture
def ana(authority):
    return ContactFactory(
        seat__authority=authority,
        name="Ana Souza",
        title="Coordenadora-Geral de Cooperação Jurídica Internacional em Matéria Penal",
        email="ana.souza@justica.example",
        phone="+55 61 2025-8900",
        mobile="+55 (61) 9 9999-0000",
        languages=["pt", "es", "en"],
        secure_channel="iberred://ana",
        always_available=True,
    )


def card(client, name: str, pk: int) -> str:
    response = client.get(reverse(f"directory:{name}_vcard", kwargs={"pk": pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{name}-{pk}.vcf"'
    assert "no-store" in response["Cache-Control"]
    return response.content.decode("utf-8")


def test_contact_card_exact_for_a_viewer_who_sees_everything(personas, ana):
    assert card(personas["secretariat"], "contact", ana.pk) == CONTACT_CARD
    assert card(personas["coordinator"], "contact", ana.pk) == CONTACT_CARD


def test_anonymous_gets_public_fields_only(personas, ana):
    text = card(personas["anonymous"], "contact", ana.pk)
    assert text == PUBLIC_CONTACT_CARD
    for secret in ("ana.souza@justica.example", "2025-8900", "9999-0000", "iberred://ana"):
        assert secret not in text


def test_network_field_hidden_from_a_member_of_another_network(personas, ana, iberred):
    ana.visibility = {"email": Visibility.NETWORK, "mobile": Visibility.SECRETARIAT}
    ana.save()
    assert "EMAIL;TYPE=work:ana.souza@justica.example\r\n" in card(personas["member"], "contact", ana.pk)
    other = card(personas["member_other"], "contact", ana.pk)
    assert "EMAIL" not in other and "TYPE=cell" not in other
    assert "TEL;TYPE=work;VALUE=uri:tel:+55-61-2025-8900\r\n" in other


def test_card_is_named_after_what_may_be_seen(personas, ana):
    ana.visibility = {"name": Visibility.MEMBERS}
    ana.save()
    text = card(personas["anonymous"], "contact", ana.pk)
    assert "Ana Souza" not in text
    assert "FN:Coordenadora-Geral de Cooperação Jurídica Internacional em Matéria P\r\n enal\r\n" in text
    ana.visibility = {"name": Visibility.MEMBERS, "title": Visibility.MEMBERS}
    ana.save()
    text = card(personas["anonymous"], "contact", ana.pk)
    assert "FN:Secretaria Nacional de Justiça\\, Ministério da Justiça (demo)\r\n" in text
    assert "TITLE" not in text and "Coordenadora" not in text


def test_authority_card_exact(personas, authority):
    assert card(personas["anonymous"], "authority", authority.pk) == AUTHORITY_CARD


def test_hidden_records_are_404(personas, users, brazil):
    inactive = AuthorityFactory(country=brazil, is_active=False)
    contact = ContactFactory(seat__authority=inactive)
    expected = {
        "anonymous": 404,
        "member": 404,
        "member_other": 404,
        "coordinator": 200,
        "coordinator_other": 404,
        "secretariat": 200,
    }
    check_matrix(personas, "GET", reverse("directory:authority_vcard", kwargs={"pk": inactive.pk}), expected)
    check_matrix(personas, "GET", reverse("directory:contact_vcard", kwargs={"pk": contact.pk}), expected)
    check_matrix(
        personas,
        "GET",
        reverse("directory:contact_vcard", kwargs={"pk": 999999}),
        {"anonymous": 404, "secretariat": 404},
    )


def test_folding_keeps_lines_within_75_octets_and_characters_whole():
    value = "Департамент международного правового сотрудничества, 国际合作司 — " * 3
    line = "ORG:" + vcard.escape(value)
    folded = vcard.fold(line)
    lines = folded.split("\r\n")
    assert [len(part.encode("utf-8")) <= 75 for part in lines] == [True] * len(lines)
    assert all(part.startswith(" ") for part in lines[1:])
    assert lines[0] + "".join(part[1:] for part in lines[1:]) == line
    assert vcard.fold("A" * 75) == "A" * 75
    assert vcard.fold("A" * 76) == "A" * 75 + "\r\n A"


def test_escaping():
    assert vcard.escape("a,b;c\\d\ne\r\nf\rg") == "a\\,b\\;c\\\\d\\ne\\nf\\ng"
    assert vcard.tel("0800 123 456", "work") == "TEL;TYPE=work;VALUE=text:0800 123 456"
    assert vcard.tel("+33 1 44 77 60 60 ext. 5", "work") == "TEL;TYPE=work;VALUE=text:+33 1 44 77 60 60 ext. 5"
