"""The form renderer: Django's, with the plain widgets (one <input>, a <textarea>, a <select>) written out in Python.

Django renders every widget through its template engine (django/forms/widgets/*.html): a page with a reply form pays
about a third of a millisecond per field for a few bytes of HTML. The widgets whose templates are only
`input.html` (text, hidden, e-mail, number, date...), `textarea.html` and `select.html` with its options (a search
form's 250 countries) are written here, byte for byte as those templates write them (escaped the same way;
core/tests/test_formrender.py compares both on many values); every other template goes through Django's engine as
before, and so does a select whose labels are not strings (the template would localize them).
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import Promise
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
SELECT = WIDGETS + "select.html"
SELECT_OPTION = WIDGETS + "select_option.html"


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


def _text(value) -> str | None:
    """`{{ value }}` for a string (lazy or not); None for other values, which the template would localize."""
    return str(conditional_escape(value)) if isinstance(value, str | Promise) else None


def _option(option: dict) -> str | None:
    """django/forms/widgets/select_option.html, stripped as the renderer strips it (None when the label is not a
    string)."""
    label = _text(option["label"])
    if label is None:
        return None
    return f'<option value="{_string(option["value"])}"{_attrs(option["attrs"])}>{label}</option>'


def _select(widget: dict) -> str | None:
    """django/forms/widgets/select.html with its options (None when an option has a template of its own)."""
    out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            label = _text(group_name)
            if label is None:
                return None
            out.append(f'\n  <optgroup label="{label}">')
        for option in group_choices:
            html = _option(option) if option["template_name"] == SELECT_OPTION else None
            if html is None:
                return None
            out.append(f"\n  {html}\n")  # the option's template ends with a newline
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return input_html(context["widget"])
        if template_name == TEXTAREA:
            return _textarea(context["widget"])
        if template_name == SELECT:
            html = _select(context["widget"])
            if html is not None:
                return html
        elif template_name == SELECT_OPTION:
            html = _option(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)


class NormalizedChoices(BaseChoiceIterator):
    """Choices already in Django's normal form ((value, label) pairs; a group's options in a list). Assigned to a
    field or a widget, they are taken as they are, where a plain list (250 countries, 190 languages) is normalized
    again on every request."""

    def __init__(self, choices: list):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)
