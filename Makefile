# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
export PYTHONUNBUFFERED := 1

.PHONY: install run test model lint bench clean verify

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,dask,postgres]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the product with its test tools

run: $(STAMP)  ## start the product on its embedded defaults
	$(BIN)/recommender demo

test: $(STAMP)  ## run the whole test suite (chromium for the browser tests; PostgreSQL too when RECOMMENDER_TEST_POSTGRES=1)
	sh tests/e2e/install_browser.sh
	if [ "$${RECOMMENDER_TEST_POSTGRES:-0}" = 1 ]; then \
	    pg_env="$$(sh scripts/start_test_postgres.sh)" || exit 1; eval "$$pg_env"; \
	    trap "sh scripts/start_test_postgres.sh stop" EXIT; \
	fi; \
	$(BIN)/python -m pytest

verify: $(STAMP)  ## reliability suite + a bounded two-worker load test with a promotion (bench/out/verify.json)
	$(BIN)/python bench/verify.py

model: $(STAMP)  ## rebuild the shipped demo model (models/demo-v1, champion)
	$(BIN)/recommender build-demo-model

LINT_PATHS := $(wildcard recommender api training batch cli tests bench)

lint: $(STAMP)  ## ruff (rules and formatting), mypy on the core, the layer contracts (lint-imports)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/train.py

clean:
	rm -rf var/*.db var/demo build *.egg-info
