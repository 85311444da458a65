"""The Jinja2 environment's `url` and date filters remember their results, and are right in every context."""

import datetime as dt
import zoneinfo
from unittest import mock

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from comity.core import i18n, jinja2env

MOMENT = dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)


def test_url_is_reverse_in_the_active_language():
    jinja2env._reverse.cache_clear()
    for language in ("en", "fr", "zh-hans", "en"):
        with translation.override(language):
            assert jinja2env.url("directory:authority_detail", 7) == reverse("directory:authority_detail", args=[7])
            assert jinja2env.url("reference:network_detail", slug="iberred") == reverse(
                "reference:network_detail", kwargs={"slug": "iberred"}
            )
    assert jinja2env.url("directory:authority_detail", 7) == "/en/directory/authorities/7/"
    with translation.override("fr"):
        assert jinja2env.url("directory:authority_detail", 7) == "/fr/directory/authorities/7/"
    info = jinja2env._reverse.cache_info()
    assert (info.misses, info.hits) == (6, 4)


def test_url_asks_reverse_once_per_name_arguments_and_language():
    jinja2env._reverse.cache_clear()
    with mock.patch("comity.core.jinja2env.reverse", return_value="/en/x/") as reverse_:
        for _ in range(3):
            assert jinja2env.url("portal:home") == "/en/x/"
    assert reverse_.call_count == 1


def test_url_does_not_remember_arguments_that_are_not_plain():
    jinja2env._reverse.cache_clear()
    with mock.patch("comity.core.jinja2env.reverse", return_value="/en/x/") as reverse_:
        for _ in range(2):
            jinja2env.url("directory:authority_detail", 7.0)
            jinja2env.url("directory:authority_detail", True)
    assert reverse_.call_count == 4
    assert jinja2env._reverse.cache_info().currsize == 0


def test_swapping_the_urlconf_forgets_the_urls():
    jinja2env.url("portal:home")
    with override_settings(ROOT_URLCONF="comity.config.urls"):
        assert jinja2env._reverse.cache_info().currsize == 0


def test_date_filters_give_what_the_formatting_functions_give_in_each_language_and_zone():
    environment = jinja2env.environment()
    dt_filter, localtime_filter = environment.filters["dt"], environment.filters["localtime"]
    dt_filter.cache_clear()
    seen = set()
    for language in ("en", "ar", "en"):
        for zone in ("America/Sao_Paulo", "Asia/Jakarta"):
            with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
                for args in ((MOMENT,), (MOMENT, "short"), (MOMENT, "short", "Europe/Paris"), (None,)):
                    assert dt_filter(*args) == i18n.format_dt(*args)
                    seen.add(dt_filter(*args))
                assert localtime_filter(MOMENT, "Asia/Tokyo") == i18n.format_local_time(MOMENT, "Asia/Tokyo")
    # One style whatever width a template names: the month by name, the zone by city and UTC offset.
    assert {
        "Nov 24, 2026, 10:00\u202fAM (São Paulo, UTC\u221203:00)",
        "Nov 24, 2026, 8:00\u202fPM (Jakarta, UTC+07:00)",
        "Nov 24, 2026, 2:00\u202fPM (Paris, UTC+01:00)",
        "24 نوفمبر 2026، 8:00 م (جاكرتا، UTC+07:00)",
    } < seen


def test_date_filters_format_a_moment_once_per_language_and_zone():
    with mock.patch("comity.core.i18n.format_dt", return_value="formatted") as format_dt:
        dt_filter = jinja2env.environment().filters["dt"]
        with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("UTC")):
            assert [dt_filter(MOMENT, "short") for _ in range(3)] == ["formatted"] * 3
        with translation.override("fr"), timezone.override(zoneinfo.ZoneInfo("UTC")):
            dt_filter(MOMENT, "short")
        with translation.override("fr"), timezone.override(zoneinfo.ZoneInfo("Asia/Jakarta")):
            dt_filter(MOMENT, "short")
            dt_filter(MOMENT, fmt="short")  # keywords are passed through, not remembered
    assert format_dt.call_args_list == [
        mock.call(MOMENT, "short"),
        mock.call(MOMENT, "short"),
        mock.call(MOMENT, "short"),
        mock.call(MOMENT, fmt="short"),
    ]


def test_choice_input_renders_what_django_renders():
    from django import forms

    from comity.core.jinja2env import choice_input

    class Choices(forms.Form):
        one = forms.ChoiceField(choices=[("", "none"), ("w", "W <b>"), ('q"&', "Q")], widget=forms.RadioSelect)
        many = forms.MultipleChoiceField(
            choices=[(1, "one"), (2, "two")],
            widget=forms.CheckboxSelectMultiple(attrs={"class": "c", "data-x": True, "data-off": False}),
            required=False,
        )

    for form in (Choices(initial={"one": "w", "many": [2]}), Choices(data={"one": 'q"&'}), Choices(auto_id=False)):
        for name in form.fields:
            for box in form[name]:
                assert str(choice_input(box)) == str(box.tag())


def test_template_messages_are_djangos_translation_in_each_language_and_follow_a_catalog_change():
    environment = jinja2env.environment()
    template = environment.from_string('{{ _("Sign in") }}|{{ ngettext("%(num)d post", "%(num)d posts", 3) }}')
    seen = {}
    for language in ("en", "ar", "fr", "ar", "en"):
        with translation.override(language):
            posts = translation.ngettext("%(num)d post", "%(num)d posts", 3) % {"num": 3}
            expected = f"{translation.gettext('Sign in')}|{posts}"
            assert template.render() == expected
            seen[language] = expected
    assert len(set(seen.values())) == 3  # the catalogs do translate: a remembered English answer would fail here
    assert jinja2env._gettext.cache_info().hits >= 2
    with override_settings(LOCALE_PATHS=[]):
        assert jinja2env._gettext.cache_info().currsize == 0
    with translation.override(None):  # no language at all: the message as written
        assert template.render() == "Sign in|3 posts"
