import pytest
from django.http import Http404
from django.utils import translation

from comity.reference import selectors

pytestmark = pytest.mark.django_db


def test_country_list_filters(loaded):
    assert selectors.country_list().count() == 249
    assert list(selectors.country_list(region="053").values_list("iso2", flat=True)) == [
        "AU",
        "CC",
        "CX",
        "HM",
        "NF",
        "NZ",
    ]
    assert list(selectors.country_list(region="015", network="wacap")) == []
    assert list(selectors.country_list(network="casc").values_list("iso2", flat=True)) == [
        "AM",
        "AZ",
        "GE",
        "KG",
        "KZ",
        "TJ",
        "TM",
        "UZ",
    ]


def test_sorted_by_name_uses_the_active_language(loaded):
    countries = list(selectors.country_list(network="ioc-judicial-platform"))
    with translation.override("en"):
        assert [c.iso2 for c in selectors.sorted_by_name(countries)] == ["KM", "FR", "MG", "MU", "SC"]
    with translation.override("fr"):
        assert [c.iso2 for c in selectors.sorted_by_name(countries)] == ["KM", "FR", "MG", "MU", "SC"]
    with translation.override("es"):
        assert [c.iso2 for c in selectors.sorted_by_name(countries)] == ["KM", "FR", "MG", "MU", "SC"]
    with translation.override("ru"):
        # Коморы, Мадагаскар, Маврикий, Сейшельские Острова, Франция
        assert [c.iso2 for c in selectors.sorted_by_name(countries)] == ["KM", "MU", "MG", "SC", "FR"]


def test_country_get_is_case_insensitive(loaded):
    assert selectors.country_get(iso2="id").iso2 == "ID"
    assert [m.network.slug for m in selectors.country_get(iso2="PT").network_memberships.all()] == [
        "ejn",
        "eurojust",
        "iberred",
    ]


@pytest.mark.parametrize("code", ["XX", "", "BRA", "1A", "ẞS"])
def test_country_get_unknown_is_404(loaded, code):
    with pytest.raises(Http404):
        selectors.country_get(iso2=code)


def test_network_list_counts_members(loaded):
    counts = {n.slug: n.member_count for n in selectors.network_list()}
    assert (counts["cncp"], counts["globe"], len(counts)) == (56, 0, 12)
    assert selectors.network_slugs()[:3] == ["casc", "cncp", "ejn"]


def test_network_get(loaded):
    network = selectors.network_get(slug="gljcn")
    assert network.member_count == 12
    assert [m.country.iso2 for m in network.memberships.all()] == [
        "AO",
        "BI",
        "CD",
        "CF",
        "CG",
        "KE",
        "RW",
        "SD",
        "SS",
        "TZ",
        "UG",
        "ZM",
    ]
    with pytest.raises(Http404):
        selectors.network_get(slug="nope")


def test_portal_stats(loaded):
    assert selectors.portal_stats() == {"countries": 249, "networks": 12}
