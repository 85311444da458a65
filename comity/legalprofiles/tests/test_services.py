"""Writes: validated, versioned with a snapshot and an effective date, audited; refused writes change nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from comity.audit.models import AuditAction, AuditEvent
from comity.directory.tests.factories import AuthorityFactory
from comity.legalprofiles import services
from comity.legalprofiles.models import CooperationRules, CountryProfile, MeasureFiche, ProfileVersion
from comity.legalprofiles.tests.conftest import Unchanged
from comity.legalprofiles.tests.factories import FicheFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def test_profile_update_creates_versions_and_audits(users, brazil):
    actor = users["coordinator"]
    changes = services.profile_update(
        actor=actor,
        country=brazil,
        data={"legal_tradition": "civil_law", "summary": "Reciprocity Works", "laws": [{"title": "Act 1"}]},
        effective_from="2026-03-01",
    )
    profile = CountryProfile.objects.get(country=brazil)
    assert changes["legal_tradition"] == [None, "civil_law"]
    assert profile.laws == [{"title": "Act 1", "date": "", "url": "", "text": "", "types": []}]
    assert profile.effective_from == dt.date(2026, 3, 1)
    assert (profile.updated_by, profile.confirmed_by, profile.is_demo) == (actor, actor, False)
    assert "reciprocity works" in profile.search_text
    version = ProfileVersion.objects.get()
    assert (version.kind, version.action, version.actor, version.effective_from) == (
        "profile",
        "created",
        actor,
        dt.date(2026, 3, 1),
    )
    assert version.snapshot["summary"] == "Reciprocity Works"
    event = AuditEvent.objects.get()
    assert (event.action, event.country_code, event.actor) == (AuditAction.LEGAL_PROFILE_UPDATED, "BR", actor)
    assert event.details["effective_from"] == "2026-03-01"


def test_unchanged_update_writes_nothing(users, br_profile):
    before = Unchanged(br_profile)
    assert (
        services.profile_update(
            actor=users["coordinator"], country=br_profile.country, data={"summary": br_profile.summary}
        )
        == {}
    )
    before.check()


def test_rules_update_versions_the_profile_with_type_prefixed_changes(users, br_profile):
    brazil = br_profile.country
    changes = services.rules_update(
        actor=users["secretariat"], country=brazil, coop_type="mla", data={"dual_criminality": "depends"}
    )
    assert changes == {"mla.dual_criminality": ["not_required", "depends"]}
    assert CooperationRules.objects.get(profile=br_profile, coop_type="mla").dual_criminality == "depends"
    version = ProfileVersion.objects.filter(kind="profile").first()
    assert (version.key, version.actor, version.changes) == ("mla", users["secretariat"], changes)
    assert version.snapshot["rules"]["mla"]["dual_criminality"] == "depends"


def test_edit_clears_the_demo_flag(users, brazil):
    profile = ProfileFactory(country=brazil, is_demo=True)
    services.profile_update(actor=users["coordinator"], country=brazil, data={"summary": "Real text."})
    profile.refresh_from_db()
    assert profile.is_demo is False


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"legal_tradition": "roman"}, "legal_tradition"),
        ({"laws": [{"title": ""}]}, "laws.0.title"),
        ({"laws": [{"title": "A", "date": "24/05/2017"}]}, "laws.0.date"),
        ({"laws": [{"title": "A", "url": "javascript:alert(1)"}]}, "laws.0.url"),
        ({"laws": [{"title": "A", "types": ["piracy"]}]}, "laws.0.types"),
        ({"laws": "Act 1"}, "laws"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"verified": "yes"}, "verified"),
        ({"text_language": "xx"}, "text_language"),
        ({"colour": "blue"}, "colour"),
        ({"summary": 12}, "summary"),
    ],
)
def test_profile_rejects_bad_input_naming_the_field(users, br_profile, data, field):
    before = Unchanged(br_profile)
    with pytest.raises(ValidationError) as info:
        services.profile_update(actor=users["coordinator"], country=br_profile.country, data=data)
    assert list(info.value.message_dict) == [field]
    before.check()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"dual_criminality": "maybe"}, "dual_criminality"),
        ({"channels": ["pigeon"]}, "channels"),
        ({"treatyless_notes_i18n": {"xx": "t"}}, "treatyless_notes_i18n"),
        ({"typical_time": "x" * 201}, "typical_time"),
    ],
)
def test_rules_reject_bad_input(users, br_profile, data, field):
    before = Unchanged(br_profile)
    with pytest.raises(ValidationError) as info:
        services.rules_update(actor=users["coordinator"], country=br_profile.country, coop_type="mla", data=data)
    assert list(info.value.message_dict) == [field]
    before.check()


def test_bad_effective_from_and_unknown_type(users, br_profile):
    before = Unchanged(br_profile)
    with pytest.raises(ValidationError) as info:
        services.profile_update(actor=users["coordinator"], country=br_profile.country, data={}, effective_from="soon")
    assert list(info.value.message_dict) == ["effective_from"]
    with pytest.raises(ValidationError) as info:
        services.rules_update(actor=users["coordinator"], country=br_profile.country, coop_type="piracy", data={})
    assert list(info.value.message_dict) == ["coop_type"]
    before.check()


@pytest.mark.parametrize("persona", ["coordinator_other", "member", "observer", "liaison", "moderator"])
def test_only_editors_write(users, br_profile, persona):
    brazil = br_profile.country
    fiche = MeasureFiche.objects.get(country=brazil)
    before = Unchanged(br_profile, fiche)
    actor = users[persona]
    for call in (
        lambda: services.profile_update(actor=actor, country=brazil, data={"summary": "x"}),
        lambda: services.rules_update(actor=actor, country=brazil, coop_type="mla", data={}),
        lambda: services.fiche_update(actor=actor, country=brazil, measure="bank_records", data={"remarks": "x"}),
        lambda: services.profile_confirm(actor=actor, country=brazil),
        lambda: services.fiche_confirm(actor=actor, country=brazil, measure="bank_records"),
        lambda: services.profile_patch(actor=actor, country=brazil, data={"summary": "x"}),
    ):
        with pytest.raises(PermissionDenied):
            call()
    before.check()


def test_anonymous_cannot_write(br_profile):
    from django.contrib.auth.models import AnonymousUser

    before = Unchanged(br_profile)
    with pytest.raises(PermissionDenied):
        services.profile_update(actor=AnonymousUser(), country=br_profile.country, data={"summary": "x"})
    before.check()


def test_fiche_update_and_validation(users, br_profile, indonesia):
    brazil = br_profile.country
    fiche = MeasureFiche.objects.get(country=brazil, measure="bank_records")
    foreign = AuthorityFactory(country=indonesia)
    inactive = AuthorityFactory(country=brazil, is_active=False)
    before = Unchanged(br_profile, fiche)
    for data, field in (
        ({"availability": "sometimes"}, "availability"),
        ({"competent_authority": foreign.pk}, "competent_authority"),
        ({"competent_authority": inactive.pk}, "competent_authority"),
        ({"competent_authority": "abc"}, "competent_authority"),
        ({"contents": "one item"}, "contents"),
        ({"contents": ["x" * 501]}, "contents"),
    ):
        with pytest.raises(ValidationError) as info:
            services.fiche_update(actor=users["coordinator"], country=brazil, measure="bank_records", data=data)
        assert list(info.value.message_dict) == [field], data
    with pytest.raises(ValidationError) as info:
        services.fiche_update(actor=users["coordinator"], country=brazil, measure="teleportation", data={})
    assert list(info.value.message_dict) == ["measure"]
    before.check()
    changes = services.fiche_update(
        actor=users["coordinator"],
        country=brazil,
        measure="bank_records",
        data={"availability": "partly", "contents": [" A ", "", "B"], "competent_authority": None},
        effective_from=dt.date(2027, 1, 1),
    )
    fiche.refresh_from_db()
    assert changes["availability"] == ["available", "partly"]
    assert (fiche.contents, fiche.competent_authority, fiche.effective_from) == (["A", "B"], None, dt.date(2027, 1, 1))
    version = ProfileVersion.objects.filter(kind="fiche").first()
    assert (version.key, version.action, version.effective_from) == ("bank_records", "updated", dt.date(2027, 1, 1))
    assert AuditEvent.objects.filter(action=AuditAction.MEASURE_FICHE_UPDATED).count() == 2


def test_confirm_resets_the_clock(users, brazil):
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    profile = ProfileFactory(country=brazil, last_confirmed_at=long_ago, reminder_level=2)
    fiche = FicheFactory(country=brazil, last_confirmed_at=long_ago, reminder_level=1)
    services.profile_confirm(actor=users["coordinator"], country=brazil)
    services.fiche_confirm(actor=users["secretariat"], country=brazil, measure="bank_records")
    profile.refresh_from_db()
    fiche.refresh_from_db()
    assert profile.last_confirmed_at > long_ago and fiche.last_confirmed_at > long_ago
    assert (profile.reminder_level, profile.confirmed_by) == (0, users["coordinator"])
    assert (fiche.reminder_level, fiche.confirmed_by) == (0, users["secretariat"])
    assert [v.action for v in ProfileVersion.objects.order_by("pk")] == ["confirmed", "confirmed"]
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)) == [
        AuditAction.LEGAL_PROFILE_CONFIRMED,
        AuditAction.MEASURE_FICHE_CONFIRMED,
    ]


def test_confirm_without_a_record(users, brazil):
    with pytest.raises(ValidationError):
        services.profile_confirm(actor=users["coordinator"], country=brazil)
    with pytest.raises(ValidationError):
        services.fiche_confirm(actor=users["coordinator"], country=brazil, measure="bank_records")
    assert AuditEvent.objects.count() == 0


def test_profile_patch_is_all_or_nothing(users, br_profile):
    brazil = br_profile.country
    before = Unchanged(br_profile)
    with pytest.raises(ValidationError) as info:
        services.profile_patch(
            actor=users["coordinator"],
            country=brazil,
            data={"summary": "New", "rules": {"mla": {"dual_criminality": "nope"}, "piracy": {}}},
        )
    assert sorted(info.value.message_dict) == ["rules.mla.dual_criminality", "rules.piracy"]
    before.check()
    changes = services.profile_patch(
        actor=users["coordinator"],
        country=brazil,
        data={"summary": "New", "rules": {"extradition": {"extradites_nationals": "no"}}},
    )
    assert changes["summary"] == ["Cooperation rests on treaties and reciprocity.", "New"]
    assert changes["extradition.extradites_nationals"] == [None, "no"]
