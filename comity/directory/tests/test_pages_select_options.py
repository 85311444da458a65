"""The <select>s of the filters, the finder and the authority form: Django's markup, options built once per language."""

from unittest import mock

import pytest
from django import forms
from django.utils import translation
from django.utils.safestring import mark_safe

from comity.core.jinja2env import widget_attrs
from comity.directory.forms import AuthorityFilterForm, AuthorityForm, FinderForm
from comity.directory.forms.widgets import CachedSelect, rendered_options
from comity.directory.views import common
from comity.reference import selectors as reference_selectors

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "ar", "zh-hans", "fr", "ru", "es", "pt"]
BROWSE_DATA = [
    None,
    {"country": "BR", "region": "419", "network": "iberred", "competence": "extradition", "language": "pt"},
    {"country": "XX", "region": "150", "language": "<pt>"},
    {"q": "justice", "language": ["fr", "pt"]},
]
FINDER_DATA = [None, {"requesting": "BR", "requested": "ID", "type": "mla"}, {"requesting": "BR", "requested": "BR"}]


def _django_markup(bound_field, attrs) -> str:
    """What Django's own Select renders for the same field, value and attributes."""
    widget = bound_field.field.widget
    bound_field.field.widget = forms.Select(attrs=widget.attrs, choices=widget.choices)
    try:
        return str(bound_field.as_widget(attrs=attrs))
    finally:
        bound_field.field.widget = widget


def _selects(form):
    if form.is_bound:
        form.is_valid()
    return [bound_field for bound_field in form if isinstance(bound_field.field.widget, CachedSelect)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_select_renders_exactly_as_django_renders_it(brazil, indonesia, france, iberred, language):
    with translation.override(language):
        countries = common.all_countries()
        networks = list(reference_selectors.network_list())
        forms_ = [AuthorityFilterForm(data, countries=countries, networks=networks) for data in BROWSE_DATA]
        forms_ += [FinderForm(data, countries=countries) for data in FINDER_DATA]
        forms_ += [AuthorityForm(data, countries=countries) for data in (None, {"country": "BR"}, {"country": "ZZ"})]
        compared = 0
        for form in forms_:
            for bound_field in _selects(form):
                attrs = widget_attrs(bound_field)
                assert str(bound_field.as_widget(attrs=attrs)) == _django_markup(bound_field, attrs)
                compared += 1
    assert compared == 4 * 5 + 3 * 3 + 3


def test_selected_and_invalid_states_keep_their_markup(brazil, indonesia, france, iberred):
    form = AuthorityFilterForm(
        {"country": "BR", "competence": "nope"}, countries=common.all_countries(), networks=[iberred]
    )
    assert form.is_valid() is False
    country = str(form["country"].as_widget(attrs=widget_attrs(form["country"])))
    assert country.startswith(
        '<select name="country" id="id_country">\n  <option value="">All countries</option>\n\n'
        '  <option value="BR" selected>Brazil</option>\n\n  <option value="FR">France</option>\n\n'
    )
    assert str(form["competence"].as_widget(attrs=widget_attrs(form["competence"]))).startswith(
        '<select name="competence" aria-invalid="true" aria-describedby="id_competence_errors" id="id_competence">\n'
        '  <option value="">All competences</option>\n'  # an unknown value selects nothing, as in Django
    )


def test_groups_odd_values_and_labels_render_as_django_renders_them():
    choices = [
        ("", "All"),
        (None, "Nothing"),
        ("x", 'X <&> "quoted"'),
        ("safe", mark_safe("<b>bold</b>")),  # noqa: S308 - a trusted label, as Django allows
        ("Group <1>", [("g1", "G1"), (None, "none"), (2, "Two")]),
        ("", [("ungrouped", "No group name")]),
        ("x", "X again"),
    ]
    for value in (None, "", "x", "g1", "None", "2", ["2", "x"], "missing"):
        fast = CachedSelect(attrs={"class": "wide", "data-on": True, "data-off": False}, choices=choices)
        slow = forms.Select(attrs={"class": "wide", "data-on": True, "data-off": False}, choices=choices)
        attrs = {"id": "id_f", "aria-describedby": 'id_f_help "x"'}
        assert fast.render("f", value, attrs) == slow.render("f", value, attrs)


def test_options_are_built_once_per_language_and_django_templates_are_not_used(brazil, indonesia):
    rendered_options.cache_clear()
    with mock.patch("django.forms.renderers.DjangoTemplates.render", side_effect=AssertionError("template used")):
        for language in ("en", "en", "fr", "en", "fr"):
            with translation.override(language):
                form = FinderForm({"requesting": "BR"}, countries=common.all_countries())
                for bound_field in _selects(form):
                    bound_field.as_widget()
    # requesting and requested share their choices; the type of cooperation has its own: 2 sets x 2 languages.
    assert (rendered_options.cache_info().misses, rendered_options.cache_info().hits) == (4, 11)
