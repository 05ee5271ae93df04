# Thin wrappers over the `crashlab` CLI. Every target sets up its own virtualenv.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=
RESULTS ?= results

.DEFAULT_GOAL := help
.PHONY: help setup lab-3 test test-fast selftest grade bench clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { echo "crashlab needs Python >= 3.10 (found $$($(PYTHON) --version)); install it or run: make PYTHON=python3.11 ..." >&2; exit 2; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv with crashlab and its test tools

lab-3: $(STAMP) ## Run lab 3 (CrashLoopBackOff): kind cluster, five broken pods, quiz, verified fixes
	@$(BIN)/crashlab run lab-3 $(ARGS)

test: $(STAMP) ## Run the whole test suite (starts a private Docker engine when it can)
	@$(BIN)/python -m pytest $(ARGS)

selftest: $(STAMP) ## Prove every scenario on the current cluster (instructors, before a workshop)
	@$(BIN)/crashlab selftest --lab lab-3 $(ARGS)

grade: $(STAMP) ## Class report from a folder of results: make grade RESULTS=dir
	@$(BIN)/crashlab grade $(RESULTS) $(ARGS)

bench: $(STAMP) ## Run the benchmarks in bench/
	@$(BIN)/python -m pytest bench -p no:cacheprovider -o addopts="" --benchmark-only $(ARGS)

clean: ## Remove the virtualenv and caches (not your workspace or results)
	rm -rf $(VENV) .pytest_cache .hypothesis .benchmarks build *.egg-info
