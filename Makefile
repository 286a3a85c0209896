# ingrammicro.marketplace - development commands. Run `make help`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
COMPAT_VENV := .venv-compat
BIN := $(CURDIR)/$(VENV)/bin
COMPAT_BIN := $(CURDIR)/$(COMPAT_VENV)/bin
COLLECTION_LINK := .collections/ansible_collections/ingrammicro/marketplace
BUILD_DIR := .build
PORT ?= 8080
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
TARBALL := $(BUILD_DIR)/ingrammicro-marketplace-$(VERSION).tar.gz
INSTALLED := $(BUILD_DIR)/installed/ansible_collections/ingrammicro/marketplace

# Quiet, offline-friendly tools.
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_NOCOLOR := 1
export PATH := $(BIN):$(PATH)

.PHONY: help setup simulator demo test bench bench-scale changelog-lint units integration compat lint build sanity sanity-oldest java \
	docs docs-lint galaxy-import clean browser maillint

help:
	@echo "make setup               create .venv with every tool and make the collection resolvable from this checkout"
	@echo "make demo                start the API simulator, run the example playbooks against it, show the result"
	@echo "make test                every check: changelog, docs, unit, simulator, integration, ansible-lint, build, sanity"
	@echo "                         (2.16 and 2.19), galaxy-importer"
	@echo "make docs                the documentation site (antsibull-docs) in .build/docsite/build/html"
	@echo "make compat              the roles, playbooks, inventory and main modules on the oldest supported ansible-core"
	@echo "make simulator PORT=8080 run the Marketplace API simulator in the foreground"
	@echo "make bench               the licence-adjustment benchmark against a hand-written uri playbook (not in make test)"
	@echo "make bench-scale         time and memory of a licence plan at 1,000 / 20,000 / 100,000 lines (not in make test)"

setup: $(VENV)/.installed $(VENV)/.linked $(COLLECTION_LINK)

$(VENV)/.installed: requirements.txt test-requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.txt -r test-requirements.txt
	$(BIN)/python tools/install_get_pip.py
	touch $@

# The checkout is also a collection of the environment's own Python (site-packages/ansible_collections), so that the
# environment's ansible-playbook finds it from any directory: ansible-rulebook runs a rulebook's playbooks in a
# temporary project directory, where this checkout's ansible.cfg is not read.
$(VENV)/.linked: $(VENV)/.installed
	site="$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" && \
		mkdir -p "$$site/ansible_collections/ingrammicro" && ln -sfn $(CURDIR) "$$site/ansible_collections/ingrammicro/marketplace"
	touch $@

$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn ../../.. $@

simulator: setup
	$(BIN)/python -m tests.simulator --port $(PORT)

demo: setup
	$(BIN)/python tools/demo.py

bench: setup
	$(BIN)/python tests/perf/bench.py

# A distributor-sized account: time, requests and memory of adjust_licenses --check at 1,000 / 20,000 / 100,000 lines
# (about 20 minutes at 50 ms latency; LINES=1000,20000 LATENCY_MS=0 for a quick look at memory).
LINES ?= 1000,20000,100000
LATENCY_MS ?= 50
bench-scale: setup
	$(BIN)/python tests/perf/scale.py --lines $(LINES) --latency-ms $(LATENCY_MS)

# Stages joined by "+" run at the same time: the integration tests, the longest, beside every other check one after
# another (the integration tests often wait on the simulator and on orders; the other checks use the cores meanwhile).
TEST_STAGES := integration+changelog-lint,units,lint,build,sanity,sanity-oldest,docs-lint,docs,galaxy-import,compat

test: setup $(COMPAT_VENV)/.installed browser java maillint
	$(BIN)/python tools/stages.py $(TEST_STAGES)
	@echo "make test: all checks passed"

changelog-lint: setup
	$(BIN)/antsibull-changelog lint

units: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2 tests/unit tests/simulator tests/conformance

# Debian's Chromium, for the layout test of the HTML report (tests/integration/test_report_layout.py).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# The caniemail linter of the mails' HTML bodies (tests/integration/test_mail_bodies.py): the npm packages locked in
# tests/maillint, installed with node's npm into .cache/maillint, outside the files built into the collection's tarball.
MAILLINT := .cache/maillint
maillint: $(MAILLINT)/node_modules/.installed

$(MAILLINT)/node_modules/.installed: tests/maillint/package.json tests/maillint/package-lock.json
	@command -v npm >/dev/null || { echo "make maillint: node and npm are needed (apt-get install nodejs npm)"; exit 1; }
	mkdir -p $(MAILLINT)
	cp tests/maillint/package.json tests/maillint/package-lock.json $(MAILLINT)/
	cd $(MAILLINT) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# ansible-rulebook (the event source's tests) runs on a Java 17 runtime.
java:
	@java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])' || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }

integration: setup browser java maillint
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 3 --dist worksteal --durations 15 tests/integration

# The same tests, through the ansible-core 2.16 of a second virtual environment (its templating is not native, and
# its messages are worded differently): the roles and playbooks (which run every module they compose on 2.16, im_licenses
# among them), mail, the inventory plugin, and the target of im_subscription, the seat-changing module no role runs.
compat: setup $(COMPAT_VENV)/.installed
	$(CURDIR)/$(COMPAT_VENV)/bin/python -m pytest -q -p no:cacheprovider -n 2 tests/integration/test_roles_playbooks.py tests/integration/test_mail.py \
		tests/integration/test_awx.py::test_inventory_hosts_hostvars_groups \
		tests/integration/test_awx.py::test_inventory_filters_pages_and_cache \
		"tests/integration/test_targets.py::test_target[im_subscription]"

$(COMPAT_VENV)/.installed: requirements.txt tests/compat-requirements.txt
	$(PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_VENV)/bin/pip install -q -r requirements.txt -r tests/compat-requirements.txt
	touch $@

lint: setup
	$(BIN)/ansible-lint --profile production --offline

# Build the collection as it ships, install the tarball, and check that ansible-doc renders every module from it. Built
# once for sanity, sanity-oldest, docs-lint and docs: again only when a file of the checkout has changed.
SHIPPED := $(wildcard $(shell git ls-files --cached --others --exclude-standard 2>/dev/null))

build: setup $(BUILD_DIR)/.built

$(BUILD_DIR)/.built: $(VENV)/.installed $(SHIPPED)
	rm -rf $(BUILD_DIR)
	$(BIN)/ansible-galaxy collection build --output-path $(BUILD_DIR) .
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(BUILD_DIR)/installed $(BIN)/ansible-galaxy collection install --force --offline \
		-p $(BUILD_DIR)/installed $(TARBALL)
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(BUILD_DIR)/installed $(BIN)/python tools/check_installed.py
	touch $@

# ansible-test needs the collection under a real ansible_collections/<namespace>/<name> path (no symlinks):
# run it on the installed tarball, which is also exactly what users get. The `git init` stops ansible-test
# from taking this checkout's git repository (where .build is ignored) as the list of files to test.
sanity: build
	cd $(INSTALLED) && git init -q && echo /tests/output/ > .git/info/exclude && \
		$(BIN)/ansible-test sanity --venv --python 3.11 --color no

# The same with the oldest supported ansible-core (meta/runtime.yml; Automation Platform 2.4 and 2.5 ship it).
sanity-oldest: build $(COMPAT_VENV)/.installed
	$(COMPAT_BIN)/python tools/install_get_pip.py
	cd $(INSTALLED) && git init -q && echo /tests/output/ > .git/info/exclude && \
		$(COMPAT_BIN)/ansible-test sanity --venv --python 3.11 --color no

# The guides' pages are generated from their Markdown (kept in the repository, checked to be current); the plugin and
# role pages come from the installed tarball. Offline, warnings are errors.
docs: setup
	$(BIN)/python tools/docsite.py extra-docs
	$(MAKE) --no-print-directory build
	$(BIN)/python tools/docsite.py build $(BUILD_DIR)/installed $(BUILD_DIR)/docsite

docs-lint: build
	$(BIN)/python tools/docsite.py extra-docs --check
	cd $(INSTALLED) && ANSIBLE_CONFIG= ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/$(BUILD_DIR)/installed \
		$(BIN)/antsibull-docs lint-collection-docs --plugin-docs .

# What Galaxy and Automation Hub run on an upload, with the certification settings.
galaxy-import: build
	$(BIN)/python tools/galaxy_import.py $(TARBALL)

clean:
	rm -rf $(BUILD_DIR) .collections $(VENV) $(COMPAT_VENV) tests/output .pytest_cache .build-logs $(MAILLINT)
