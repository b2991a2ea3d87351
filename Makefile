# OneStop: `make run` to try it, `make test` to check it, `make ci` for the full CI run.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
ASSETS_STAMP := var/assets/.built
HOST ?= 127.0.0.1
PORT ?= 8000
export ONESTOP_SQLITE_TEST_NAME ?=

.PHONY: help install run test ci lint types security pytest bench demo lock clean messages

help:
	@echo "make run    install, migrate, load the demo council and serve it on http://$(HOST):$(PORT)"
	@echo "make test   install, then lint, types, security scan and the tests (SQLite, and PostgreSQL if reachable)"
	@echo "make ci     as make test, with PostgreSQL, Redis and Chromium required (installed and started if absent)"
	@echo "make bench  benchmarks (SCALE=small|full, DATABASE=sqlite|postgresql)"
	@echo "make lock   refresh requirements.lock from pyproject.toml"

$(PY_STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(ASSETS_STAMP): $(NPM_STAMP) $(PY_STAMP) scripts/build_assets.py $(wildcard onestop/locale/*/LC_MESSAGES/*.po)
	$(BIN)/python scripts/build_assets.py
	touch $@

install: $(PY_STAMP) $(ASSETS_STAMP)

# Refresh the Welsh catalogue from the code's marked strings (needs GNU gettext's xgettext, a
# developer's tool only: the build compiles the .po files with polib, no system package).
messages: install
	cd onestop && ../$(BIN)/django-admin makemessages --locale cy --no-obsolete --no-location \
	  --ignore 'locale/*' --settings onestop.settings --pythonpath ..
	$(BIN)/python scripts/build_assets.py --messages-only

lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock
	rm -rf .lock-venv

# The demo as a council would run it: DEBUG off, the GOV.UK error pages, static files served by
# whitenoise, a secret key generated once into var/ (every command reads it).  Only transport
# security is relaxed, because the demo is plain HTTP on this machine (ONESTOP_HTTPS=0).
# Links in messages (a resident's sign-in link, a survey's) name the address it is served at,
# and the local sender writes each e-mail and text message into var/sent-mail/ to be read.
RUN_ENV := ONESTOP_HTTPS=0 ONESTOP_LOCAL_MAIL_DIR=$${ONESTOP_LOCAL_MAIL_DIR-$(abspath $(or $(ONESTOP_VAR_DIR),var))/sent-mail} ONESTOP_PUBLIC_URL=$${ONESTOP_PUBLIC_URL:-http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)} ONESTOP_PUBLIC_ORGANISATION=$${ONESTOP_PUBLIC_ORGANISATION-demo-council} ONESTOP_ALLOWED_HOSTS=$${ONESTOP_ALLOWED_HOSTS:-$(HOST),127.0.0.1,localhost} HOST=$(HOST) PORT=$(PORT)
SECRET_KEY_FILE := $(or $(ONESTOP_VAR_DIR),var)/secret_key

$(SECRET_KEY_FILE):
	mkdir -p $(dir $@)
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))' > $@

run: install $(SECRET_KEY_FILE)
	$(RUN_ENV) $(BIN)/onestop migrate --no-input
	$(RUN_ENV) $(BIN)/onestop collectstatic --no-input --verbosity 0
	$(RUN_ENV) $(BIN)/onestop demo
	@echo "OneStop is at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	@# The worker beside the web server: what is due (messages, queued tasks) every 15 seconds,
	@# as cron would run it in production (docs/operators/sending.md); stopped with the server.
	$(RUN_ENV) bash -c '( while true; do $(BIN)/onestop worker --until-idle --verbosity 0 >>$(dir $(SECRET_KEY_FILE))worker.log 2>&1; sleep 15; done ) & worker=$$!; trap "kill $$worker" EXIT; $(BIN)/gunicorn onestop.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile - --log-level warning'

lint: install
	$(BIN)/ruff check onestop tests bench scripts
	$(BIN)/ruff format --check onestop tests bench scripts
	$(BIN)/lint-imports

types: install
	ONESTOP_DEV=1 $(BIN)/mypy onestop tests bench scripts

security: install
	$(BIN)/bandit --quiet -c pyproject.toml -r onestop

test: lint types security
	$(BIN)/python scripts/run_tests.py

ci: install
	scripts/ensure_services.sh
	$(MAKE) lint types security
	ONESTOP_REQUIRE_POSTGRES=1 ONESTOP_REQUIRE_BROWSER=1 ONESTOP_REQUIRE_REDIS=1 ONESTOP_REQUIRE_IMAP=1 $(BIN)/python scripts/run_tests.py

SCALE ?= small
DATABASE ?= sqlite
# Every benchmark runs; the ones that missed a target (or failed) are named at the end, and
# the exit status is 1 when there is any.
bench: install
	@missed=""; for script in bench/*.py; do \
	  case "$$(basename $$script)" in _*) continue;; esac; \
	  if [ "$$(basename $$script)" = "reports.py" ] && [ "$(DATABASE)" != "postgresql" ]; then \
	    echo "bench/reports.py: PostgreSQL only, skipped"; continue; fi; \
	  $(BIN)/python $$script --scale $(SCALE) --database $(DATABASE) || missed="$$missed $$script"; \
	done; \
	if [ -n "$$missed" ]; then echo "bench: a target missed or a run failed in:$$missed"; exit 1; fi

clean:
	rm -rf $(VENV) node_modules var
