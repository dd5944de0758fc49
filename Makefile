# flightlake: every target sets up what it needs first (scripts/bootstrap), so on a fresh
# machine `make run` and `make test` are the only two commands.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/lock.txt requirements/glue-runtime.txt pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup run test test-unit lint check-aws lint-deploy format bench lock up down status clean compose-check

setup: $(STAMP)

$(STAMP): requirements/lock.txt requirements/glue-runtime.txt requirements/bootstrap.txt pyproject.toml scripts/bootstrap scripts/check-prereqs
	VENV=$(VENV) scripts/bootstrap
	@rm -f $(VENV)/.installed-*; touch $@

## the main job: the whole pipeline, offline, on the embedded stack (ARGS="--years 2013-2014" ...)
run: setup
	$(BIN)/flightlake run $(ARGS)

## the test suite (unit + integration against real services); PYTEST_ARGS="-k stack" to narrow
test: setup
	$(BIN)/pytest $(PYTEST_ARGS)

test-unit: setup
	$(BIN)/pytest -m "not integration" $(PYTEST_ARGS)

## ruff (style, and the DAG never imports the local harness) + import-linter (package boundaries) + check-aws
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m flightlake.local.aws_checks

## what would fail on AWS, in seconds: Glue 5.0's Python 3.11, standard library and modules; MWAA's
## Python 3.12; Redshift's grammar, refusals and the Data API's rules (flightlake.local.aws_checks)
check-aws: setup
	$(BIN)/python -m flightlake.local.aws_checks

## cfn-lint and checkov on deploy/ (checkov lives in its own hash-locked venv, .venv-tools)
lint-deploy: setup
	scripts/lint-deploy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## benchmarks print wall time, rows/s and peak memory (BENCH=generate|spark|charts|dag|compare|dashboard|rehearsal|all)
bench: setup
	$(BIN)/python -m bench $(or $(BENCH),all)

lock:
	scripts/lock

## docker-compose.yml for real, with Podman: images built, stack up, one year through the DAG in
## the containers, checked against the embedded run, down/up, torn down (docs/compose.md)
compose-check: setup
	scripts/ci/compose-check

up: setup
	$(BIN)/flightlake up
down: setup
	$(BIN)/flightlake down
status: setup
	$(BIN)/flightlake status

clean:
	-$(BIN)/flightlake down 2>/dev/null
	rm -rf $(VENV) .venv-compose .compose-check .flightlake .pytest_cache .ruff_cache
