# The two commands of the README (CONTRIBUTING.md describes every target):
#   make demo   build the virtualenv, start the emulator, run playbooks/demo.yml against it, stop it
#   make test   build the virtualenv, run every test: lint, the emulator's and the AWX runner tests, the version matrix
#               (unit + integration on ansible-core 2.17 to 2.21, sanity on the oldest and newest), package, the
#               emulator's distribution and conformance, docs
# Everything installs itself into .venv from requirements.txt and test-requirements.txt, plus the emulator
# (emulator/pyproject.toml, editable: its console script azure-iot-emulator runs this checkout's code).

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
COLLECTIONS := $(CURDIR)/build/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/azure_iot/jobs
# Playbooks find this checkout as the azure_iot.jobs collection and run modules with the virtualenv's Python.
ANSIBLE_ENV := ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) ANSIBLE_PYTHON_INTERPRETER=$(BIN)/python PATH=$(BIN):$(PATH)

.PHONY: all venv demo test test-matrix lint ruff ansible-lint changelog-lint sanity unit emulator-tests awx integration \
	package emulator-package conformance docs bench clean

all: test

$(STAMP): requirements.txt test-requirements.txt emulator/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -r test-requirements.txt
	$(BIN)/python -m pip install --quiet -e ./emulator
	touch $(STAMP)

# build/collections/ansible_collections/azure_iot/jobs links back to this checkout.
venv: $(STAMP)
	@mkdir -p $(COLLECTIONS)/ansible_collections/azure_iot
	@[ -L $(COLLECTION_LINK) ] || { rm -rf $(COLLECTION_LINK); ln -s $(CURDIR) $(COLLECTION_LINK); }

demo: venv
	$(ANSIBLE_ENV) $(BIN)/azure-iot-emulator --state-dir $(CURDIR)/build/demo-emulator --devices 1000 \
	  --seed 42 --tier S1 --time-scale 20 -- $(BIN)/ansible-playbook playbooks/demo.yml

# The matrix runs the unit, integration and sanity tests on every supported ansible-core; unit, sanity and integration
# below run them once on .venv's ansible-core, for a quick loop while developing.
test: lint emulator-tests awx test-matrix package emulator-package conformance docs
	@echo "All test stages passed."

lint: ruff changelog-lint ansible-lint

ruff: venv
	$(BIN)/ruff check .

changelog-lint: venv
	tests/utils/changelog_check.sh

ansible-lint: venv
	$(ANSIBLE_ENV) $(BIN)/ansible-lint --offline playbooks roles tests/integration/targets

sanity: venv
	tests/utils/sanity.sh

# pytest exits 5 when it collects no test: that fails this target like any other failure.
unit: venv
	$(BIN)/pytest

# The emulator's own tests (contracts, schemas, the official SDK against it): they do not depend on ansible-core.
emulator-tests: venv
	$(BIN)/pytest tests/emulator

# Credentials injected the way AWX / Automation Platform run a job (ansible-runner, a private data directory).
awx: venv
	$(BIN)/pytest tests/awx

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

# The emulator as its own distribution: wheel, clean-virtualenv install, azure-iot-emulator run from anywhere.
emulator-package: venv
	tests/utils/emulator_install_check.sh

# The official clients, unmodified, through the job workflows against the emulator; prints a client x operation
# table (Python SDKs in .venv and a second venv for the other azure-mgmt-iothub major, Node.js with npm ci).
conformance: venv
	$(BIN)/python tests/conformance/run.py

# The HTML docs (build/docs/html): module, role and filter docs and the guides of docs/docsite/rst/, by antsibull-docs
# and Sphinx, as docs.ansible.com renders collections.
docs: venv
	tests/utils/docs.sh

# Every benchmark against one emulator, side by side; a table of ratios (docs/performance.md has one run's figures).
bench: venv
	$(ANSIBLE_ENV) $(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf build tests/output .pytest_cache .ruff_cache .nox
