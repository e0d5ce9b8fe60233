# TIC Flow — build, run and test.
#
#   make run     install, migrate + deploy + demo data (flask setup), job executor + web server (granian)
#   make test    install, then the whole pytest suite
#   make bench   install, then bench/run_bench.py
#
# Installs are stamped: the venv is reinstalled only when requirements.txt changes, the
# npm packages and app/static/vendor only when package.json / package-lock.json change
# (app/static/vendor also when the bundled sources under app/static/js/modeler or
# app/static/js/form_editor change).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help

PYTHON ?= python3
PORT ?= 5000

VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
PIP_STAMP := $(VENV)/.requirements.stamp
DEV_STAMP := $(VENV)/.requirements-dev.stamp
NPM_STAMP := node_modules/.ticflow-npm.stamp
VENDOR_STAMP := app/static/vendor/.ticflow-vendor.stamp
NPM_FLAGS := --ignore-scripts --no-audit --no-fund --loglevel=error

.PHONY: help install python-deps dev-deps frontend browser run setup test bench clean

help:
	@echo "make run    - install, set up the database and serve on 127.0.0.1:$(PORT)"
	@echo "make test   - install, then run the whole test suite"
	@echo "make bench  - install, then run bench/run_bench.py"
	@echo "make clean  - remove .venv, node_modules and app/static/vendor"

install: python-deps frontend

python-deps: $(PIP_STAMP)

dev-deps: $(DEV_STAMP)

frontend: $(VENDOR_STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(PIP_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check --no-input -q -r requirements.txt
	touch $@

# What only the tests use (requirements-dev.txt), beside what the system runs on.
$(DEV_STAMP): requirements-dev.txt $(PIP_STAMP)
	$(PY) -m pip install --disable-pip-version-check --no-input -q -r requirements-dev.txt
	touch $@

# npm ci needs a lock that matches package.json (it fails loudly otherwise);
# without a lock, npm install writes one.
$(NPM_STAMP): package.json $(wildcard package-lock.json)
	if [ -f package-lock.json ]; then npm ci $(NPM_FLAGS); else npm install $(NPM_FLAGS); fi
	touch $@

# The modeler's and the form editor's sources are bundled by the same step (esbuild from
# package-lock.json).
BUNDLED_SOURCES := $(wildcard app/static/js/modeler/*.js app/static/js/form_editor/*.js)

$(VENDOR_STAMP): $(NPM_STAMP) scripts/install_frontend.py $(BUNDLED_SOURCES) | $(PY)
	$(PY) scripts/install_frontend.py
	touch $@

setup: install
	$(FLASK) --app app setup

run: setup
	PORT=$(PORT) scripts/run.sh

# The browser tests (tests/e2e) drive Debian's Chromium with CJK fonts; never Playwright's
# own browser download. The official documents are laid out in the same fonts, and their
# tests read the PDFs with pdftotext (poppler-utils). As root the packages are installed;
# otherwise make stops and says which to install (the e2e tests fail, not skip, without
# Chromium).
BROWSER_PACKAGES := chromium fonts-noto-cjk poppler-utils

browser:
	if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/pdftotext ] || ! fc-list 2>/dev/null | grep -i 'Noto Sans CJK' >/dev/null; then \
		if [ "$$(id -u)" -eq 0 ]; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(BROWSER_PACKAGES); \
		else \
			echo "make: the browser tests need the Debian packages: $(BROWSER_PACKAGES)" >&2; \
			echo "      run: sudo apt-get install -y $(BROWSER_PACKAGES)" >&2; \
			exit 1; \
		fi; \
	fi

test: install dev-deps browser
	$(PY) -m pytest -q

bench: install
	$(PY) bench/run_bench.py

clean:
	rm -rf $(VENV) node_modules app/static/vendor
