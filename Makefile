# The two commands a new user needs (see README):
#   make site   set up .venv, import seeds/ into content/, build public/
#   make test   set up .venv with the test tools, run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: site test bench bench-serve bench-import clean

# pip itself is pinned too: an unpinned upgrade made two machines' venvs differ. (Bump it
# with a pyproject.toml change, which is what makes the venv install again.)
PIP_VERSION := 26.3

# The venv is rebuilt when pyproject.toml changes, so a pin bump reaches every machine.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

site: $(STAMP)
	$(BIN)/sitegen import
	$(BIN)/sitegen build

test: $(TEST_STAMP)
	@echo "make test: running every test, about 5 minutes on 2 cores (browser tests need"
	@echo "/usr/bin/chromium, the HTML checker tests need Java; see README, Two commands)."
	$(BIN)/python -m pytest

# Build benchmark on generated digests (in /dev/shm), search on and off, against Hugo (+ Pagefind's
# CLI) when `hugo` is installed (once per size: ~10 minutes at 10,000); not a test. See README, Performance.
bench: $(STAMP)
	$(BIN)/python bench/run.py --sizes 1000,10000 --runs 5 --peer-runs 1 --links 100000

# Dev server: save → browser reloaded, and → findable in search, on a generated 1,000-article digest; not a test.
bench-serve: $(TEST_STAMP)
	$(BIN)/python bench/serve_latency.py --articles 1000 --runs 7

# Importer on a set of real scraped pages kept outside the project (never in it, never read
# by sitegen or its tests); see README, Importing. IMPORT_PAGES names the set's folder.
IMPORT_PAGES ?= $(abspath ..)/shared/import-pages
bench-import: $(STAMP)
	@if [ -x "$(IMPORT_PAGES)/score_all.sh" ]; then \
		bash "$(IMPORT_PAGES)/score_all.sh" $(BIN)/sitegen; \
	else \
		echo "bench-import: no scoring set at $(IMPORT_PAGES) (IMPORT_PAGES=DIR); nothing to score"; \
	fi

clean:
	rm -rf public .sitegen-cache test-artifacts
