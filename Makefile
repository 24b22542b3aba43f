# Lodestar: `make run` runs the whole pipeline on demo data, `make test` runs the tests.
# Both create .venv and install what they need on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DAGSTER_HOME ?= $(CURDIR)/.dagster_home

# The demo: data from LODESTAR_START_DATE (default 2024-01-01) to DEMO_END at a small scale.
DEMO_END ?= 2026-11-23
DEMO_SCALE ?= 0.02

.PHONY: install run test test-fast dev lint clean bench

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

$(DAGSTER_HOME)/dagster.yaml: dagster_instance.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster_instance.yaml $(DAGSTER_HOME)/dagster.yaml

run: export DAGSTER_HOME := $(DAGSTER_HOME)
run: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/lodestar generate --end $(DEMO_END) --scale $(DEMO_SCALE)
	$(BIN)/lodestar run --end $(DEMO_END); code=$$?; [ $$code -le 2 ] || exit $$code
	$(BIN)/lodestar scorecard
	$(BIN)/lodestar status || true
	$(BIN)/lodestar report

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --durations=25

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not e2e" -n 2 --dist loadgroup

dev: export DAGSTER_HOME := $(DAGSTER_HOME)
dev: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml

lint: $(STAMP)
	$(BIN)/ruff check pipelines lodestar_demo tests benchmarks
	$(BIN)/ruff format --check pipelines lodestar_demo tests benchmarks

# Backfill and daily run at SF0.1 and SF1 against a plain DuckDB script; writes docs/benchmarks.md.
# Landing files are cached under data/bench/landing/ (SF1: about 650 MB, 7 minutes to generate).
# BENCH_ENGINES="duckdb" leaves out the Spark column (docs/spark.md).
BENCH_SCALES ?= 0.1 1
BENCH_ENGINES ?= duckdb spark
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py --scales $(BENCH_SCALES) --engines $(BENCH_ENGINES)

clean:
	rm -rf data dbt_project/target dbt_project/logs .dagster_home

# dbt docs and Great Expectations data docs of the working warehouse into <published>/docs/ (offline)
.PHONY: docs
docs: $(STAMP)
	$(BIN)/python -m pipelines.bi.docs
