# Amina: `make run` serves on SQLite with demo data; `make test` sets up and passes the suite.
# Every target sets up what it needs, so both work on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup run worker demo sms reset migrate test test-sqlite test-postgres lint fmt migration-check bench browser postgres clean mosquitto

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements/constraints.txt package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	@# The app's Ed25519 fallback (@noble/ed25519) comes from the npm registry; a test checks
	@# that the copy the app serves is byte-identical to it.
	@if command -v npm >/dev/null 2>&1; then npm ci --ignore-scripts --no-audit --no-fund --silent; fi
	touch $(STAMP)

setup: $(STAMP) ## Create the virtualenv and install Amina with its tools

run: setup ## Set up, migrate, seed demo data and serve on SQLite (worker in-process)
	$(BIN)/amina migrate
	AMINA_PUBLIC_BASE_URL=http://$(HOST):$(PORT) $(BIN)/amina demo
	AMINA_PUBLIC_BASE_URL=http://$(HOST):$(PORT) AMINA_WORKER_IN_PROCESS=true \
		$(BIN)/amina serve --host $(HOST) --port $(PORT)

worker: setup ## Run the background worker (sweep, outages, delivery, retention) on its own
	$(BIN)/amina worker

migrate: setup ## Bring the database (AMINA_DATABASE_URL, default SQLite) to the newest schema
	$(BIN)/amina migrate

demo: setup ## Seed the demo data set
	$(BIN)/amina demo

sms: setup ## Show the SMS the log backend kept (the one-time codes of demo sign-ins)
	$(BIN)/amina sms list --limit 10

reset: setup ## Delete the local SQLite database (not the secret key): the next `make run` starts afresh
	$(BIN)/python -m amina.reset

browser: ## Install Debian's Chromium for the browser tests, if it is missing
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

postgres: ## Start the local PostgreSQL server if it is down
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start

mosquitto: ## Install Mosquitto if missing, and start the local broker (127.0.0.1:1883) if down
	@command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || (apt-get update && apt-get install -y mosquitto)
	@bash -c '(exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null' || PATH="$$PATH:/usr/sbin" mosquitto -d -p 1883

test: setup browser mosquitto ## Set up and run the whole suite (SQLite; AMINA_TEST_DATABASE_URL selects PostgreSQL)
	$(BIN)/pytest --cov=amina --cov-branch --cov-report= $(PYTEST_ARGS)
	$(BIN)/coverage report --include='src/amina/rules/*' --fail-under=100 --skip-covered

test-sqlite: ## The suite on SQLite
	$(MAKE) test AMINA_TEST_DATABASE_URL=

test-postgres: postgres ## The suite on the local PostgreSQL server
	AMINA_TEST_DATABASE_URL=$(PG_URL) $(MAKE) test

lint: setup ## ruff, mypy (strict) and the import contracts
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: setup ## Format and auto-fix
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

migration-check: setup postgres ## alembic check: migrations match the models, on SQLite and PostgreSQL
	$(BIN)/python -m amina.schema_check sqlite
	$(BIN)/python -m amina.schema_check $(PG_URL)

audit-deps: setup ## Known vulnerabilities of the pinned dependencies (see docs/security.md)
	$(BIN)/python tools/dependency_audit.py $(if $(OSV_DIR),--osv-dir $(OSV_DIR))

bench: setup postgres ## Run the benchmarks (results: docs/performance.md)
	$(BIN)/python -m bench.sweep
	$(BIN)/python -m bench.intake --all
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m bench.intake.wrk
	$(BIN)/python -m bench.intake.flatness

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
