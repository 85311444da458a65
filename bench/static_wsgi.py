"""The production WSGI application with Django's static-file handler in front: the HTTP benchmark's baseline.

gunicorn loads this module (copied as `bench_static_wsgi.py` into the run's temporary folder, so that an older
checkout without it can load it too). `/static/...` is answered by `StaticFilesHandler` before any middleware;
every other path goes to the unchanged `comity.config.wsgi.application`. The static rate is therefore the floor
cost of gunicorn plus Django's WSGI handler, measured by the same server in the same run as the pages.

If BENCH_WSGI_REPORT names a file, the path of the `comity` package actually imported is written to it, so the
benchmark can check that each server runs the code version it claims to."""

import os

from django.contrib.staticfiles.handlers import StaticFilesHandler

import comity
from comity.config.wsgi import application as _application

application = StaticFilesHandler(_application)

_report = os.environ.get("BENCH_WSGI_REPORT")
if _report:
    with open(_report, "w", encoding="utf-8") as _file:
        _file.write(os.path.dirname(comity.__file__))
