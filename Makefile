# elicit — `make run` to try it, `make test` for the whole suite.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
BIN := $(VENV)/bin
export BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run install install-dev migrate demo serve test e2e browser lint clean audit

## Install, migrate, load the demo when the database is empty, serve with gunicorn.
run: install migrate
	@$(BIN)/flask --app wsgi demo --if-empty
	@echo
	@echo "Serving on $(BASE_URL)  (Ctrl-C to stop)"
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) wsgi:app

install: $(VENV)/.runtime-installed

install-dev: $(VENV)/.dev-installed

$(VENV)/.runtime-installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

migrate: install
	$(BIN)/flask --app wsgi db upgrade heads

demo: migrate
	$(BIN)/flask --app wsgi demo

## The whole suite: lint, layering, the analysis doctests, then SQLite and PostgreSQL legs
## (PostgreSQL mandatory when CI=true). The few `serial` tests (they restart PostgreSQL) run
## alone first, then the rest on two processes.
test: install-dev browser
	$(BIN)/ruff check elicit analysis tests benchmarks tools wsgi.py gunicorn.conf.py
	PYTHONPATH=. $(BIN)/lint-imports
	$(BIN)/bandit --quiet --recursive elicit analysis --severity-level high
	$(BIN)/python -m pytest -p no:xdist -p no:cacheprovider --doctest-modules analysis -q
	$(BIN)/python -m pytest -p no:xdist -m serial
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not serial"

## Browser journeys alone (Playwright driving Debian's Chromium); refreshes docs/screenshots/.
e2e: install-dev browser
	E2E_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -p no:xdist tests/e2e

## Debian's Chromium for the browser tests, installed when missing (never a downloaded browser).
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

## Dependency audit (needs the internet: PyPI's vulnerability data). pip-audit --strict, and
## tools/audit_dependencies.py refuses a run that skipped any package: never green offline.
audit: install-dev
	$(BIN)/python tools/audit_dependencies.py requirements-dev.txt

lint: install-dev
	$(BIN)/ruff check elicit analysis tests benchmarks tools wsgi.py gunicorn.conf.py
	PYTHONPATH=. $(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache

## Benchmarks, each measured side by side with a reference: benchmarks/results.json and
## benchmarks/RESULTS.md. `make bench QUICK=1` runs small sizes (under 3 minutes).
.PHONY: bench
bench: install
	$(BIN)/python benchmarks/run_all.py $(if $(QUICK),--quick)
