# kyso — the two commands a fresh machine needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
KYSO_HOME ?= $(CURDIR)/var
export KYSO_HOME
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?= -n 2 --durations=25

.PHONY: run test test-pg test-node lint system-deps install lock clean bench bench-quick bench-deps

## run: create the venv, install, initialize KYSO_HOME and serve on http://127.0.0.1:8000
run: $(BIN)/.installed
	$(BIN)/kyso init
	$(BIN)/kyso serve --host 127.0.0.1 --port 8000

## test: install what the tests need (Python and Debian packages), lint, type-check, run the suite
test: $(BIN)/.installed system-deps test-node lint
	$(BIN)/pytest $(PYTEST_ARGS)

## test-pg: the same suite against PostgreSQL (KYSO_TEST_DATABASE_URL)
test-pg: $(BIN)/.installed system-deps test-node
	KYSO_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest $(PYTEST_ARGS)

## test-node: xadesjs, the independent XAdES validator of the tests, from its lock file
test-node: tests/xadesjs/node_modules/.installed

tests/xadesjs/node_modules/.installed: tests/xadesjs/package-lock.json
	cd tests/xadesjs && npm ci --no-audit --no-fund
	touch $@

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

install: $(BIN)/.installed

$(BIN)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

system-deps:
	scripts/system-deps.sh

## bench: the real `kyso serve` (SQLite, PostgreSQL; 1 and 2 workers; 1 and 2 nodes behind nginx,
## bench/nodes.py) under wrk, next to its
## floors, one table of ratios + bench-results/bench.png (bench/serve.py; under 10 minutes)
bench: bench-deps
	$(BIN)/python bench/serve.py

## bench-quick: the same, one connection count and short runs (about 2 minutes)
bench-quick: bench-deps
	$(BIN)/python bench/serve.py --quick

bench-deps: $(BIN)/.installed
	scripts/bench-deps.sh
	$(BIN)/python -m pip install --quiet -c requirements.lock -r bench/requirements.txt

## lock: re-pin every Python dependency (needs uv in the venv)
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
