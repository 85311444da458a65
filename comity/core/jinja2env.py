"""The Jinja2 environment for Comity's own templates: i18n with Django's gettext, url, static."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from jinja2 import Environment, StrictUndefined
from markupsafe import Markup, escape

from comity.core import header, i18n
from comity.core.formrender import input_html


def url(name: str, *args, **kwargs) -> str:
    """reverse(), remembered: a page links to the same few views many times (a thread page about 180 links)."""
    if all(type(value) in _PLAIN for value in (*args, *kwargs.values())):
        context = (translation.get_language(), get_script_prefix(), get_urlconf())
        return _reverse(name, args, tuple(kwargs.items()), *context)
    return reverse(name, args=args or None, kwargs=kwargs or None)


_PLAIN = frozenset({int, str})


def choice_input(box) -> Markup:
    """The <input> of one radio button or checkbox of a choice field: what `box.tag()` renders through Django's
    widget templates, written by the form renderer's `input_html` without them (a thread page has a group of them)."""
    return Markup(input_html(box.data))  # noqa: S704 - input_html escapes every value


@lru_cache(maxsize=8192)
def _reverse(name: str, args: tuple, kwargs: tuple, language, prefix: str, urlconf) -> str:
    """What reverse() depends on, besides the URL patterns, which do not change while the process runs: the
    active language (the /en/ prefix), the script prefix and the request's URLconf."""
    return reverse(name, args=args or None, kwargs=dict(kwargs) or None)


@receiver(setting_changed)
def _forget_urls(*, setting: str, **kwargs) -> None:
    """Django forgets its URL caches when a test swaps the URLconf; so does `url`."""
    if setting == "ROOT_URLCONF":
        _reverse.cache_clear()


def remembered(format_function):
    """A formatting filter whose text depends only on its arguments, the active language and the viewer's time zone,
    remembered for those: a page shows the same moments many times (every contact point of an authority has its
    local time and next opening), and a page viewed again shows the same post dates."""

    @lru_cache(maxsize=4096)
    def cached(language, zone, *args):
        return format_function(*args)

    def format_filter(*args, **kwargs):
        if not kwargs:
            try:
                return cached(translation.get_language(), timezone.get_current_timezone_name(), *args)
            except TypeError:  # an argument that cannot be a key
                pass
        return format_function(*args, **kwargs)

    format_filter.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return format_filter


def bdi(value) -> Markup:
    """Data (a name, a number, a code) isolated from the text around it, so that in Arabic text a Latin name or a
    number keeps its own direction and the punctuation after it stays in place: <bdi>value</bdi>."""
    if value is None or value == "":
        return Markup("")
    return Markup("<bdi>%s</bdi>") % value


def list_filter(items, style: str = "standard", isolate: bool = False) -> Markup:
    """Items joined as the viewer's language lists them (babel); each item isolated (`bdi`) if `isolate`."""
    values = [item for item in items if item is not None and item != ""]
    if not isolate:
        return escape(i18n.format_list(values, style))
    # Format placeholders, then put the escaped, isolated items in their place: the separators come from CLDR.
    marks = [f"\x00{index}\x00" for index in range(len(values))]
    text = str(escape(i18n.format_list(marks, style)))
    for mark, value in zip(marks, values, strict=True):
        text = text.replace(mark, str(bdi(value)))
    return Markup(text)  # noqa: S704 - every part above was escaped


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


def _main_nav(env: Environment) -> Callable[[Any], Markup]:
    """The header's navigation (`core/_main_nav.html`), rendered once per process for each language and kind of
    user (and, like `url`, script prefix and URLconf): it depends on nothing else."""
    rendered: dict[tuple, Markup] = {}

    def main_nav(user) -> Markup:
        authenticated = bool(getattr(user, "is_authenticated", False))
        key = (
            translation.get_language(),
            get_script_prefix(),
            get_urlconf(),
            authenticated,
            authenticated and bool(user.is_active),
            getattr(user, "role", "") if authenticated else "",
        )
        found = rendered.get(key)
        if found is None:
            found = Markup(env.get_template("core/_main_nav.html").render(user=user))  # noqa: S704 - autoescaped
            rendered[key] = found
        return found

    return main_nav


@lru_cache(maxsize=8192)
def _gettext(language: str | None, message: str) -> str:
    return translation.gettext(message)


@lru_cache(maxsize=4096)
def _ngettext(language: str | None, singular: str, plural: str, number) -> str:
    return translation.ngettext(singular, plural, number)


def gettext(message: str) -> str:
    """Django's gettext, remembered per active language: the messages of a template are literals, and the catalogs
    do not change while the process runs (a page says some 60 of them, each a lookup through every catalog)."""
    return _gettext(translation.get_language(), message)


def ngettext(singular: str, plural: str, number) -> str:
    if type(number) is not int:
        return translation.ngettext(singular, plural, number)
    return _ngettext(translation.get_language(), singular, plural, number)


@receiver(setting_changed)
def _forget_messages(*, setting: str, **kwargs) -> None:
    """Django reloads its catalogs when a test changes the languages or where the catalogs are; so does gettext."""
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS", "USE_I18N"}:
        _gettext.cache_clear()
        _ngettext.cache_clear()


def environment(**options) -> Environment:
    options.setdefault("undefined", StrictUndefined)
    extensions = list(options.pop("extensions", []))
    extensions.append("jinja2.ext.i18n")
    env = Environment(extensions=extensions, **options)  # noqa: S701 - Django's backend turns autoescape on
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext,
        ngettext,
        newstyle=True,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
    )
    env.globals.update(
        url=url,
        choice_input=choice_input,
        widget_attrs=widget_attrs,
        static=static,
        get_messages=get_messages,
        header_unread_count=header.unread_count,
        language_name=i18n.language_name,
        native_language_name=i18n.native_language_name,
        territory_name=i18n.territory_name,
        same_time=i18n.same_time,
        ui_languages=i18n.UI_LANGUAGES,
        settings_debug=settings.DEBUG,
        main_nav=_main_nav(env),
    )
    env.filters.update(
        dt=remembered(i18n.format_dt),
        day=remembered(i18n.format_day),
        localtime=remembered(i18n.format_local_time),
        zone=i18n.zone_label,
        bdi=bdi,
        listing=list_filter,
    )
    return env
