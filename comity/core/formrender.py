"""The form renderer: Django's, with the plain widgets (one <input>, a <textarea>) written out in Python.

Django renders every widget through its template engine (django/forms/widgets/*.html): a page with a reply form pays
about a third of a millisecond per field for a few bytes of HTML. The widgets whose templates are only
`input.html` (text, hidden, e-mail, number, date...) and `textarea.html` are written here, byte for byte as those
templates write them (escaped the same way; core/tests/test_formrender.py compares both on many values); every other
template goes through Django's engine as before.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData

WIDGETS = "django/forms/widgets/"
INPUT_TEMPLATES = frozenset(
    WIDGETS + name
    for name in (
        "input.html",
        "checkbox.html",
        "color.html",
        "date.html",
        "datetime.html",
        "email.html",
        "file.html",
        "hidden.html",
        "number.html",
        "password.html",
        "search.html",
        "tel.html",
        "text.html",
        "time.html",
        "url.html",
    )
)
TEXTAREA = WIDGETS + "textarea.html"


def _string(value) -> str:
    """`{{ value|stringformat:'s' }}`: the filter keeps a safe string safe, so only other values are escaped."""
    return str(value) if isinstance(value, SafeData) else str(conditional_escape(str(value)))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}")
        if value is not True:
            out.append(f'="{_string(value)}"')
    return "".join(out)


def input_html(widget: dict) -> str:
    """django/forms/widgets/input.html for a widget's context (`get_context()["widget"]`, or a choice's `data`)."""
    html = f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
    if widget["value"] is not None:
        html += f' value="{_string(widget["value"])}"'
    return html + _attrs(widget["attrs"]) + ">"


def _textarea(widget: dict) -> str:
    value = widget["value"]
    text = conditional_escape(value) if value else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{text}</textarea>'


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return input_html(context["widget"])
        if template_name == TEXTAREA:
            return _textarea(context["widget"])
        return super().render(template_name, context, request=request)


class NormalizedChoices(BaseChoiceIterator):
    """Choices already in Django's normal form ((value, label) pairs; a group's options in a list). Assigned to a
    field or a widget, they are taken as they are, where a plain list (250 countries, 190 languages) is normalized
    again on every request."""

    def __init__(self, choices: list):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)
