"""The form renderer writes the plain widgets itself (comity/core/formrender.py): the same bytes as Django's
templates, escaping included, for every kind of value and attribute."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import override_settings
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from comity.core.formrender import INPUT_TEMPLATES, FormRenderer

NASTY = "<script>alert('x')</script> & \"quoted\" é 司法 العدل"


class Everything(forms.Form):
    text = forms.CharField(widget=forms.TextInput(attrs={"placeholder": NASTY, "data-x": True, "hidden": False}))
    hidden = forms.CharField(widget=forms.HiddenInput)
    email = forms.EmailField(help_text="Help <b>text</b>")
    number = forms.IntegerField(min_value=1, max_value=10)
    decimal = forms.DecimalField(required=False, localize=True)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    moment = forms.DateTimeField(required=False)
    when = forms.TimeField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "autofocus": True}), required=False)
    agree = forms.BooleanField(required=False)
    upload = forms.FileField(required=False, widget=forms.FileInput)
    colour = forms.CharField(widget=forms.TextInput(attrs={"type": "color"}), required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8, "aria-describedby": 'a"b'}), max_length=99)
    country = forms.ChoiceField(
        choices=[("", "Any <country>"), ("BR", "Brésil"), ("CN", "中国"), ('x"y', mark_safe("<b>safe</b>"))],
        required=False,
        widget=forms.Select(attrs={"data-filter": True, "class": 'a"b'}),
    )
    grouped = forms.MultipleChoiceField(
        choices=[
            ("Americas", [("BR", "Brazil"), ("MX", "Mexico")]),
            ("Asia & <Pacific>", [("ID", "Indonesia")]),
            ("", "None"),
        ],
        required=False,
    )
    lazy = forms.TypedChoiceField(choices=[("1", gettext_lazy("Menu")), ("2", gettext_lazy("Sign in"))], coerce=int)
    notes = forms.CharField(widget=forms.Textarea, required=False, disabled=True)


VALUES = [
    {},
    {
        "text": NASTY,
        "hidden": "7",
        "email": "a@b.test",
        "number": "3",
        "decimal": "1.5",
        "day": "2026-12-07",
        "moment": "2026-12-07 10:00",
        "when": "10:00",
        "url": "https://example.test/?a=1&b=<2>",
        "secret": NASTY,
        "search": "  spaces  ",
        "agree": "on",
        "colour": "#ff0000",
        "body": "\nfirst line\n" + NASTY,
        "country": 'x"y',
        "grouped": ["MX", "ID"],
        "lazy": "2",
    },
    {"number": "not a number", "email": "no", "body": "x" * 120, "text": "", "country": "ZZ", "lazy": "3"},
]


def _render_all(form: forms.Form, extra_attrs: dict) -> list[str]:
    return [str(field.as_widget(attrs=dict(extra_attrs))) for field in form]


@pytest.mark.parametrize("data", VALUES)
@pytest.mark.parametrize("extra_attrs", [{}, {"aria-invalid": "true", "autocomplete": "off", "x": 0, "y": None}])
def test_the_plain_widgets_are_written_as_django_writes_them(data, extra_attrs):
    initial = {"day": dt.date(2026, 1, 2), "notes": mark_safe("<i>")}
    bound = [
        Everything(data=data or None, renderer=renderer, initial=initial)
        for renderer in (FormRenderer(), DjangoTemplates())
    ]
    ours, django = (_render_all(form, extra_attrs) for form in bound)
    assert ours == django
    assert all("<script>" not in html for html in ours)
    assert ours[0].count("&lt;script&gt;") == (2 if data.get("text") else 1)  # the value and the placeholder


def test_the_renderer_writes_those_widgets_itself_and_leaves_the_rest_to_django(monkeypatch):
    used = []
    monkeypatch.setattr(DjangoTemplates, "render", lambda self, name, context, request=None: used.append(name) or "")
    form = Everything(renderer=FormRenderer())
    html = [str(field.as_widget()) for field in form]
    assert used == []  # none of the fields above needed Django's templates
    assert html[0].startswith('<input type="text" name="text"')
    radio = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
    assert str(radio.widget.render("c", "a", renderer=FormRenderer())) == ""
    assert used == ["django/forms/widgets/radio.html"]
    assert "django/forms/widgets/radio.html" not in INPUT_TEMPLATES


def test_a_select_whose_labels_are_not_strings_is_left_to_django():
    """The template localizes a number (1,000 with thousands separators): that select goes through Django."""
    field = forms.ChoiceField(choices=[(1000, 1000), (2000, 2000)])
    with translation.override("fr"), override_settings(USE_THOUSAND_SEPARATOR=True):
        ours = field.widget.render("n", 1000, renderer=FormRenderer())
        django = field.widget.render("n", 1000, renderer=DjangoTemplates())
    assert ours == django
    assert "1\u202f000" in ours or "1 000" in ours or "1\xa0000" in ours
