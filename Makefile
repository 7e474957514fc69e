# The two commands a newcomer needs: `make run` and `make test`. The rest serve them and CI.
# Debian's and Ubuntu's own python3.11 (built with PGO and LTO) runs the platform's code faster
# than a default source build such as pyenv's (bench/NOTES.md): use it when it can make a venv.
# Any Python 3.11 works.
PYTHON ?= $(shell /usr/bin/python3.11 -c "import ensurepip, venv" >/dev/null 2>&1 && echo /usr/bin/python3.11 || echo python3.11)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
APPS := $(notdir $(patsubst %/apps.py,%,$(wildcard innoreform/*/apps.py)))

# Every install comes from a lock with hashes (requirements/*.lock, exported from uv.lock), so a
# fresh machine gets the same transitive versions; `make lock` re-resolves after pyproject.toml's
# dependencies change. uv is pinned here (not in pyproject.toml) because only `make lock` and
# `make lock-check` use it; pip installs the locks.
UV_VERSION := 0.13.8
RUN_LOCK := requirements/run.lock
DEV_LOCK := requirements/dev.lock
BENCH_LOCK := requirements/bench.lock
PO_FILES := $(wildcard innoreform/*/locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test install install-dev install-bench compiled-messages migrate demo lint messages check-messages lock lock-check clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found); set PYTHON=..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files in the venv: pip runs only when a lock (or pyproject.toml) is newer than the last install.
$(VENV)/.installed-run: $(RUN_LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(RUN_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: $(DEV_LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed-run

$(VENV)/.installed-bench: $(BENCH_LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r $(BENCH_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed-dev $(VENV)/.installed-run

# Compiled catalogues are not in git; all are rebuilt (in one run) when any .po is newer.
$(MO_FILES) &: $(PO_FILES)
	$(BIN)/innoreform i18n compile

compiled-messages: $(MO_FILES)
	@:

# The catalogues compile with the installed Babel, hence after the install (also under make -j).
install: $(VENV)/.installed-run
	@$(MAKE) --no-print-directory compiled-messages

install-dev: $(VENV)/.installed-dev
	@$(MAKE) --no-print-directory compiled-messages

## Benchmark libraries (bench/credit.py's reference scorecards) on top of the dev set.
install-bench: $(VENV)/.installed-bench

## Re-resolve pyproject.toml's dependencies into uv.lock and export the locks pip installs from.
lock: $(BIN)/python
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv lock
	$(BIN)/uv export --frozen --no-emit-project --no-dev -q -o $(RUN_LOCK)
	$(BIN)/uv export --frozen --no-emit-project --no-dev --extra dev -q -o $(DEV_LOCK)
	$(BIN)/uv export --frozen --no-emit-project --no-dev --extra dev --extra bench -q -o $(BENCH_LOCK)

## Fail when uv.lock no longer matches pyproject.toml (run `make lock`).
lock-check: $(BIN)/python
	$(BIN)/pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv lock --check -q

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

lint: install-dev lock-check
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
