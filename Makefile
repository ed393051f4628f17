# CoachFlow: `make run` to try it, `make test` to check it. Both bootstrap everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 5000
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PO := $(wildcard coachflow/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run test test-sqlite test-postgres bench lint translations extract-messages chromium axe clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

translations: $(MO)

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l -k N_ --no-location --sort-output -o coachflow/translations/messages.pot .
	$(BIN)/pybabel update -i coachflow/translations/messages.pot -d coachflow/translations --no-fuzzy-matching

run: $(STAMP) translations
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi seed-demo --if-empty
	@echo "CoachFlow on http://127.0.0.1:$(PORT)  (demo logins: admin@, hr@, manager@, rep@example.com / coachflow-demo)"
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

# Debian's Chromium drives the browser tests (Playwright cannot download its own build here).
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: run 'sudo apt-get install chromium' for the browser tests."; fi; \
	fi

# axe-core for the browser suite's accessibility crawl, at the version pinned in its lock file.
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  else echo "npm is missing: run 'sudo apt-get install npm' for the accessibility checks."; exit 1; fi; \
	fi
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $(AXE)

axe: $(AXE)

test: $(STAMP) translations chromium axe
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(TEST_DATABASE_URL)'.replace('+psycopg',''), connect_timeout=3).close()" 2>/dev/null; then \
	  $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL at $(TEST_DATABASE_URL) is not reachable: skipped the PostgreSQL run."; fi

test-sqlite: $(STAMP) translations
	COACHFLOW_TEST_DB=sqlite $(BIN)/pytest

test-postgres: $(STAMP) translations
	COACHFLOW_TEST_DB='$(TEST_DATABASE_URL)' $(BIN)/pytest

bench: $(STAMP) translations
	$(BIN)/python -m benchmarks

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check coachflow tests benchmarks config.py wsgi.py
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache $(MO) tests/browser/node_modules
