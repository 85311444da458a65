# Comity: the two commands are `make serve` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
export DJANGO_SETTINGS_MODULE ?= comity.config.settings.dev
# Links in e-mail written in development follow where the server listens.
export COMITY_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: serve test install install-test messages messages-extract migrate lint format typecheck check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Compiled catalogues are build output (.mo is git-ignored); pybabel comes with babel.
messages: install
	if ls comity/locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then $(BIN)/pybabel -q compile -D django -d comity/locale; fi

migrate: install messages
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

# The worker (queued tasks, e-mail, periodic jobs: docs/adr/0013-one-worker.md) runs beside the server and stops
# with it.
serve: migrate
	$(BIN)/python manage.py load_reference
	$(BIN)/python manage.py load_instruments
	$(BIN)/python manage.py load_glossary
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py worker & W=$$!; \
	$(BIN)/python manage.py signin_hint --host $(HOST) --port $(PORT) --python $(BIN)/python --wait & H=$$!; \
	trap 'kill $$W $$H 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The suite runs on every core (pytest-xdist); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
test: install-test messages
	$(BIN)/python -m tests.browser_check
	DJANGO_SETTINGS_MODULE=comity.config.settings.test $(BIN)/python -m pytest -n $(PYTEST_WORKERS)

# The static checks CI runs: lint, format, types (services, selectors and permissions).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) typecheck

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install-test
	$(BIN)/mypy $$(find comity -path '*/migrations' -prune -o -path '*/tests' -prune -o \
	  \( -name 'services.py' -o -name 'selectors.py' -o -name 'permissions.py' \
	     -o -path '*/services/*.py' -o -path '*/selectors/*.py' \) -print | sort)

check: install-test messages
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var staticfiles

# Developer tool: refresh the catalogues from the code and templates, then translate what is new.
LOCALES := ar zh_Hans es fr ru pt
messages-extract: install
	$(BIN)/pybabel -q extract -F babel.cfg --no-location --sort-output --omit-header \
	  -k gettext_lazy -k ngettext_lazy:1,2 -k pgettext:1c,2 -k pgettext_lazy:1c,2 -k npgettext:1c,2,3 \
	  -o comity/locale/django.pot .
	for l in $(LOCALES); do \
	  if [ -f comity/locale/$$l/LC_MESSAGES/django.po ]; then \
	    $(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete -D django -l $$l -i comity/locale/django.pot -d comity/locale; \
	  else $(BIN)/pybabel -q init -D django -l $$l -i comity/locale/django.pot -d comity/locale; fi; \
	done
