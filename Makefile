# Grassroots: `make run` starts the whole system, `make test` runs every test tier.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-tools test-fast bench lint catalogue check-deploy clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed (python3.11 on PATH, or PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m services.run

# Tools the tests drive that come from Debian, not PyPI: promtool, Chromium, and docker-compose
# (v1, which validates docker-compose.yml without a Docker engine).
DEBIAN_TOOLS := prometheus chromium docker-compose
test-tools:
	@command -v promtool >/dev/null && command -v chromium >/dev/null && command -v docker-compose >/dev/null || { \
	  [ "$$(id -u)" = 0 ] || { echo "Install them with: sudo apt-get install -y $(DEBIAN_TOOLS)"; exit 1; }; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(DEBIAN_TOOLS); }

test: $(STAMP) test-tools
	$(BIN)/python -m pytest -q tests/unit tests/integration tests/e2e tests/reliability

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

bench: $(STAMP)
	$(BIN)/python -m tests.bench

check-deploy: $(STAMP) test-tools
	$(BIN)/python -m pytest -q tests/integration/test_deploy_files.py

lint: $(STAMP)
	$(BIN)/ruff check .

catalogue: $(STAMP)
	$(BIN)/python -m services.catalogue > docs/events.md

clean:
	rm -rf $(VENV) var
