# airflow_ops.metastore — developer entry points. `make help` lists them.
SHELL := /bin/bash
# One shell per recipe, stopping at the first failing line: without -e, .ONESHELL would report only the
# last line's status (a failing lint inside `make test` would pass unnoticed).
.ONESHELL:
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.build/collections
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PY_COLORS := 0
export ANSIBLE_FORCE_COLOR := 0
# Airflow venvs of the tests (tests/support/airflow_env.py), kept across clones when run as root (CI).
export AIRFLOW_OPS_CACHE ?= $(if $(filter 0,$(shell id -u)),/var/cache/airflow-ops,$(CURDIR)/.cache)

.PHONY: help deps venv collection-link test-hosts lint ruff ansible-lint sanity pytest unit integration e2e \
        molecule test test-quick build install-check demo changelog clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

deps: ## install the Debian packages the tests need (PostgreSQL, HAProxy, podman, ...)
	bash scripts/install-host-deps.sh

venv: $(VENV)/.installed ## create the project venv from requirements-dev.txt
$(VENV)/.installed: requirements-dev.txt
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

collection-link: venv ## expose this checkout as airflow_ops.metastore under .build/collections
	$(BIN)/python -c 'import sys; sys.path.insert(0, "."); from tests.support.collection import ensure_collection_importable as e; e()'

test-hosts: deps ## prepare podman and build the Debian 12 systemd test-host image
	bash scripts/prepare-test-hosts.sh

ruff: venv
	ruff check .
	ruff format --check .

ansible-lint: collection-link
	ansible-lint --profile production --strict

.PHONY: docs-check
docs-check: venv ## each role README's variables table is what its meta/argument_specs.yml says
	$(BIN)/python scripts/role_docs.py --check

lint: ruff ansible-lint docs-check ## ruff + ansible-lint (production profile) + docs-check

sanity: venv ## ansible-test sanity on a copy under ansible_collections/airflow_ops/metastore
	bash scripts/sanity.sh

pytest: deps collection-link ## unit + integration tests (starts its own PostgreSQL on loopback)
	pytest tests

unit: collection-link ## unit tests only
	pytest tests/unit

integration: deps collection-link ## integration tests only
	pytest tests/integration

molecule: test-hosts collection-link ## every Molecule scenario, full sequence each
	bash scripts/run-molecule.sh

test-quick: lint sanity pytest ## everything but Molecule (for development)

test: deps venv test-hosts ## THE test command: lint, sanity, install-check, pytest, every Molecule scenario
	$(MAKE) lint
	$(MAKE) sanity
	$(MAKE) install-check
	$(MAKE) pytest
	$(MAKE) molecule

e2e: deps venv test-hosts collection-link ## opt-in end-to-end test: site.yml, rollbacks, migration, no-op re-run (~15 min)
	AIRFLOW_OPS_E2E=1 pytest tests/integration/test_playbooks_e2e.py

build: venv ## build the collection tarball into .build/dist
	rm -rf .build/dist && mkdir -p .build/dist
	ansible-galaxy collection build --output-path .build/dist --force

install-check: venv ## build, install into a clean path offline, check ansible-doc lists every module
	bash scripts/install-check.sh

demo: deps venv test-hosts collection-link ## the main job: deploy the stack onto local podman hosts
	bash scripts/demo-deploy.sh

changelog: venv ## fold changelogs/fragments into CHANGELOG.rst
	antsibull-changelog release

clean: ## remove build output (keeps the venv and the test image)
	rm -rf .build tests/output .pytest_cache .ruff_cache
