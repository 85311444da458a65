import pytest

from comity.accounts.demo import accounts_demo_seed
from comity.reference.tests.factories import CountryFactory
from comity.teams import selectors
from comity.teams.demo import DEMO_TEAM, teams_demo_seed
from comity.teams.models import Team


@pytest.mark.django_db
def test_demo_team_between_brazil_and_indonesia_is_seeded_once(settings):
    for code in ("AT", "KE", "BR", "ID", "FR", "RU", "US", "MX", "ES", "PT", "JP", "CN", "SA", "DE", "GB", "ZA"):
        CountryFactory(iso2=code)
    accounts_demo_seed()
    assert teams_demo_seed() == {"teams": 1, "skipped": ""}
    assert teams_demo_seed() == {"teams": 0, "skipped": "already there"}
    team = Team.objects.get(name=DEMO_TEAM)
    assert sorted(c.iso2 for c in team.countries.all()) == ["BR", "ID"]
    assert [(m.country.iso2, m.is_leader) for m in selectors.active_members(team)] == [
        ("BR", True),
        ("BR", False),
        ("ID", True),
        ("ID", False),
    ]
    assert [v.number for d in selectors.documents(team) for v in d.versions.all()] == [2, 1]
    assert len(selectors.action_items(team)) == 2
    assert "Brazil, Indonesia" in team.agreement_text
    assert team.ends_on > team.original_end
