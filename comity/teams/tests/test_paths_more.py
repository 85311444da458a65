"""Refusals of the team services and pages that the main suites leave out: each one changes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from comity.teams import services
from comity.teams.models import (
    ActionItem,
    Activity,
    AgreementTemplate,
    DocumentVersion,
    Evaluation,
    Team,
    TeamDocument,
    TeamMember,
)
from comity.teams.tests.conftest import pdf
from comity.testing import Unchanged


class TeamUnchanged(Unchanged):
    tables = (Team, TeamMember, ActionItem, DocumentVersion, Activity, Evaluation, AgreementTemplate)


@pytest.mark.django_db
def test_team_create_names_every_empty_or_inverted_field(users):
    before = Team.objects.count()
    with pytest.raises(ValidationError) as info:
        services.team_create(
            actor=users["coordinator"],
            name="  ",
            purpose="",
            starts_on=dt.date(2027, 1, 2),
            ends_on=dt.date(2027, 1, 1),
            leaders=[users["coordinator"], users["coordinator_other"]],
        )
    assert set(info.value.message_dict) == {"name", "purpose", "ends_on"}
    assert Team.objects.count() == before


@pytest.mark.django_db
def test_extension_refusals(team, users):
    snapshot = TeamUnchanged(team)
    with pytest.raises(PermissionDenied):
        services.team_extend(actor=users["member"], team=team, new_end=dt.date(2027, 12, 1), reason="more")
    with pytest.raises(ValidationError) as info:
        services.team_extend(actor=users["coordinator"], team=team, new_end=dt.date(2027, 12, 1), reason=" ")
    assert list(info.value.message_dict) == ["reason"]
    snapshot.check()


@pytest.mark.django_db
def test_a_stale_team_closed_meanwhile_cannot_be_extended(team, users):
    stale = Team.objects.get(pk=team.pk)
    services.team_close(actor=users["coordinator_other"], team=Team.objects.get(pk=team.pk))
    with pytest.raises(ValidationError):
        services.team_extend(actor=users["coordinator"], team=stale, new_end=dt.date(2027, 12, 1), reason="more")
    assert Team.objects.get(pk=team.pk).ends_on == dt.date(2027, 6, 30)
    assert not team.extensions.exists()


@pytest.mark.django_db
def test_closing_twice_is_refused(team, users):
    stale = Team.objects.get(pk=team.pk)
    services.team_close(actor=users["coordinator"], team=team)
    closed_at = Team.objects.get(pk=team.pk).closed_at
    with pytest.raises(ValidationError):
        services.team_close(actor=users["coordinator_other"], team=stale)
    assert Team.objects.get(pk=team.pk).closed_at == closed_at
    assert Activity.objects.filter(team=team, verb="closed").count() == 1


@pytest.mark.django_db
def test_member_refusals(team, users):
    snapshot = TeamUnchanged(team)
    with pytest.raises(ValidationError) as info:
        services.member_add(actor=users["coordinator"], team=team, user=users["member"])
    assert "already a member" in info.value.message_dict["user"][0]
    with pytest.raises(ValidationError) as info:
        services.member_remove(actor=users["coordinator_other"], team=team, user=users["member_other"])
    assert "not a member" in info.value.message_dict["user"][0]
    snapshot.check()


@pytest.mark.django_db
def test_a_removed_member_can_be_invited_back(team, users):
    services.member_remove(actor=users["coordinator"], team=team, user=users["member"])
    member = services.member_add(actor=users["coordinator"], team=team, user=users["member"])
    assert member.state == TeamMember.State.ACTIVE and member.removed_at is None
    assert TeamMember.objects.filter(team=team, user=users["member"]).count() == 1


@pytest.mark.django_db
def test_action_item_refusals(team, users):
    snapshot = TeamUnchanged(team)
    with pytest.raises(ValidationError) as info:
        services.action_item_create(actor=users["member"], team=team, title=" ", assignee=users["member"], due_on=None)
    assert set(info.value.message_dict) == {"title", "due_on"}
    with pytest.raises(PermissionDenied):
        services.action_item_create(
            actor=users["member_other"], team=team, title="x", assignee=users["member"], due_on=dt.date(2027, 1, 1)
        )
    snapshot.check()
    item = services.action_item_create(
        actor=users["coordinator"], team=team, title="Freeze", assignee=users["coordinator"], due_on=dt.date(2027, 1, 1)
    )
    with pytest.raises(PermissionDenied):
        services.action_item_set_status(actor=users["member"], item=item, status="done")
    with pytest.raises(ValidationError):
        services.action_item_set_status(actor=users["coordinator"], item=item, status="finished")
    item.refresh_from_db()
    assert item.status == ActionItem.Status.OPEN


@pytest.mark.django_db
def test_document_refusals(team, users):
    with pytest.raises(ValidationError) as info:
        services.document_add(actor=users["member"], team=team, title=" ", filename="a.pdf", content=[pdf()])
    assert list(info.value.message_dict) == ["title"]
    assert not TeamDocument.objects.filter(team=team).exists()
    version = services.document_add(actor=users["member"], team=team, title="A", filename="a.pdf", content=[pdf()])
    with pytest.raises(PermissionDenied):
        services.document_version_add(
            actor=users["member_other"], document=version.document, filename="b.pdf", content=[pdf(b"b")]
        )
    assert version.document.versions.count() == 1
    assert TeamDocument.objects.filter(team=team).count() == 1


@pytest.mark.django_db
def test_agreement_refusals_and_edit(team, users):
    snapshot = TeamUnchanged(team)
    with pytest.raises(PermissionDenied):
        services.agreement_draft(actor=users["member"], team=team)
    with pytest.raises(PermissionDenied):
        services.agreement_update(actor=users["member"], team=team, text="Ours")
    with pytest.raises(ValidationError):
        services.agreement_update(actor=users["coordinator"], team=team, text="   ")
    with pytest.raises(ValidationError):
        services.agreement_update(actor=users["coordinator"], team=team, text="x" * (services.MAX_TEXT + 1))
    snapshot.check()
    assert Team.objects.get(pk=team.pk).agreement_text == ""
    services.agreement_update(actor=users["coordinator"], team=team, text="  Our agreement.  ")
    assert Team.objects.get(pk=team.pk).agreement_text == "Our agreement."
    assert Activity.objects.filter(team=team, verb="agreement_edited").count() == 1


@pytest.mark.django_db
def test_evaluation_with_a_bad_rating_is_refused(team, users):
    services.team_close(actor=users["coordinator"], team=team)
    with pytest.raises(ValidationError) as info:
        services.evaluation_submit(actor=users["coordinator"], team=team, objectives_met=9, cooperation=4, platform=0)
    assert set(info.value.message_dict) == {"objectives_met", "platform"}
    assert not Evaluation.objects.filter(team=team).exists()


@pytest.mark.django_db
def test_template_in_an_unknown_language_is_refused(users):
    with pytest.raises(ValidationError) as info:
        services.template_update(actor=users["secretariat"], language="xx", body="Between {countries}.")
    assert list(info.value.message_dict) == ["language"]
    assert not AgreementTemplate.objects.filter(language="xx").exists()
