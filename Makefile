# The two commands of the README:
#   make site   set up and build the site from seeds/ into site/
#   make test   set up (Debian's chromium and axe-core from npm included) and run every test
#   make test-fast  the fast tier only (no browser, nothing marked slow): under a minute
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: site test test-fast setup chromium check clean node

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

setup: $(VENV)/.installed

site: setup
	$(PY) build.py

check: setup
	$(PY) build.py check

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

node: node_modules/.installed

test: setup chromium node
	$(PY) -m pytest

test-fast: setup
	$(PY) -m pytest -m "not browser and not slow"

clean:
	rm -rf site dist .pytest_cache test-artifacts
