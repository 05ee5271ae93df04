# Thin wrappers over the `crashlab` CLI. Every target sets up its own virtualenv.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
ARGS   ?=
KIT    ?=
# KIT=X.tar (the kit as one file) is unpacked by kit-check into X beside it; pip and
# `cluster up --kit` then use that folder.
KIT_DIR = $(patsubst %.tar,%,$(KIT))
RESULTS ?= results

.DEFAULT_GOAL := help
.PHONY: help setup lab-3 lab-3-plus kit-check test selftest grade bench clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { echo "crashlab needs Python >= 3.10 (found $$($(PYTHON) --version)); install it, or run: make PYTHON=python3.11 ..." >&2; exit 2; }
	@$(PYTHON) -m venv $(VENV) || { echo "could not create $(VENV): install Python's venv module (Debian/Ubuntu: apt install python3-venv)" >&2; exit 2; }
	$(if $(KIT),,@$(BIN)/python -m pip install --quiet --upgrade pip)

# Strict editable mode links the package files into build/ instead of installing an import
# hook, which costs ~45 ms on every start; it must be redone when a file is added or removed,
# hence the dependency on the package's folders (their mtime changes then).
PACKAGE_DIRS := $(shell find runner -type d -not -name __pycache__ 2>/dev/null)
# KIT=DIR: install from the kit's wheels only, never from an index.
INSTALL := $(BIN)/python -m pip install --quiet --config-settings editable_mode=strict $(if $(KIT),--no-index --find-links "$(KIT_DIR)/wheels")

$(STAMP): pyproject.toml $(PACKAGE_DIRS) | $(VENV)/bin/python
	@echo "Installing crashlab into $(VENV) ..."
	@$(INSTALL) -e . > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log >&2; echo "pip install failed (log above, also in $(VENV)/install.log)" >&2; exit 2; }
	@touch $(STAMP)

$(TEST_STAMP): pyproject.toml $(PACKAGE_DIRS) | $(VENV)/bin/python
	@echo "Installing crashlab and its test tools into $(VENV) ..."
	@$(INSTALL) -e '.[test]' > $(VENV)/install.log 2>&1 || { cat $(VENV)/install.log >&2; echo "pip install failed (log above, also in $(VENV)/install.log)" >&2; exit 2; }
	@touch $(STAMP) $(TEST_STAMP)

setup: $(TEST_STAMP) ## Create .venv with crashlab and its test tools

# KIT=DIR or KIT=X.tar (a classroom kit, `crashlab workshop kit`): unpack a .tar, check it
# (standard library only, before anything is installed), install the Python packages from
# it, load its images and tools, create the cluster from them, then run the lab without
# building the image. lab-3-plus takes KIT= the same way.
RUN_LAB = @$(if $(KIT),$(BIN)/crashlab cluster up --kit "$(KIT_DIR)" && )$(BIN)/crashlab run $(1) $(if $(KIT),--no-build )$(ARGS)

lab-3: $(if $(KIT),kit-check) $(STAMP) ## Run lab 3 (CrashLoopBackOff): kind cluster (kind/kubectl fetched if missing; KIT=DIR: all from a classroom kit), five broken pods, quiz, verified fixes
	$(call RUN_LAB,lab-3)

kit-check:
	@PYTHONPATH=. $(PYTHON) -B -m runner.kit.check $(if $(wildcard $(STAMP)),,--wheels) "$(KIT)"

lab-3-plus: $(if $(KIT),kit-check) $(STAMP) ## Run lab 3 plus: seven more broken (or only seemingly broken) pods, same loop (KIT= as for lab-3)
	$(call RUN_LAB,lab-3-plus)

test: $(TEST_STAMP) ## Run the whole test suite (starts a private Docker engine when it can)
	@$(BIN)/python -m pytest $(ARGS)

selftest: $(STAMP) ## Prove every scenario on the current cluster (instructors, before a workshop)
	@$(BIN)/crashlab selftest --lab lab-3 $(ARGS)

grade: $(STAMP) ## Class report from a folder of results: make grade RESULTS=dir
	@$(BIN)/crashlab grade $(RESULTS) $(ARGS)

bench: $(TEST_STAMP) ## Run the benchmarks in bench/
	@$(BIN)/python -m pytest bench -p no:cacheprovider -o addopts="" --benchmark-only $(ARGS)

clean: ## Remove the virtualenv and caches (not your workspace or results)
	rm -rf $(VENV) .pytest_cache .hypothesis .benchmarks build *.egg-info
