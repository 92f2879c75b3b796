# The two commands of the README: `make run` and `make test`. Everything installs itself.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-dates lint format bench install install-dev clean-data

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the lock file changes.
$(VENV)/.base-installed: requirements/base.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements/base.txt
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt $(VENV)/.base-installed
	$(PY) -m pip install --quiet -r requirements/dev.txt
	touch $@

install: $(VENV)/.base-installed
install-dev: $(VENV)/.dev-installed

## make run: the whole portal (web, worker, beat) with demo data on http://127.0.0.1:8000
run: install
	$(PY) -m liaison_portal.run

## make test: lint, then every test against real PostgreSQL and a real Celery worker, in one
## process per core (at most four; TEST_PROCESSES=0 runs them in this one)
TEST_PROCESSES ?= auto
XDIST := -n $(TEST_PROCESSES) --maxprocesses=4
test: install-dev lint
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

## make test-dates: the tests (not the browser's) at the other moments CI checks: a month's
## last day, a leap day, holidays, a make-up Saturday, New Year's Eve in UTC (tests/at_date.py)
test-dates: install-dev
	$(PY) -m tests.at_date --all $(XDIST) $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## make bench: benchmarks at realistic size (not part of make test)
bench: install-dev
	BENCH=1 $(PY) -m pytest tests/bench -p no:cacheprovider -s -q $(PYTEST_ARGS)

## Stop the embedded PostgreSQL and delete every local datum (asks nothing: be sure).
clean-data:
	-$(PY) -m liaison_portal.embedded stop
	rm -rf .data
