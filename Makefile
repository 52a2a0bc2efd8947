# The interface of the project: `make run` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install run test lint format dev bench docs clean test-spark

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

install: $(VENV)/.installed  ## create .venv and install the project with its dev tools

$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	cp orchestration/dagster.yaml $@

run: install $(DAGSTER_HOME)/dagster.yaml  ## demo: sample exports -> DuckDB, every asset materialised
	OMNI_DEMO=1 $(BIN)/python -m orchestration.cli run

# pytest-xdist: one test process per core (at most 4), each test file whole on one of them (its
# module fixtures built once). On 2 cores the suite took 412.6 s against 710.2 s in one process.
PYTEST_WORKERS ?= auto

test: install lint  ## every test: ruff, sqlfluff, pytest (real DuckDB, Dagster, GE, dbt build)
	OMNI_PII_SALT=test-salt $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --maxprocesses 4 \
		--dist loadfile --durations=15

SPARK_VENV := .venv-spark

# pyspark lives in its own venv: importing great_expectations where pyspark 4 is installed ends
# the interpreter silently, so .venv (Dagster, GE) never gets it.
$(SPARK_VENV)/.installed: requirements-spark.txt
	@test -x $(SPARK_VENV)/bin/python || $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install -q --upgrade pip
	$(SPARK_VENV)/bin/python -m pip install -q -r requirements-spark.txt
	@touch $@

test-spark: install $(SPARK_VENV)/.installed  ## the sample on DuckDB and on local Spark (dbt-spark session); marts compared
	@command -v java >/dev/null || { echo "test-spark needs Java 17+ (apt-get install openjdk-17-jre-headless)"; exit 1; }
	OMNI_PII_SALT=test-salt OMNI_SPARK_PYTHON=$(CURDIR)/$(SPARK_VENV)/bin/python \
		$(BIN)/python -m pytest tests/spark -p no:cacheprovider -rA

lint: install  ## ruff and sqlfluff
	$(BIN)/ruff check orchestration tests bench
	$(BIN)/ruff format --check orchestration tests bench
	@mkdir -p target  # the dbt templater opens a DuckDB file: give it a throwaway one
	OMNI_PII_SALT=lint-salt OMNI_WAREHOUSE=target/lint.duckdb $(BIN)/sqlfluff lint models macros tests/dbt

format: install  ## apply ruff format and sqlfluff fix
	$(BIN)/ruff format orchestration tests bench
	@mkdir -p target
	OMNI_PII_SALT=lint-salt OMNI_WAREHOUSE=target/lint.duckdb $(BIN)/sqlfluff fix models macros tests/dbt

dev: install $(DAGSTER_HOME)/dagster.yaml  ## open the Dagster UI on http://127.0.0.1:3000
	OMNI_DEMO=1 $(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

BENCH_CUSTOMERS ?= 100000
# Stage benchmark sizes: 10k (3 runs) and 100k (1 run); BENCH_1M=1 adds 1M customers (1 run).
ifeq ($(BENCH_1M),1)
BENCH_SCALE_ARGS ?= --sizes 10000,100000,1000000 --repeats 3,1,1
else
BENCH_SCALE_ARGS ?= --sizes 10000,100000 --repeats 3,1
endif
bench: install  ## benchmarks: landing, identity, attribution, and every stage from 10k customers up (BENCH_1M=1 adds 1M) with the daily incremental run (bench/results/)
	$(BIN)/python bench/landing_bench.py --customers $(BENCH_CUSTOMERS)
	@for script in bench/identity_bench.py bench/attribution_bench.py; do \
		if [ -f $$script ]; then echo "== $$script"; $(BIN)/python $$script || exit 1; fi; \
	done
	OMNI_PII_SALT=$${OMNI_PII_SALT:-bench-salt} $(BIN)/python bench/scale_bench.py $(BENCH_SCALE_ARGS)

clean:  ## remove generated data, dbt target and the Dagster home (keeps .venv)
	rm -rf data target logs $(DAGSTER_HOME)
