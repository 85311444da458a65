"""Reads of reference data: countries and networks are public, so no visibility rules apply."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from comity.core.generations import ProcessMemo
from comity.reference import regions
from comity.reference.models import Country, Network, NetworkMembership

# Reference data changes a few times a year (load_reference, an edit in the admin): pages that list every country or
# network read these shared, read-only lists instead of building about 250 rows per request.
GENERATION = "reference"


def portal_stats() -> dict:
    return {"countries": Country.objects.count(), "networks": Network.objects.count()}


def country_list(*, region: str | None = None, network: str | None = None) -> QuerySet[Country]:
    """Countries, optionally in an M49 area (region, sub-region or intermediate region code) and/or members
    of a network (slug); each with its networks prefetched. Validate the filter values before calling."""
    countries = Country.objects.prefetch_related(Prefetch("networks", queryset=Network.objects.order_by("name")))
    if region:
        countries = countries.filter(Q(region_m49=region) | Q(subregion_m49=region) | Q(intermediate_region_m49=region))
    if network:
        countries = countries.filter(network_memberships__network__slug=network)
    return countries.order_by("iso2")


def _load_countries() -> list[Country]:
    return list(Country.objects.order_by("iso2"))


def _load_networks() -> list[Network]:
    return list(network_list())


_COUNTRIES: ProcessMemo[list[Country]] = ProcessMemo(GENERATION, _load_countries)
_NETWORKS: ProcessMemo[list[Network]] = ProcessMemo(GENERATION, _load_networks)


def countries_shared() -> list[Country]:
    """Every country (without its networks), by code: one list per process, reloaded when the reference data
    changes. The rows are shared by every request of the process: never change them."""
    return _COUNTRIES.get()


def networks_shared() -> list[Network]:
    """`network_list()` (with `member_count`), kept like `countries_shared`; never change the rows."""
    return _NETWORKS.get()


def sorted_by_name(countries: Iterable[Country]) -> list[Country]:
    """Countries in the order of their names in the active language."""
    return sorted(countries, key=name_key)


def name_key(country: Country) -> tuple[str, str]:
    return regions.collation_key(country.name), country.iso2


def country_get(*, iso2: str, annotations: dict | None = None) -> Country:
    """A country by ISO alpha-2 code in any letter case, with its memberships; 404 if there is none.

    `annotations` lets a caller add computed values in the same query (e.g. whether other apps list it)."""
    if not (len(iso2) == 2 and iso2.isascii() and iso2.isalpha()):
        raise Http404
    memberships = NetworkMembership.objects.select_related("network").order_by("network__name")
    return get_object_or_404(
        Country.objects.annotate(**(annotations or {})).prefetch_related(
            Prefetch("network_memberships", queryset=memberships)
        ),
        iso2=iso2.upper(),
    )


def _memberships_with_countries() -> Prefetch:
    queryset = NetworkMembership.objects.select_related("country").order_by("country__iso2")
    return Prefetch("memberships", queryset=queryset)


def network_list(*, with_members: bool = False) -> QuerySet[Network]:
    """Networks with `member_count`; `with_members` also prefetches the memberships and their countries."""
    networks = Network.objects.annotate(member_count=Count("memberships")).order_by("name")
    if with_members:
        networks = networks.prefetch_related(_memberships_with_countries())
    return networks


def network_slugs() -> list[str]:
    return list(Network.objects.order_by("slug").values_list("slug", flat=True))


def network_get(*, slug: str) -> Network:
    """A network by slug with `member_count` and its memberships (country included); 404 if there is none."""
    networks = Network.objects.annotate(member_count=Count("memberships")).prefetch_related(
        _memberships_with_countries()
    )
    return get_object_or_404(networks, slug=slug)
