# SPDX-License-Identifier: Apache-2.0
# The two commands of the README. Each bootstraps .venv; a second run reinstalls nothing unless
# pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint demo clean compiled test-compiled

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres]'
	@touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest --cov --cov-branch --cov-report=term

demo: $(STAMP)
	$(BIN)/rightparty demo

clean:
	rm -rf $(VENV) .venv-compiled .mypy_cache .ruff_cache .pytest_cache .hypothesis .coverage

# The optional compiled build (docs/adr/0007): a separate venv with rightparty installed from a
# wheel whose policy modules mypyc compiled in a temporary directory, never beside the sources.
# Rebuilt when anything the wheel holds, or how it is built, changes; .venv stays pure.
COMPILED_VENV := .venv-compiled
COMPILED_BIN := $(COMPILED_VENV)/bin
COMPILED_STAMP := $(COMPILED_VENV)/.installed
PACKAGE_FILES := $(shell find src -name __pycache__ -prune -o -type f -print)
POLICY_TESTS := tests/unit/policy tests/unit/orchestration/test_facts_agree.py \
	tests/e2e/test_cli_policy.py

$(COMPILED_STAMP): pyproject.toml tools/compiled_policy.py $(PACKAGE_FILES)
	@test -x $(COMPILED_BIN)/python || $(PYTHON) -m venv $(COMPILED_VENV)
	$(COMPILED_BIN)/python -m pip install --quiet --upgrade pip
	$(COMPILED_BIN)/python -m pip install --quiet 'hatchling>=1.25' 'mypy>=2.4,<3' \
		'setuptools>=65,<81'
	HATCH_BUILD_HOOK_ENABLE_CUSTOM=true $(COMPILED_BIN)/python -m pip install --quiet \
		--no-build-isolation '.[dev]'
	@touch $(COMPILED_STAMP)

compiled: $(COMPILED_STAMP)

# The policy tests against the compiled build; RIGHTPARTY_EXPECT_COMPILED makes them fail unless
# every policy module was imported from a compiled extension.
test-compiled: $(COMPILED_STAMP)
	RIGHTPARTY_EXPECT_COMPILED=1 $(COMPILED_BIN)/pytest -p no:cacheprovider -q $(POLICY_TESTS)
