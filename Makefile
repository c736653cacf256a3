# writ: two commands.  `make demo` serves the demo;  `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export WRIT_HOME ?= $(CURDIR)/var/demo

.PHONY: demo test install lint typecheck pytest bench clean web chromium pango browser screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,spark,bench]'
	touch $(STAMP)

install: $(STAMP)

# The web pages' assets: USWDS 3 (and cytoscape.js) from npm, copied into the static folder;
# axe-core for the browser tests. node_modules and the copies are never committed.
WEB_STAMP := src/writ/web/static/uswds/.built
$(WEB_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	touch $(WEB_STAMP)

web: $(WEB_STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; no browser is downloaded).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "installing Debian's chromium with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

# Pango for WeasyPrint, which renders the report of investigation as a tagged PDF.
pango:
	@if ! ldconfig -p | grep -q libpangoft2-1.0; then \
	  echo "installing Debian's Pango with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    libpango-1.0-0 libpangoft2-1.0-0; \
	fi

browser: web chromium pango

# Screenshots of the main pages into docs/screenshots/ (from the browser tests' pages).
screenshots: install browser
	WRIT_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/pytest -q tests/browser/test_screenshots.py

demo: install web pango
	$(BIN)/writ init --demo
	$(BIN)/writ demo load
	@echo "Open http://127.0.0.1:$${WRIT_PORT:-8000}/ and sign in as one of the demo users above;"
	@echo "the sign-in page shows each demo user's current one-time code (synthetic demo only)."
	$(BIN)/writ serve

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

pytest: install browser
	$(BIN)/pytest -q

test: lint typecheck pytest

# The linkage benchmark (bench/linkage.py): FEBRL4 and both parts of the hard multi-source set,
# writ against textbook and tuned Splink, in one run (about ten minutes on two cores).
bench: install
	$(BIN)/python bench/linkage.py

clean:
	rm -rf $(VENV) var build src/*.egg-info
