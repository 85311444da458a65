"""A small world for the requests tests: the demo directory and legal profiles of Brazil, Indonesia, France, Saudi
Arabia and Japan (the third country), the letter models, and people holding seats in the central authorities."""

from __future__ import annotations

import enum

import pytest
from django.test import Client

from comity import testing
from comity.accounts.models import Role
from comity.accounts.tests.factories import UserFactory
from comity.audit import services as audit_services
from comity.audit.models import AuditAction
from comity.directory.demo import directory_demo_seed
from comity.directory.models import Authority, Contact, Seat
from comity.legalprofiles.demo import legalprofiles_demo_seed
from comity.reference.tests.factories import CountryFactory
from comity.requests import auditing, services
from comity.requests.letters import letters_load
from comity.requests.models import Draft, Notice, Request, StatusChange

WORLD = {"BR": "Brazil", "ID": "Indonesia", "FR": "France", "SA": "Saudi Arabia", "JP": "Japan"}


@pytest.fixture(autouse=True)
def _audit_actions(monkeypatch):
    """Until the merge adds the app's actions to `AuditAction` (see the branch report), the tests run with an
    enum that has them; once they are there, this does nothing."""
    missing = [value for value in auditing.LABELS if value not in AuditAction.values]
    if missing:
        members = {m.name: (m.value, m.label) for m in AuditAction}
        members.update({value.replace(".", "_").upper(): (value, label) for value, label in auditing.LABELS.items()})
        extended = enum.Enum("AuditAction", {k: v[0] for k, v in members.items()}, type=str)
        monkeypatch.setattr(audit_services, "AuditAction", extended)


class Unchanged(testing.Unchanged):
    tables = (Draft, Request, StatusChange, Notice)


def seat(user, authority: Authority) -> Contact:
    position = Seat.objects.create(authority=authority, title="Officer")
    return Contact.objects.create(seat=position, authority=authority, name=user.full_name, user=user, email=user.email)


def mla_authority(code: str) -> Authority:
    return (
        Authority.objects.filter(country__iso2=code, competences__code="mla_central", is_active=True)
        .order_by("official_name", "pk")
        .first()
    )


@pytest.fixture
def world(db):
    countries = {code: CountryFactory(iso2=code, name_en=name) for code, name in WORLD.items()}
    directory_demo_seed()
    legalprofiles_demo_seed()
    letters_load()
    return countries


@pytest.fixture
def authorities(world):
    return {code: mla_authority(code) for code in WORLD}


@pytest.fixture
def people(world, authorities):
    c = world
    out = {
        "br_member": UserFactory(email="br.member@example.test", full_name="Bruna Member", country=c["BR"]),
        "br_colleague": UserFactory(email="br.colleague@example.test", full_name="Caio Colleague", country=c["BR"]),
        "br_coordinator": UserFactory(
            email="br.coord@example.test", country=c["BR"], role=Role.COORDINATOR, coordinated=[c["BR"]]
        ),
        "id_member": UserFactory(email="id.member@example.test", full_name="Dewi Member", country=c["ID"]),
        "id_coordinator": UserFactory(
            email="id.coord@example.test", country=c["ID"], role=Role.COORDINATOR, coordinated=[c["ID"]]
        ),
        "fr_member": UserFactory(email="fr.member@example.test", full_name="Julie Member", country=c["FR"]),
        "sa_member": UserFactory(email="sa.member@example.test", full_name="Sara Member", country=c["SA"]),
        "jp_member": UserFactory(email="jp.member@example.test", full_name="Kenji Member", country=c["JP"]),
        "secretariat": UserFactory(email="sec@example.test", country=c["FR"], role=Role.SECRETARIAT, is_staff=True),
        "observer": UserFactory(email="obs@example.test", country=c["BR"], role=Role.OBSERVER),
    }
    for name, code in (
        ("br_member", "BR"),
        ("br_colleague", "BR"),
        ("id_member", "ID"),
        ("fr_member", "FR"),
        ("sa_member", "SA"),
        ("jp_member", "JP"),
        ("observer", "BR"),
    ):
        seat(out[name], authorities[code])
    return out


@pytest.fixture
def clients(people):
    out = {"anonymous": Client()}
    for name, user in people.items():
        out[name] = testing.sign_in(Client(), user)
    return out


BANK_ANSWERS_PREFIX = "Answer for"


def complete_draft(*, author, src: Authority, dst: Authority, coop_type="mla", measures=("bank_records",), language=""):
    """A draft with every required item filled in, through the services, as the writer's steps save it."""
    draft = services.draft_create(
        actor=author,
        data={
            "requesting_authority": src,
            "requested_country": dst.country,
            "coop_type": coop_type,
            "measures": list(measures),
            "urgent": False,
            "deadline": None,
        },
    )
    services.draft_save_step(
        actor=author,
        draft=draft,
        step="content",
        data={
            "officer": "Officer Ana Lima, +55 61 0000 0000",
            "subject_matter": "Investigation of laundering of the proceeds of corruption",
            "conducting_authority": "Federal Prosecution Service, Brasília",
            "facts": "Bribes paid in 2024 were moved to accounts at Bank Alpha",
            "assistance_sought": "Statements of account 123-456 for 2024",
            "purpose": "Evidence of the flow of funds for the trial",
        },
    )
    if coop_type in ("mla", "asset_recovery"):
        from comity.requests.writer import fiche_items, fiches_for

        fiches = fiches_for(draft)
        services.draft_save_step(
            actor=author,
            draft=draft,
            step="measures",
            data={
                m: {item: f"{BANK_ANSWERS_PREFIX} {m} {i}" for i, item in enumerate(fiche_items(fiches.get(m)))}
                for m in measures
            },
        )
    if coop_type == "extradition":
        services.draft_save_step(
            actor=author,
            draft=draft,
            step="extradition",
            data={
                "person": "Person Sought, born 1980, Brazilian",
                "offences": "Drug trafficking, art. 33 of Law 11.343",
                "penalty": "Five to fifteen years of imprisonment",
                "warrant": "Arrest warrant of the 2nd Federal Court, 1 March 2026",
                "assurances": "The death penalty will not be imposed",
            },
        )
    if not language:  # the service picks the only language offered by itself; with several, take the first
        from comity.requests.writer import requirements

        draft.requested_authority = dst
        offered = requirements(user=author, draft=draft).letter_languages
        language = offered[0] if len(offered) > 1 else ""
    services.draft_save_step(
        actor=author,
        draft=draft,
        step="addressing",
        data={"requested_authority": dst.pk, "legal_basis": "reciprocity", "language": language, "channel": ""},
    )
    draft.refresh_from_db()
    return draft
