# Truckroll: `make run` starts the whole system locally, `make test` runs every check CI runs.
SHELL := /bin/bash
PYTHON ?= python3
PORT ?= 8000
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION := 1
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install run token redrive test lint typecheck unit integration contracts infra security browser chromium synth bench fuzz clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

install: $(VENV)/.synced

run: install ## the whole system on 127.0.0.1:$(PORT); SEED=1 adds the demo company
	$(VENV)/bin/truckroll-local --port $(PORT) $(if $(SEED),--seed-demo,)

token: install ## print a token for a seeded user of a running stack: make token USER_NAME=tech-1@demo
	@$(PY) -c "import json, sys, urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1]))['access_token'])" "http://127.0.0.1:$(PORT)/auth/dev-token?user=$(or $(USER_NAME),dispatcher@demo)"

redrive: install ## move a dead-letter queue's messages back to its queue on a running stack: make redrive QUEUE=notify-events
	$(PY) -m truckroll_local.redrive $(QUEUE) --url http://127.0.0.1:$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy
	$(PY) -m truckroll_local.typecheck

unit: install
	$(VENV)/bin/pytest -m unit -n auto -q

integration: install
	$(VENV)/bin/pytest -m "integration or contracts" -n auto -q

infra: install
	$(VENV)/bin/pytest -m infra -q

security: install ## tenant walls, role matrix, deactivated users, tokens, mass assignment, URL guard
	$(VENV)/bin/pytest -m security -n auto -q

chromium: ## Debian's chromium, which the browser tests drive (Playwright's own browser download is not used)
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

browser: install chromium ## the web pages in headless chromium against the local stack
	$(VENV)/bin/pytest -m browser -n auto -q

synth: install
	$(PY) infra/synth.py

test: lint typecheck chromium ## everything CI runs
	$(VENV)/bin/pytest -n auto -q

bench: install chromium
	$(PY) -m bench

fuzz: install ## Schemathesis, 100 examples per operation, against a seeded stack (FUZZ_URL= one already running)
	TRUCKROLL_FUZZ_PROFILE=full $(if $(FUZZ_URL),TRUCKROLL_FUZZ_URL=$(FUZZ_URL),) $(VENV)/bin/pytest -m fuzz -n auto -q tests/fuzz

clean:
	rm -rf $(VENV) $(TOOLS) infra/cdk.out .pytest_cache .mypy_cache .ruff_cache
