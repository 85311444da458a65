"""Dates, time zones and Arabic text that read right in every language (issue 11, section 5)."""

import datetime as dt
import zoneinfo

from django.utils import timezone, translation

from comity.core import i18n, jinja2env

MOMENT = dt.datetime(2026, 6, 12, 14, 30, tzinfo=dt.UTC)


def test_dates_give_the_month_by_name_in_every_language_never_all_numeric():
    expected = {
        "en": "Jun 12, 2026",
        "fr": "12 juin 2026",
        "es": "12 jun 2026",
        "ru": "12 июн. 2026\u202fг.",
        "zh-hans": "2026年6月12日",
        "ar": "12 يونيو 2026",
        "pt": "12 de jun. de 2026",
    }
    for language, text in expected.items():
        with translation.override(language):
            assert i18n.format_day(MOMENT.date()) == text
            assert "/" not in i18n.format_dt(MOMENT, "short")


def test_every_width_gives_the_same_style_with_the_zone_named_by_city_and_offset():
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("America/Sao_Paulo")):
        assert i18n.format_dt(MOMENT, "short") == i18n.format_dt(MOMENT, "medium")
        assert i18n.format_dt(MOMENT) == "Jun 12, 2026, 11:30\u202fAM (São Paulo, UTC\u221203:00)"
        assert i18n.format_dt(MOMENT, "short", "UTC") == "Jun 12, 2026, 2:30\u202fPM (UTC)"
    with translation.override("ru"):
        assert i18n.zone_label("Asia/Jakarta", MOMENT) == "Джакарта, UTC+07:00"
    with translation.override("ar"):
        assert i18n.zone_label("America/Sao_Paulo", MOMENT) == "ساو باولو، UTC\u221203:00"
    assert i18n.zone_label("Asia/Kolkata", MOMENT, "en") == "Kolkata, UTC+05:30"
    assert i18n.zone_label("Etc/GMT+3", MOMENT, "en") == "UTC\u221203:00"
    # The offset is the one in force on that day: Paris in winter and in summer.
    assert i18n.zone_label("Europe/Paris", dt.datetime(2026, 1, 5, tzinfo=dt.UTC), "fr") == "Paris, UTC+01:00"
    assert i18n.zone_label("Europe/Paris", MOMENT, "fr") == "Paris, UTC+02:00"


def test_same_time_when_the_two_zones_agree_at_that_moment():
    with timezone.override(zoneinfo.ZoneInfo("America/Sao_Paulo")):
        assert i18n.same_time(MOMENT, "America/Sao_Paulo")
        assert i18n.same_time(MOMENT, "America/Argentina/Buenos_Aires")  # also UTC−03:00
        assert not i18n.same_time(MOMENT, "Asia/Jakarta")


def test_zone_picker_is_grouped_by_country_without_legacy_aliases():
    with translation.override("en"):
        choices = i18n.timezone_choices()
    assert choices[0] == ("UTC", "UTC")
    groups = dict(choices[1:])
    brazil = dict(groups["Brazil"])
    assert brazil["America/Sao_Paulo"].startswith("São Paulo, UTC")
    indonesia = [zone for zone, _label in groups["Indonesia"]]
    assert sorted(indonesia) == ["Asia/Jakarta", "Asia/Jayapura", "Asia/Makassar", "Asia/Pontianak"]
    offered = {zone for _country, options in choices[1:] for zone, _label in options}
    assert not offered & {"Etc/GMT+3", "US/Eastern", "Asia/Calcutta", "Brazil/East", "GMT"}
    assert "Russian Federation" in groups and "Viet Nam" in groups  # UN names
    # A legacy zone a user chose before stays selectable, in its own group.
    with translation.override("en"):
        kept = i18n.timezone_choices("Etc/GMT+3")
    assert kept[-1] == ("Other", [("Etc/GMT+3", "Etc/GMT+3")])


def test_bdi_and_listing_filters():
    environment = jinja2env.environment(autoescape=True)
    template = environment.from_string(
        "{{ _('Back to %(name)s.', name=name|bdi) }} {{ items|listing }} / {{ items|listing(isolate=True) }}"
    )
    with translation.override("ar"):
        text = template.render(name="Ministry <of> Justice", items=["English", "Français", "B&C"])
    assert text == (
        "Back to <bdi>Ministry &lt;of&gt; Justice</bdi>. English وFrançais وB&amp;C / "
        "<bdi>English</bdi> و<bdi>Français</bdi> و<bdi>B&amp;C</bdi>"
    )
    with translation.override("en"):
        assert environment.from_string("{{ items|listing }}").render(items=["a", "b", "c"]) == "a, b, and c"
    with translation.override("zh-hans"):
        assert environment.from_string("{{ items|listing }}").render(items=["甲", "乙", "丙"]) == "甲、乙和丙"
    assert environment.from_string("{{ ''|bdi }}").render() == ""
