# `make demo` and `make test` work on a fresh machine: both run the idempotent `make setup`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
AXE    := vendor/node_modules/axe-core/axe.min.js
AXE_VERSION := 4.14.1

.PHONY: setup ace system-deps demo test test-fast lint format bench clean

setup: system-deps $(STAMP) $(AXE)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The pinned axe-core from the npm registry, for the browser stage (never committed); the
# same version as audits/core/userdata.py's AXE_VERSION. Without npm, `siteaudit setup`
# fetches it into the user's data folder instead (and checks its sha512).
$(AXE):
	@if command -v npm >/dev/null; then \
		npm install --silent --no-audit --no-fund --prefix vendor axe-core@$(AXE_VERSION); \
	else $(VENV)/bin/siteaudit setup || true; fi

# IBM's Equal Access engine, pinned, for benchmarks/second_engine.py only: evaluated as a
# second engine and not adopted (docs/accessibility.md), so neither `setup` nor the audit
# needs it.
ACE := vendor/node_modules/accessibility-checker-engine/ace.js
ace: $(ACE)
$(ACE):
	npm install --silent --no-audit --no-fund --prefix vendor accessibility-checker-engine@4.0.34

# Headless Chromium, chromedriver and redis-server (for shared crawls and their tests),
# and Enchant with hunspell's British English dictionary (for the misspelling rule),
# from Debian's packages, where we may (root and apt);
# elsewhere a note, and the audits run without the browser stage and spelling check.
system-deps:
	@missing=""; \
	for pair in chromium:chromium chromedriver:chromium-driver redis-server:redis-server; do \
		command -v $${pair%%:*} >/dev/null || missing="$$missing $${pair##*:}"; done; \
	for pair in /usr/share/hunspell/en_GB.dic:hunspell-en-gb libenchant-2.so.2:libenchant-2-2; do \
		ls $${pair%%:*} /usr/lib/*/$${pair%%:*} 2>/dev/null | grep -q . || missing="$$missing $${pair##*:}"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "Not installed:$$missing (install them with your package manager)"; fi

demo: setup
	$(VENV)/bin/siteaudit demo

test: setup
	$(VENV)/bin/pytest -q -n 2 --dist loadfile

# The loop to run while working: all but crawls in subprocesses and Chromium (`slow`).
test-fast: setup
	$(VENV)/bin/pytest -q -n 2 -m "not slow"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# siteaudit (every static rule, and links only) beside linkinator, in one pass of
# ../shared/bench: pages/s, CPU ms per page, peak memory. `make bench PAGES=2000` is quicker;
# BENCH_ARGS="--port 8195 --ext-port 8196" serves the site on ports of your own.
PAGES ?= 10000
BENCH_ARGS ?=
bench: setup
	$(PY) benchmarks/side_by_side.py --pages $(PAGES) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) vendor siteaudit-report siteaudit-demo .pytest_cache .ruff_cache
