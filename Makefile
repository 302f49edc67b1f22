# Netzwerk: `make run` starts the app with demo data, `make test` runs the whole suite.
SHELL := /bin/bash

VENV := .venv
BIN := $(VENV)/bin
# Re-installs only when the dependencies change (or the venv is gone).
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: install run test lint messages bench load

install: $(STAMP)

$(STAMP): pyproject.toml
	@set -e; \
	if [ ! -x $(BIN)/python ]; then \
		py=""; \
		for candidate in python3.12 python3; do \
			if command -v $$candidate >/dev/null 2>&1 \
				&& $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
				py=$$candidate; break; \
			fi; \
		done; \
		if [ -z "$$py" ]; then \
			echo "error: Netzwerk needs Python >= 3.12 as python3.12 or python3 on PATH." >&2; \
			echo "       found: $$(python3 --version 2>&1 || echo 'no python3')" >&2; \
			exit 1; \
		fi; \
		echo "Creating $(VENV) with $$($$py --version)"; \
		$$py -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --group dev -e .
	@touch $(STAMP)

run: install
	@scripts/run.sh

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

# Needs GNU gettext (msgfmt, xgettext). The compiled .mo files are committed.
messages: install
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(BIN)/python manage.py makemessages -l de -l en --ignore=.venv --ignore=data
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(BIN)/python manage.py compilemessages --ignore=.venv

# Timings on a large network (never part of `make test`): seeds once, then prints JSON last.
# Production settings (DEBUG off: no query log, cached templates), so the timings mean something.
# It refuses a database whose name lacks "bench". On PostgreSQL, with Redis for its last part
# (`make load`'s figures; without REDIS_URL they are null):
# DATABASE_URL=postgres://postgres@127.0.0.1:5432/netzwerk_bench REDIS_URL=redis://127.0.0.1:6379/0 make bench
bench: install
	@set -e; export DJANGO_DEBUG=false DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-bench-only-$$(date +%s)-not-a-secret-0123456789abcdef}"; \
	$(BIN)/python manage.py migrate --noinput; \
	$(BIN)/python manage.py collectstatic --noinput -v0; \
	$(BIN)/python manage.py bench; \
	$(BIN)/python manage.py bench_imports

# Locust against gunicorn with production settings (scripts/load/): 100 people sign in through the
# real form over 50 s, then all of them use the app 60 s more; the last line is JSON. Seeds 100 users
# once; needs PostgreSQL and Redis and refuses a database whose name lacks "bench". `make bench`
# runs it last too. DATABASE_URL=postgres://postgres@127.0.0.1:5432/netzwerk_bench \
# REDIS_URL=redis://127.0.0.1:6379/0 make load
load: install
	@$(BIN)/python scripts/load/run.py
