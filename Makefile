# The two commands a new user needs (see README):
#   make site   set up .venv, import seeds/ into content/, build public/
#   make test   set up .venv with the test tools, run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: site test bench bench-serve clean

# The venv is rebuilt when pyproject.toml changes, so a pin bump reaches every machine.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

site: $(STAMP)
	$(BIN)/sitegen import
	$(BIN)/sitegen build

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

# Build benchmark on generated digests (in /dev/shm), search on and off; not a test. See README, Performance.
bench: $(STAMP)
	$(BIN)/python bench/run.py --sizes 1000,10000 --runs 5 --links 100000

# Dev server: save → browser reloaded on a generated 1,000-article digest; not a test.
bench-serve: $(TEST_STAMP)
	$(BIN)/python bench/serve_latency.py --articles 1000 --runs 7

clean:
	rm -rf public .sitegen-cache test-artifacts
