"""WSGI entry point (gunicorn comity.config.wsgi).

Before it serves, the process loads what its first requests would otherwise load (the URL patterns with every
view, the compiled templates, each language's catalogue and CLDR data) and then hides those long-lived objects
from the cyclic garbage collector with `gc.freeze()`. Without that, every full collection walks them again and
pauses the request it falls on for tens of milliseconds; with it, a full collection only walks what requests
allocated. Under `gunicorn --preload` the frozen objects are also shared by the workers instead of being copied.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comity.config.settings.prod")
application = get_wsgi_application()


def warm_up() -> None:
    """Load, once and before any request, what pages otherwise load on first use."""
    import redis  # noqa: F401 - the cache and session client, imported on first use otherwise
    from django.conf import settings
    from django.template import engines
    from django.urls import reverse
    from django.utils import translation

    from comity.core.i18n import babel_locale, iso639_1_choices

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("portal:home")  # imports every view and builds the resolver of this language's prefix
            locale = babel_locale(code)
            for data in (locale.territories, locale.languages, locale.datetime_formats, locale.time_zones):
                len(data)  # CLDR data is loaded on first access
            iso639_1_choices(code)  # and so are the ISO 639 languages
    for engine in engines.all():
        environment = getattr(engine, "env", None)  # the Jinja2 engine; the admin's templates stay lazy
        if environment is not None:
            for name in environment.list_templates(extensions=["html", "txt"]):
                environment.get_template(name)


def freeze_start_up_objects() -> None:
    warm_up()
    gc.collect()
    gc.freeze()


freeze_start_up_objects()
