import pytest
from django.utils import translation

from comity.reference.models import Country, Network
from comity.reference.regions import area_name, collation_key, grouped_choices, known_codes

pytestmark = pytest.mark.django_db


def test_country_names_follow_un_terminology_in_the_six_un_languages_and_cldr_in_portuguese(loaded):
    brazil = Country.objects.get(iso2="BR")
    assert brazil.name_in("ar") == "البرازيل"
    assert brazil.name_in("zh-hans") == "巴西"
    assert brazil.name_in("ru") == "Бразилия"
    assert Country.objects.get(iso2="CI").name_in("fr") == "Côte d'Ivoire"
    names = {iso2: Country.objects.get(iso2=iso2).name_in("en") for iso2 in ("RU", "KR", "CD", "PS", "TR", "VN", "BO")}
    assert names == {
        "RU": "Russian Federation",
        "KR": "Republic of Korea",
        "CD": "Democratic Republic of the Congo",
        "PS": "State of Palestine",
        "TR": "Türkiye",
        "VN": "Viet Nam",
        "BO": "Bolivia (Plurinational State of)",
    }
    assert Country.objects.get(iso2="RU").name_in("fr") == "Fédération de Russie"
    assert Country.objects.get(iso2="KR").name_in("es") == "República de Corea"
    assert Country.objects.get(iso2="CD").name_in("ru") == "Демократическая Республика Конго"
    assert Country.objects.get(iso2="PS").name_in("ar") == "دولة فلسطين"
    assert Country.objects.get(iso2="VN").name_in("zh-hans") == "越南"
    # Portuguese is not a UN language: CLDR names it.
    assert Country.objects.get(iso2="RU").name_in("pt") == "Rússia"
    assert Country.objects.get(iso2="RU").name_en == "Russian Federation"
    assert Country.objects.get(iso2="EG").name_in("ar") == "مصر"
    assert Country.objects.get(iso2="JP").name_in("zh-hans") == "日本"


def test_only_states_are_states(loaded):
    states = set(Country.objects.filter(is_state=True).values_list("iso2", flat=True))
    assert len(states) == 197  # 193 Member States, 2 observer States, the Cook Islands and Niue
    assert {"BR", "ID", "PS", "VA", "CK", "NU"} <= states
    assert not states & {"HK", "MO", "TW", "PR", "GL", "AQ", "RE"}
    assert Country.objects.filter(is_state=False).count() == 249 - 197


def test_country_names_file_records_its_source_and_date():
    from comity.reference import datafiles

    data = datafiles.read("country_names.json")
    assert data["as_of"] == "2026-12-06"
    assert data["generated_from"] == "hdx-python-country 4.2.5"
    assert "UNTERM" in data["source"]
    assert len(data["names"]) == 249


def test_name_follows_the_active_language_request_after_request(loaded):
    france = Country.objects.get(iso2="FR")
    names = []
    for language in ("en", "ar", "zh-hans", "fr", "en"):
        with translation.override(language):
            names.append((france.name, france.region_name, france.subregion_name))
    assert names == [
        ("France", "Europe", "Western Europe"),
        ("فرنسا", "أوروبا", "غرب أوروبا"),
        ("法国", "欧洲", "西欧"),
        ("France", "Europe", "Europe de l’Ouest"),
        ("France", "Europe", "Western Europe"),
    ]


def test_area_names_fall_back_to_the_unsd_english_name():
    assert area_name("830", "fr") == "Channel Islands"
    assert area_name("419", "es") == "Latinoamérica"
    assert area_name("", "en") == ""
    jersey = Country(iso2="JE", intermediate_region_m49="830")
    with translation.override("ar"):
        assert jersey.intermediate_region_name == "Channel Islands"


def test_known_codes_are_the_m49_hierarchy():
    assert known_codes() == {
        "002",
        "015",
        "202",
        "011",
        "014",
        "017",
        "018",
        "019",
        "021",
        "419",
        "005",
        "013",
        "029",
        "142",
        "030",
        "034",
        "035",
        "143",
        "145",
        "150",
        "039",
        "151",
        "154",
        "155",
        "830",
        "009",
        "053",
        "054",
        "057",
        "061",
    }


def test_region_choices_are_grouped_by_region():
    groups = grouped_choices("en")
    assert [label for label, _options in groups] == ["Africa", "Americas", "Asia", "Europe", "Oceania"]
    americas = dict(groups)["Americas"]
    assert americas == [
        ("019", "Americas"),
        ("419", "Latin America"),
        ("029", "— Caribbean"),
        ("013", "— Central America"),
        ("005", "— South America"),
        ("021", "Northern America"),
    ]


def test_collation_key_ignores_accents_and_case():
    assert sorted(["Zambie", "Égypte", "Espagne", "Åland"], key=collation_key) == [
        "Åland",
        "Égypte",
        "Espagne",
        "Zambie",
    ]


def test_network_localized_name_falls_back_to_english():
    network = Network(
        name="European Judicial Network in criminal matters",
        names={"fr": "Réseau judiciaire européen en matière pénale"},
    )
    assert network.localized_name("fr") == "Réseau judiciaire européen en matière pénale"
    assert network.localized_name("ar") == "European Judicial Network in criminal matters"
    with translation.override("fr"):
        assert network.localized_name() == "Réseau judiciaire européen en matière pénale"


def test_every_network_has_its_name_and_description_in_the_seven_languages(loaded):
    for network in Network.objects.all():
        assert sorted(network.names) == ["ar", "es", "fr", "pt", "ru", "zh-hans"], network.slug
        assert sorted(network.descriptions) == ["ar", "es", "fr", "pt", "ru", "zh-hans"], network.slug
        assert all(network.names.values()) and all(network.descriptions.values()), network.slug
    ejn = Network.objects.get(slug="ejn")
    assert ejn.localized_name("ar") == "الشبكة القضائية الأوروبية في المسائل الجنائية"
    assert ejn.localized_description("zh-hans")[1] == "zh-hans"
    assert ejn.localized_description("en") == (ejn.description, "en")


def test_network_page_in_arabic_shows_the_arabic_description(client, loaded):
    body = client.get("/ar/networks/seajust/").content.decode()
    assert "<h1>شبكة العدالة لجنوب شرق آسيا (SEAJust)</h1>" in body
    assert '<p class="lead">شبكة من السلطات المركزية ودوائر الادعاء' in body
