# Two commands for a newcomer:  make run  (set up and serve with demo data)  ·  make test  (the whole suite)
SHELL := /bin/bash
HOST ?= 127.0.0.1
PORT ?= 5000
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PYTEST_ARGS ?= -n 2

.PHONY: run test setup serve deps deps-test translations lint bench clean-db help

help:
	@echo "make run    - install, migrate, load the Hải Phòng preset and demo data (empty database only), serve on http://$(HOST):$(PORT)"
	@echo "make test   - install test dependencies and run every test (unit, integration, browser)"
	@echo "make lint   - ruff"
	@echo "make bench  - performance benchmarks (see bench/README.md)"

run: setup serve

setup: deps translations
	@mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) setup
	@echo ""
	@echo "Demo accounts (password: registry-demo): admin, manager, clerk, inspector"
	@echo "Open http://$(HOST):$(PORT)"

serve:
	$(FLASK) run --host $(HOST) --port $(PORT)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	bash scripts/system-packages.sh runtime
	$(BIN)/pip install -q -r requirements.txt
	@touch $@

$(VENV)/.test-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	bash scripts/system-packages.sh test
	$(BIN)/pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime-installed

deps: $(VENV)/.runtime-installed
	@bash scripts/system-packages.sh runtime

deps-test: $(VENV)/.test-installed
	@bash scripts/system-packages.sh test

translations: | $(BIN)/python
	@$(BIN)/pybabel compile -d registry/translations -f > /dev/null

test: deps-test translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: deps-test
	$(BIN)/ruff check registry tests bench

bench: deps-test translations
	$(BIN)/python bench/run_all.py

clean-db:
	rm -f instance/registry.db instance/registry.db-wal instance/registry.db-shm
