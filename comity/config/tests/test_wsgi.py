"""The WSGI entry point loads what pages need before serving and hides it from the garbage collector."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROBE = """
import gc, json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "comity.config.settings.test"
from comity.config import wsgi
from django.core.handlers.wsgi import WSGIHandler
from django.template import engines
from django.urls import get_resolver
from comity.core.i18n import _iso639_1_choices

environment = engines["jinja2"].env
names = environment.list_templates(extensions=["html", "txt"])
cached = len(environment.cache)
templates = [environment.get_template(name) for name in names]
tracked = {id(o) for o in gc.get_objects()}
print(json.dumps({
    "application": isinstance(wsgi.application, WSGIHandler),
    "templates_cached": cached == len(names),
    "templates_tracked": sum(id(t) in tracked for t in templates),
    "languages_with_choices": _iso639_1_choices.cache_info().currsize,
    "resolver_tracked": id(get_resolver()) in tracked,
}))
"""


def test_start_up_objects_are_loaded_then_frozen():
    result = subprocess.run(  # noqa: S603 - a fixed command; a fresh interpreter, as freezing is process-wide
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "application": True,
        "templates_cached": True,
        "templates_tracked": 0,
        "languages_with_choices": 7,
        "resolver_tracked": False,
    }
