"""The Jinja2 environment for Comity's own templates: i18n with Django's gettext, url, static."""

from __future__ import annotations

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from jinja2 import Environment, StrictUndefined

from comity.core import i18n


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def widget_attrs(bound_field, autocomplete: str | None = None) -> dict:
    """Accessible attributes for a form widget: described by its help and errors, marked invalid."""
    attrs: dict[str, str] = {}
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}_errors")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    return attrs


def environment(**options) -> Environment:
    options.setdefault("undefined", StrictUndefined)
    extensions = list(options.pop("extensions", []))
    extensions.append("jinja2.ext.i18n")
    env = Environment(extensions=extensions, **options)  # noqa: S701 - Django's backend turns autoescape on
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translation.gettext,
        translation.ngettext,
        newstyle=True,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
    )
    env.globals.update(
        url=url,
        widget_attrs=widget_attrs,
        static=static,
        get_messages=get_messages,
        language_name=i18n.language_name,
        native_language_name=i18n.native_language_name,
        territory_name=i18n.territory_name,
        ui_languages=i18n.UI_LANGUAGES,
        settings_debug=settings.DEBUG,
    )
    env.filters.update(
        dt=i18n.format_dt,
        day=i18n.format_day,
        localtime=i18n.format_local_time,
    )
    return env
