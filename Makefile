# The two commands a newcomer needs: `make run` and `make test`. The rest serve them and CI.
# Debian's and Ubuntu's own python3.11 (built with PGO and LTO) runs the platform's code faster
# than a default source build such as pyenv's (bench/NOTES.md): use it when it can make a venv.
# Any Python 3.11 works.
PYTHON ?= $(shell /usr/bin/python3.11 -c "import ensurepip, venv" >/dev/null 2>&1 && echo /usr/bin/python3.11 || echo python3.11)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
APPS := $(notdir $(patsubst %/apps.py,%,$(wildcard innoreform/*/apps.py)))

.PHONY: run test install install-dev migrate demo lint messages check-messages clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found); set PYTHON=..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/innoreform i18n compile

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/innoreform i18n compile

migrate: install
	$(BIN)/innoreform migrate --noinput

demo: migrate
	$(BIN)/innoreform demo

## Install, migrate an SQLite database under var/, load demo data, start web server and worker.
run: demo
	INNOREFORM_DEMO=1 PORT=$(PORT) $(BIN)/innoreform serve

## Install dev dependencies and run the whole suite on SQLite, then on PostgreSQL if DATABASE_URL is set.
test: install-dev
	DATABASE_URL= $(BIN)/pytest -q -n 2 --dist loadgroup
	@if [ -n "$$DATABASE_URL" ]; then echo "== PostgreSQL: $$DATABASE_URL"; $(BIN)/pytest -q -n 2 --dist loadgroup; fi

lint: install-dev
	$(BIN)/ruff check .

## Extract and compile translations for every app (needs GNU gettext: apt-get install gettext).
messages: install
	@for app in $(APPS); do \
	  mkdir -p innoreform/$$app/locale; \
	  (cd innoreform/$$app && DJANGO_SETTINGS_MODULE=config.settings PYTHONPATH=../.. ../../$(BIN)/django-admin makemessages -l zh_Hans -l en --no-obsolete --no-location >/dev/null) || exit 1; \
	done
	$(BIN)/innoreform i18n compile

check-messages: install
	$(BIN)/innoreform i18n check

clean:
	rm -rf $(VENV) var/*.sqlite3*
