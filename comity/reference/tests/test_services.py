import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comity.audit.models import AuditAction, AuditEvent
from comity.reference import datafiles
from comity.reference.models import Country, Network, NetworkMembership
from comity.reference.services import ReferenceDataError, country_zones, reference_load

pytestmark = pytest.mark.django_db


def _events():
    return AuditEvent.objects.filter(action=AuditAction.REFERENCE_LOADED)


@pytest.fixture
def data_dir(tmp_path):
    """A copy of the data files that a test may edit."""
    target = tmp_path / "data"
    shutil.copytree(datafiles.DATA_DIR, target)
    return target


def _edit_networks(data_dir, change):
    path = data_dir / "networks.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change({n["slug"]: n for n in data["networks"]})
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


# --- first load ------------------------------------------------------------------------------------


def test_first_load_counts(loaded):
    assert loaded.countries == 249
    assert loaded.countries_created == 249
    assert loaded.networks_created == 12
    assert loaded.memberships_created == 221
    assert Country.objects.count() == 249
    assert Network.objects.count() == 12
    assert NetworkMembership.objects.count() == 221


def test_un_status_and_special_groups(loaded):
    assert Country.objects.filter(un_status=Country.UNStatus.MEMBER).count() == 193
    assert sorted(Country.objects.filter(un_status=Country.UNStatus.OBSERVER).values_list("iso2", flat=True)) == [
        "PS",
        "VA",
    ]
    assert Country.objects.filter(un_status=Country.UNStatus.NONE).count() == 54
    assert Country.objects.filter(is_ldc=True).count() == 44
    assert Country.objects.filter(is_lldc=True).count() == 32
    assert Country.objects.filter(is_sids=True).count() == 38
    assert Country.objects.filter(is_ldc=True, un_status=Country.UNStatus.MEMBER).count() == 44
    # Graduated: Bhutan (2023), Sao Tome and Principe (2024).
    assert Country.objects.filter(iso2__in=["BT", "ST", "VU"], is_ldc=True).count() == 0
    assert Country.objects.get(iso2="ST").is_sids is True
    assert Country.objects.get(iso2="NP").is_lldc is True
    assert Country.objects.get(iso2="TW").un_status == Country.UNStatus.NONE


@pytest.mark.parametrize(
    ("iso2", "iso3", "m49", "region", "subregion", "intermediate"),
    [
        ("BR", "BRA", "076", "019", "419", "005"),
        ("FR", "FRA", "250", "150", "155", ""),
        ("ID", "IDN", "360", "142", "035", ""),
        ("JP", "JPN", "392", "142", "030", ""),
        ("MX", "MEX", "484", "019", "419", "013"),
        ("NG", "NGA", "566", "002", "202", "011"),
        ("EG", "EGY", "818", "002", "015", ""),
        ("US", "USA", "840", "019", "021", ""),
        ("KZ", "KAZ", "398", "142", "143", ""),
        ("FJ", "FJI", "242", "009", "054", ""),
        ("JE", "JEY", "832", "150", "154", "830"),
        ("AQ", "ATA", "010", "", "", ""),
    ],
)
def test_m49_classification(loaded, iso2, iso3, m49, region, subregion, intermediate):
    country = Country.objects.get(iso2=iso2)
    assert (country.iso3, country.m49, country.region_m49, country.subregion_m49, country.intermediate_region_m49) == (
        iso3,
        m49,
        region,
        subregion,
        intermediate,
    )


def test_every_country_but_antarctica_has_a_region(loaded):
    assert list(Country.objects.filter(region_m49="").values_list("iso2", flat=True)) == ["AQ"]
    assert Country.objects.filter(region_m49="002").count() == 60
    assert Country.objects.filter(subregion_m49="419").count() == 52


def test_time_zones_and_holidays(loaded):
    brazil = Country.objects.get(iso2="BR")
    assert brazil.primary_timezone == "America/Sao_Paulo"
    assert len(brazil.timezones) == 16
    assert Country.objects.get(iso2="FR").timezones == ["Europe/Paris"]
    assert Country.objects.get(iso2="ID").timezones == [
        "Asia/Jakarta",
        "Asia/Pontianak",
        "Asia/Makassar",
        "Asia/Jayapura",
    ]
    assert Country.objects.get(iso2="US").primary_timezone == "America/New_York"
    assert Country.objects.get(iso2="UA").primary_timezone == "Europe/Kyiv"
    assert Country.objects.get(iso2="BV").timezones == []
    assert Country.objects.get(iso2="BR").holidays_supported is True
    assert Country.objects.filter(holidays_supported=False).count() == 0


def test_country_zones_only_lists_zones_zoneinfo_knows():
    assert country_zones("CN") == ["Asia/Shanghai", "Asia/Urumqi"]
    assert country_zones("AU", "Australia/Sydney")[0] == "Australia/Sydney"
    assert "Etc/Unknown" not in country_zones("ZZ")


def test_networks_and_members(loaded):
    iberred = Network.objects.get(slug="iberred")
    assert sorted(iberred.members.values_list("iso2", flat=True)) == [
        "AD",
        "AR",
        "BO",
        "BR",
        "CL",
        "CO",
        "CR",
        "CU",
        "DO",
        "EC",
        "ES",
        "GT",
        "HN",
        "MX",
        "NI",
        "PA",
        "PE",
        "PT",
        "PY",
        "SV",
        "UY",
        "VE",
    ]
    counts = {n.slug: n.members.count() for n in Network.objects.all()}
    assert counts == {
        "ejn": 27,
        "eurojust": 27,
        "iberred": 22,
        "oas-hemispheric-network": 32,
        "cncp": 56,
        "wacap": 16,
        "seajust": 10,
        "casc": 8,
        "gljcn": 12,
        "sahel-judicial-platform": 6,
        "ioc-judicial-platform": 5,
        "globe": 0,
    }
    globe = Network.objects.get(slug="globe")
    assert (globe.members_complete, globe.as_of.isoformat()) == (False, "2024-12-31")
    assert NetworkMembership.objects.get(network__slug="eurojust", country__iso2="DK").note.startswith(
        "Not bound by Regulation 2018/1727"
    )
    oas = Network.objects.get(slug="oas-hemispheric-network")
    assert not oas.members.filter(iso2__in=["CU", "NI", "VE"]).exists()


def test_first_load_writes_one_audit_event(loaded):
    event = _events().get()
    assert event.actor is None
    assert event.details["countries_created"] == 249
    assert event.details["memberships_created"] == 221
    assert event.details["memberships_deleted"] == 0


# --- idempotency and updates -------------------------------------------------------------------------


def test_second_load_changes_nothing(loaded):
    ids = dict(Country.objects.values_list("iso2", "pk"))
    membership_ids = set(NetworkMembership.objects.values_list("pk", flat=True))
    again = reference_load()
    assert again.changed is False
    assert (
        again.countries_created,
        again.countries_updated,
        again.networks_created,
        again.networks_updated,
        again.memberships_created,
        again.memberships_updated,
        again.memberships_deleted,
    ) == (0, 0, 0, 0, 0, 0, 0)
    assert dict(Country.objects.values_list("iso2", "pk")) == ids
    assert set(NetworkMembership.objects.values_list("pk", flat=True)) == membership_ids
    assert _events().count() == 1
    assert again.summary().endswith("; nothing changed.")


def test_second_load_query_count_does_not_depend_on_the_data(loaded, django_assert_num_queries):
    # Read countries, networks, memberships; no writes and no audit event.
    with django_assert_num_queries(5):
        reference_load()


def test_existing_rows_are_updated_not_duplicated(brazil, iberred):
    assert (brazil.iso3, brazil.m49, brazil.region_m49) == ("BRA", "", "")
    result = reference_load()
    assert result.countries_created == 248
    assert result.countries_updated == 1
    assert result.networks_updated == 1
    brazil.refresh_from_db()
    assert (brazil.m49, brazil.region_m49, brazil.name_en, brazil.is_ldc) == ("076", "019", "Brazil", False)
    assert Country.objects.filter(iso2="BR").count() == 1
    assert NetworkMembership.objects.filter(network=iberred, country=brazil).count() == 1
    iberred.refresh_from_db()
    assert iberred.source.startswith("IberRed, member countries")


def test_membership_removed_from_file_is_removed(loaded, data_dir):
    def drop_portugal(networks):
        networks["iberred"]["members"].remove("PT")

    _edit_networks(data_dir, drop_portugal)
    result = reference_load(data_dir=data_dir)
    assert (result.memberships_deleted, result.memberships_created, result.memberships) == (1, 0, 220)
    assert not NetworkMembership.objects.filter(network__slug="iberred", country__iso2="PT").exists()
    assert Network.objects.get(slug="iberred").members.count() == 21
    event = _events().latest("seq")
    assert (event.details["memberships_deleted"], _events().count()) == (1, 2)


def test_membership_note_and_network_fields_update(loaded, data_dir):
    def edit(networks):
        networks["iberred"]["member_notes"] = {"AD": "Joined in 2005."}
        networks["iberred"]["as_of"] = "2025-06-30"

    _edit_networks(data_dir, edit)
    result = reference_load(data_dir=data_dir)
    assert (result.memberships_updated, result.networks_updated, result.countries_updated) == (1, 1, 0)
    assert NetworkMembership.objects.get(network__slug="iberred", country__iso2="AD").note == "Joined in 2005."
    assert Network.objects.get(slug="iberred").as_of.isoformat() == "2025-06-30"


def test_network_no_longer_in_file_is_kept(loaded, data_dir):
    path = data_dir / "networks.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["networks"] = [n for n in data["networks"] if n["slug"] != "globe"]
    path.write_text(json.dumps(data), encoding="utf-8")
    result = reference_load(data_dir=data_dir)
    assert (result.networks, result.changed) == (11, False)
    assert Network.objects.filter(slug="globe").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda n: n["iberred"]["members"].append("XX"), "networks.json: 'iberred' lists unknown country codes: XX"),
        (lambda n: n["iberred"].update(as_of="last year"), "networks.json: 'iberred' needs an ISO 'as_of' date"),
        (
            lambda n: n["iberred"]["member_notes"].update(JP="?"),
            "networks.json: 'iberred' has notes for non-members: JP",
        ),
        (
            lambda n: n["iberred"].update(website="not a url"),
            "networks.json: 'iberred': {'website': ['Enter a valid URL.']}",
        ),
    ],
)
def test_bad_data_file_is_refused_and_nothing_changes(loaded, data_dir, change, message):
    _edit_networks(data_dir, change)
    with pytest.raises(ReferenceDataError) as excinfo:
        reference_load(data_dir=data_dir)
    assert str(excinfo.value) == message
    assert Network.objects.get(slug="iberred").members.count() == 22
    assert _events().count() == 1


def test_unknown_code_in_a_country_list_is_refused(db, data_dir):
    path = data_dir / "un_membership.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["observers"].append("QQ")
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ReferenceDataError) as excinfo:
        reference_load(data_dir=data_dir)
    assert str(excinfo.value) == "un_membership.json observers: not ISO 3166-1 alpha-2 codes: QQ"
    assert Country.objects.count() == 0


# --- data files --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["m49.json", "un_membership.json", "timezones.json"])
def test_each_data_file_records_source_and_date(name):
    data = datafiles.read(name)
    assert data["source"]
    assert len(data["as_of"]) == 10


def test_group_and_network_entries_record_source_and_date():
    for group in datafiles.read("development_groups.json")["groups"].values():
        assert group["source"] and group["source_url"].startswith("https://") and len(group["as_of"]) == 10
    for network in datafiles.read("networks.json")["networks"]:
        assert network["source"] and network["note"] and len(network["as_of"]) == 10
        assert network["members"] == sorted(set(network["members"]))


# --- command -----------------------------------------------------------------------------------------


def test_command_prints_one_line(db):
    out = StringIO()
    call_command("load_reference", stdout=out)
    assert out.getvalue() == (
        "Reference data: 249 countries (249 created, 0 updated), 12 networks (12 created, 0 updated), "
        "221 memberships (221 added, 0 updated, 0 removed).\n"
    )
    out = StringIO()
    call_command("load_reference", stdout=out)
    assert out.getvalue().endswith("(0 added, 0 updated, 0 removed); nothing changed.\n")


def test_command_reports_a_bad_data_dir(db, tmp_path):
    with pytest.raises(CommandError) as excinfo:
        call_command("load_reference", data_dir=tmp_path)
    assert str(excinfo.value) == f"[Errno 2] No such file or directory: '{tmp_path / 'm49.json'}'"
    assert Country.objects.count() == 0
