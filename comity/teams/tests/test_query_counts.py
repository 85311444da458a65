"""The workspace and list pages run a fixed number of queries, whatever the number of items, documents,
versions, members and timeline entries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comity.accounts.tests.factories import UserFactory
from comity.teams import services
from comity.teams.tests.conftest import pdf


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow(team, users, n):
    for i in range(n):
        extra = UserFactory(country=users["coordinator"].country, full_name=f"Extra {i}")
        services.member_add(actor=users["coordinator"], team=team, user=extra)
        services.action_item_create(
            actor=users["member"], team=team, title=f"Task {i}", assignee=extra, due_on=dt.date(2027, 1, 1 + i)
        )
        version = services.document_add(
            actor=users["member"], team=team, title=f"Doc {i}", filename=f"d{i}.pdf", content=[pdf(b"%d" % i)]
        )
        services.document_version_add(
            actor=users["member"], document=version.document, filename=f"d{i}b.pdf", content=[pdf(b"b%d" % i)]
        )


@pytest.mark.django_db
def test_workspace_and_list_queries_do_not_grow(nothing_kept, personas, team, users):
    client = personas["member"]
    _grow(team, users, 1)
    detail, listing = _count(client, f"/en/teams/{team.pk}/"), _count(client, "/en/teams/")
    _grow(team, users, 4)
    assert _count(client, f"/en/teams/{team.pk}/") == detail
    assert _count(client, "/en/teams/") == listing
    api = _count(client, f"/api/v1/teams/{team.pk}/")
    _grow(team, users, 2)
    assert _count(client, f"/api/v1/teams/{team.pk}/") == api
