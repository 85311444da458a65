import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from comity.audit.models import AuditEvent
from comity.files import permissions as file_permissions
from comity.forum import permissions as forum_permissions
from comity.forum.models import SpaceKind, SpaceMember
from comity.teams import permissions, selectors, services
from comity.teams.models import ActionItem, Activity, DocumentVersion, Team, TeamMember
from comity.teams.tests.conftest import pdf
from comity.testing import Unchanged


class TeamUnchanged(Unchanged):
    tables = (Team, TeamMember, ActionItem, DocumentVersion, Activity, SpaceMember)


def _events(event):
    return [e for e in AuditEvent.objects.order_by("seq") if e.details.get("event") == event]


@pytest.mark.django_db
def test_team_create_makes_a_private_space_led_by_the_leaders(team, users):
    assert team.space.kind == SpaceKind.PRIVATE
    assert {m.user_id: m.is_leader for m in selectors.active_members(team)} == {
        users["coordinator"].pk: True,
        users["coordinator_other"].pk: True,
        users["member"].pk: False,
    }
    moderators = set(SpaceMember.objects.filter(space=team.space, is_moderator=True).values_list("user_id", flat=True))
    assert moderators == {users["coordinator"].pk, users["coordinator_other"].pk}
    assert sorted(c.iso2 for c in team.countries.all()) == ["BR", "ID"]
    created = _events("team.created")
    assert len(created) == 1 and created[0].actor == users["coordinator"]
    assert created[0].details["leaders"] == [users["coordinator"].pk, users["coordinator_other"].pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("leaders", "field"),
    [
        (["coordinator"], "leaders"),
        (["coordinator", "member"], "leaders"),
        (["member", "coordinator_other"], "leaders"),
        (["coordinator", "observer"], "leaders"),
    ],
)
def test_team_create_rejects_bad_leaders(users, leaders, field):
    before = Team.objects.count()
    with pytest.raises(ValidationError) as info:
        services.team_create(
            actor=users["coordinator"],
            name="X",
            purpose="Y",
            starts_on=dt.date(2026, 12, 1),
            ends_on=dt.date(2027, 1, 1),
            leaders=[users[name] for name in leaders],
        )
    assert list(info.value.message_dict) == [field]
    assert Team.objects.count() == before


@pytest.mark.django_db
def test_observer_cannot_set_up_a_team(users):
    with pytest.raises(PermissionDenied):
        services.team_create(
            actor=users["observer"],
            name="X",
            purpose="Y",
            starts_on=dt.date(2026, 12, 1),
            ends_on=dt.date(2027, 1, 1),
            leaders=[users["observer"], users["coordinator_other"]],
        )


@pytest.mark.django_db
def test_leaders_manage_only_their_own_country(team, users):
    snapshot = TeamUnchanged(team)
    # Ida leads Indonesia: she may not remove Bruno (Brazil), nor invite a Brazilian
    with pytest.raises(PermissionDenied):
        services.member_remove(actor=users["member"], team=team, user=users["coordinator"])
    with pytest.raises(PermissionDenied):
        services.member_remove(actor=users["coordinator_other"], team=team, user=users["member"])
    with pytest.raises(ValidationError):
        services.member_add(actor=users["coordinator_other"], team=team, user=users["liaison"])
    with pytest.raises(PermissionDenied):
        services.member_add(actor=users["member"], team=team, user=users["liaison"])
    snapshot.check()
    # but she invites Dewi, from Indonesia
    services.member_add(actor=users["coordinator_other"], team=team, user=users["member_other"])
    assert permissions.membership(users["member_other"], team) is not None
    assert _events("team.member_added")[-1].actor == users["coordinator_other"]


@pytest.mark.django_db
def test_a_removed_member_loses_the_team_the_space_and_the_files_at_once(team, users):
    member = users["member"]
    attachment = services.document_add(
        actor=member, team=team, title="Report", filename="report.pdf", content=[pdf(b"report")]
    ).attachment
    assert file_permissions.attachments_visible_to(member).filter(pk=attachment.pk).exists()
    services.member_remove(actor=users["coordinator"], team=team, user=member)
    assert not permissions.teams_visible_to(member).filter(pk=team.pk).exists()
    assert not forum_permissions.spaces_visible_to(member).filter(pk=team.space_id).exists()
    assert not file_permissions.attachments_visible_to(member).filter(pk=attachment.pk).exists()
    removed = _events("team.member_removed")
    assert len(removed) == 1 and removed[0].details["user"] == member.pk
    assert TeamMember.objects.get(team=team, user=member).removed_by == users["coordinator"]


@pytest.mark.django_db
def test_leaders_cannot_be_removed(team, users):
    with pytest.raises(ValidationError):
        services.member_remove(actor=users["coordinator"], team=team, user=users["coordinator"])


@pytest.mark.django_db
def test_documents_keep_versions_in_the_space_file_log(team, users):
    first = services.document_add(
        actor=users["member"], team=team, title="Plan", filename="plan.pdf", content=io.BytesIO(pdf(b"v1"))
    )
    second = services.document_version_add(
        actor=users["coordinator_other"],
        document=first.document,
        filename="plan-2.pdf",
        content=[pdf(b"v2")],
        note="dates",
    )
    assert [v.number for v in first.document.versions.all()] == [2, 1]
    assert second.attachment.space_id == team.space_id
    from comity.files.models import FileEvent

    assert FileEvent.objects.filter(space=team.space, attachment__in=[first.attachment, second.attachment]).count() == 2


@pytest.mark.django_db
def test_action_items_and_their_due_moment_in_the_assignees_zone(team, users):
    users["member_other"].timezone = "Asia/Jakarta"
    users["member_other"].save(update_fields=["timezone"])
    services.member_add(actor=users["coordinator_other"], team=team, user=users["member_other"])
    item = services.action_item_create(
        actor=users["member"],
        team=team,
        title="Send the bank records",
        assignee=users["member_other"],
        due_on=dt.date(2027, 1, 15),
    )
    assert selectors.due_moment(item).isoformat() == "2027-01-15T23:59:00+07:00"
    with pytest.raises(ValidationError) as info:
        services.action_item_create(
            actor=users["member"], team=team, title="x", assignee=users["secretariat"], due_on=dt.date(2027, 1, 15)
        )
    assert list(info.value.message_dict) == ["assignee"]
    services.action_item_set_status(actor=users["member_other"], item=item, status="done")
    item.refresh_from_db()
    assert item.status == "done"
    with pytest.raises(ValidationError):
        services.action_item_set_status(actor=users["member_other"], item=item, status="finished")


@pytest.mark.django_db
def test_extension_and_closing_make_the_workspace_read_only(team, users):
    services.team_extend(actor=users["coordinator_other"], team=team, new_end=dt.date(2027, 12, 31), reason="New leads")
    team.refresh_from_db()
    assert (team.ends_on, team.original_end) == (dt.date(2027, 12, 31), dt.date(2027, 6, 30))
    with pytest.raises(ValidationError) as info:
        services.team_extend(actor=users["coordinator"], team=team, new_end=dt.date(2027, 1, 1), reason="x")
    assert list(info.value.message_dict) == ["new_end"]
    services.team_close(actor=users["coordinator"], team=team)
    team.refresh_from_db()
    team.space.refresh_from_db()
    assert team.status == Team.Status.CLOSED and team.space.is_archived
    with pytest.raises(PermissionDenied):
        services.action_item_create(
            actor=users["member"], team=team, title="late", assignee=users["member"], due_on=dt.date(2027, 1, 1)
        )
    with pytest.raises(PermissionDenied):
        services.member_add(actor=users["coordinator"], team=team, user=users["liaison"])
    with pytest.raises(PermissionDenied):
        services.document_add(actor=users["member"], team=team, title="x", filename="x.pdf", content=[pdf()])
    # the members still read it, and leaders evaluate once per country
    assert permissions.teams_visible_to(users["member"]).filter(pk=team.pk).exists()
    services.evaluation_submit(
        actor=users["coordinator"], team=team, objectives_met=3, cooperation=4, platform=4, lessons="Good"
    )
    with pytest.raises(ValidationError):
        services.evaluation_submit(actor=users["coordinator"], team=team, objectives_met=3, cooperation=4, platform=4)
    with pytest.raises(PermissionDenied):
        services.evaluation_submit(actor=users["member"], team=team, objectives_met=3, cooperation=4, platform=4)
    assert len(_events("team.closed")) == 1 and len(_events("team.evaluated")) == 1


@pytest.mark.django_db
def test_agreement_is_drafted_from_the_secretariats_template(team, users):
    services.template_update(
        actor=users["secretariat"], language="en", body="Between {parties}: {purpose} From {start} to {end}. {leaders}"
    )
    services.agreement_draft(actor=users["coordinator"], team=team)
    team.refresh_from_db()
    assert team.agreement_text == (
        "Between Brazil, Indonesia: Trafficking in timber between the two countries. From Dec 1, 2026 to "
        "Jun 30, 2027. Clara Coordinator (Brazil); Ida Coordinator (Indonesia)"
    )
    with pytest.raises(ValidationError) as info:
        services.template_update(actor=users["secretariat"], language="en", body="Hello {victim}")
    assert info.value.message_dict["body"][0].startswith("Unknown placeholder {victim}")
    with pytest.raises(ValidationError):
        services.template_update(actor=users["secretariat"], language="en", body="Hello {parties")
    with pytest.raises(PermissionDenied):
        services.template_update(actor=users["coordinator"], language="en", body="Hello")
