# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test lint clean system-packages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

system-packages:
	@scripts/system-packages

## run: the app on SQLite in instance/, with demo data, at http://127.0.0.1:$(PORT), and the task consumer beside it
PORT ?= 5000
run: $(VENV)/.installed system-packages
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/huey_consumer consort.tasks.huey --workers 1 --logfile instance/tasks.log & consumer=$$!; \
	trap 'kill $$consumer 2>/dev/null' EXIT INT TERM; \
	PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# axe-core for the browser tests, at the version package-lock.json pins (checked by its integrity hash).
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund
	touch $@

# Two workers (pytest-xdist), each with a database of its own; PYTEST_ARGS= runs the suite in one process.
PYTEST_ARGS ?= -n 2

## test: the whole suite (set TEST_DATABASE_URL=postgresql+psycopg://... to run it on PostgreSQL)
test: $(VENV)/.installed system-packages $(AXE)
	$(BIN)/pytest $(PYTEST_ARGS)

## lint: ruff, and the import contracts of .importlinter (layers point down, the domain is pure)
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
