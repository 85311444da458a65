"""A <select> whose options are rendered once, not on every request.

The browse filters and the finder offer about 490 options (every country twice on the finder, every ISO 639-1
language). Django renders each one through its widget templates, which cost more than the rest of the page.
`CachedSelect` produces exactly the markup of Django's `Select` with its default templates, but builds the
options' HTML once per set of choices (the labels are in the viewer's language, so that means once per language)
and per request only marks the selected option.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from django import forms
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

SELECTED = " selected"


class RenderedOptions(NamedTuple):
    """The options of a <select> as HTML, and where " selected" goes for each value (its first option)."""

    html: str
    insert_at: dict[str, int]


def _text(value) -> str:
    """What Django's `stringformat:'s'` and autoescaping make of a value."""
    return escape(str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {name}" if value is True else f' {name}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def choices_key(choices) -> tuple:
    """The normalized choices with every label as text in the active language: what the options' HTML depends on."""
    key = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            key.append((value, tuple((subvalue, str(sublabel)) for subvalue, sublabel in label)))
        else:
            key.append((value, str(label)))
    return tuple(key)


@lru_cache(maxsize=256)
def rendered_options(key: tuple) -> RenderedOptions:
    """The options as django/forms/widgets/select.html and select_option.html render them, none selected."""
    parts: list[str] = []
    length = 0
    insert_at: dict[str, int] = {}

    def add(text: str) -> None:
        nonlocal length
        parts.append(text)
        length += len(text)

    for value, label in key:
        if value is None:
            value = ""
        grouped = isinstance(label, tuple)
        if grouped and value:
            add(f'\n  <optgroup label="{conditional_escape(value)}">')
        for subvalue, sublabel in label if grouped else ((value, label),):
            add(f'\n  <option value="{_text(subvalue)}"')
            insert_at.setdefault(str(subvalue), length)
            add(f">{conditional_escape(sublabel)}</option>\n")
        if grouped and value:
            add("\n  </optgroup>")
    return RenderedOptions("".join(parts), insert_at)


class CachedSelect(forms.Select):
    """Django's `Select`, byte for byte, with the options' HTML cached per set of choices (see the module)."""

    def render(self, name, value, attrs=None, renderer=None):
        if self.allow_multiple_selected:  # several selected options: Django's own rendering
            return super().render(name, value, attrs, renderer)
        options = rendered_options(choices_key(self.choices))
        positions = [options.insert_at[v] for v in self.format_value(value) if v in options.insert_at]
        html = options.html
        if positions:
            at = min(positions)  # like Django, only the first matching option is selected
            html = html[:at] + SELECTED + html[at:]
        return mark_safe(  # noqa: S308 - every value and label is escaped above
            f'<select name="{conditional_escape(name)}"{_attrs(self.build_attrs(self.attrs, attrs))}>{html}\n</select>'
        )
