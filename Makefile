# finsam – the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := finsam.settings

.PHONY: run demo test lint format setup system-deps worker migrate clean bench-pdf bench bench-reset

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

# Debian packages beyond Python: Pango for WeasyPrint and Debian's Chromium for the browser tests
# (Playwright drives it; no browser is ever downloaded). Installed with apt-get when run as root.
SYSTEM_PACKAGES := chromium libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "Saknade Debianpaket:$$missing (sudo apt-get install$$missing)" >&2; \
	  if [ -n "$$CI" ]; then exit 1; fi; exit 0; \
	fi; \
	echo "Installerar Debianpaket:$$missing"; \
	export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null

migrate: setup
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py load_demo

# The worker runs beat in-process (-B): the sweep that re-queues documents whose worker died, the
# heartbeat /halsa/ reads and the reminders. Beat's schedule file lives in var/.
BEAT := -B --schedule $${FINSAM_VAR_DIR:-var}/celerybeat-schedule
worker: setup
	DEBUG=$${DEBUG:-true} $(BIN)/celery -A finsam worker $(BEAT) --loglevel=INFO --concurrency=2

# Serves the app with demo data and a Celery worker (with beat) beside it. Without DATABASE_URL and
# REDIS_URL it uses SQLite and kombu's filesystem broker in var/; with them, PostgreSQL and Redis.
run: demo
	@echo "finsam: http://$(HOST):$(PORT)/  (logga in som samordnare / finsam-demo)"
	@DEBUG=$${DEBUG:-true}; export DEBUG; \
	$(BIN)/celery -A finsam worker $(BEAT) --loglevel=INFO --concurrency=2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: setup system-deps lint
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# Seconds and peak memory for the verksamhetsplan of a förbund with 40 insatser (see README).
bench-pdf: migrate
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py bench_pdf

# The national benchmark (issue #14): 80 förbund × 10 years on PostgreSQL in a database of its own,
# created on first use and reused after (`make bench-reset` starts over). Writes var/bench.md.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/finsam_bench
BENCH_SERVER := $(dir $(BENCH_DATABASE_URL))postgres
BENCH_NAME := $(notdir $(BENCH_DATABASE_URL))
bench: setup
	@psql "$(BENCH_SERVER)" -tAc "SELECT 1 FROM pg_database WHERE datname = '$(BENCH_NAME)'" | grep -q 1 \
	  || psql "$(BENCH_SERVER)" -qc 'CREATE DATABASE "$(BENCH_NAME)"'
	DEBUG=true DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py migrate --noinput -v0
	DEBUG=true DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py seed_national
	DEBUG=true DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python manage.py bench

bench-reset:
	psql "$(BENCH_SERVER)" -qc 'DROP DATABASE IF EXISTS "$(BENCH_NAME)"'

clean:
	rm -rf var .pytest_cache
