# The two commands of the README:
#   make demo   build the virtualenv, start the emulator, run playbooks/demo.yml against it, stop it
#   make test   build the virtualenv, run every test (lint, sanity, unit + emulator, integration)
# Everything installs itself into .venv from requirements.txt and test-requirements.txt.

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
COLLECTIONS := $(CURDIR)/build/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/azure_iot/jobs
# Playbooks find this checkout as the azure_iot.jobs collection and run modules with the virtualenv's Python.
ANSIBLE_ENV := ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) ANSIBLE_PYTHON_INTERPRETER=$(BIN)/python PATH=$(BIN):$(PATH)

.PHONY: all venv demo test test-matrix lint ruff ansible-lint changelog-lint sanity unit integration package bench clean

all: test

$(STAMP): requirements.txt test-requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r test-requirements.txt
	touch $(STAMP)

# build/collections/ansible_collections/azure_iot/jobs links back to this checkout.
venv: $(STAMP)
	@mkdir -p $(COLLECTIONS)/ansible_collections/azure_iot
	@[ -L $(COLLECTION_LINK) ] || { rm -rf $(COLLECTION_LINK); ln -s $(CURDIR) $(COLLECTION_LINK); }

demo: venv
	$(ANSIBLE_ENV) $(BIN)/python -m emulator.run_with --state-dir $(CURDIR)/build/demo-emulator --devices 1000 \
	  --seed 42 --tier S1 --time-scale 20 -- $(BIN)/ansible-playbook playbooks/demo.yml

test: lint unit sanity integration package
	@echo "All test stages passed."

lint: ruff changelog-lint ansible-lint

ruff: venv
	$(BIN)/ruff check .

changelog-lint: venv
	$(BIN)/antsibull-changelog lint

ansible-lint: venv
	$(ANSIBLE_ENV) $(BIN)/ansible-lint --offline playbooks roles tests/integration/targets

sanity: venv
	tests/utils/sanity.sh

# pytest exits 5 when it collects no test: that fails this target like any other failure.
unit: venv
	$(BIN)/pytest

integration: venv
	tests/utils/integration.sh

# The version matrix (noxfile.py): unit and integration tests on ansible-core 2.17, 2.18, 2.19 (Python 3.11) and 2.20,
# 2.21 (Python 3.12, through pyenv where it is installed that way), sanity on 2.17 and 2.21, then the version x stage
# table of this run (build/matrix/matrix.md). One cell: .venv/bin/nox -s "tests(2.17)"; NOX_ARGS="-R" reuses the
# cells' virtualenvs without reinstalling.
test-matrix: venv
	rm -rf build/matrix
	$(BIN)/nox --no-color $(NOX_ARGS)

# Build the collection tarball, check its contents, install it into a clean virtualenv and run modules from it,
# make an execution-environment context with ansible-builder, lint and render the docs with antsibull-docs.
package: venv
	tests/utils/package_check.sh

# Every benchmark against one emulator, side by side; a table of ratios (docs/performance.md has one run's figures).
bench: venv
	$(ANSIBLE_ENV) $(BIN)/python -m bench

clean:
	rm -rf build tests/output .pytest_cache .ruff_cache
