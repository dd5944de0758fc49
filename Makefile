# flightlake: every target sets up what it needs first (scripts/bootstrap), so on a fresh
# machine `make run` and `make test` are the only two commands.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/lock.txt pyproject.toml | cksum | cut -d' ' -f1)
GLUE_STAMP := $(VENV)/.glue-runtime-$(shell cat requirements/glue-runtime.txt | cksum | cut -d' ' -f1)

.PHONY: setup glue-runtime run test test-unit lint check-aws lint-deploy format bench lock up down status clean compose-check

setup: $(STAMP)

$(STAMP): requirements/lock.txt requirements/bootstrap.txt pyproject.toml scripts/bootstrap scripts/check-prereqs
	VENV=$(VENV) scripts/bootstrap
	@rm -f $(VENV)/.installed-*; touch $@

## the emulator's AWS Glue 5.0 runtime: only the tests, make check-aws and the AWS rehearsal need it
glue-runtime: $(GLUE_STAMP)

$(GLUE_STAMP): $(STAMP) requirements/glue-runtime.txt scripts/glue-runtime
	VENV=$(VENV) scripts/glue-runtime
	@rm -f $(VENV)/.glue-runtime-*; touch $@

## the main job: the whole pipeline, offline, on the embedded stack (ARGS="--years 2013-2014" ...)
run: setup
	$(BIN)/flightlake run $(ARGS)

## the test suite (unit + integration against real services); PYTEST_ARGS="-k stack" to narrow
test: setup glue-runtime
	$(BIN)/pytest $(PYTEST_ARGS)

test-unit: setup
	$(BIN)/pytest -m "not integration" $(PYTEST_ARGS)

## ruff (style, and the DAG never imports the local harness) + import-linter (package boundaries) + check-aws
lint: setup glue-runtime
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m flightlake.local.aws_checks

## what would fail on AWS, in seconds: Glue 5.0's Python 3.11, standard library and modules; MWAA's
## Python 3.12; Redshift's grammar, refusals and the Data API's rules (flightlake.local.aws_checks)
check-aws: setup glue-runtime
	$(BIN)/python -m flightlake.local.aws_checks

## cfn-lint and checkov on deploy/ (checkov lives in its own hash-locked venv, .venv-tools)
lint-deploy: setup
	scripts/lint-deploy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## benchmarks print wall time, rows/s and peak memory (BENCH=generate|spark|charts|dag|compare|dashboard|rehearsal|run|years|all)
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
