# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench install clean-local

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Run the platform: embedded PostgreSQL and Redis, demo data, web + worker + beat + SMTP sink.
run: $(STAMP)
	bin/run

## Run every test (real PostgreSQL and Redis, embedded unless DATABASE_URL / REDIS_URL are set).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

## Benchmarks; figures go to docs/benchmarks.md.
bench: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python bench/onboarding.py
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python bench/questions.py
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python bench/invoicing.py

clean-local:
	$(BIN)/python -m config.embedded stop || true
	rm -rf .local
