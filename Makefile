# salesweb: `make run` serves the app, `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HTMX_VERSION := 2.0.11
SORTABLE_VERSION := 1.15.7
PORT ?= 5000

.PHONY: run test bench load plans install dev chromium translations extract-messages vendor clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

$(VENV)/.bench-installed: $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[bench]'
	touch $@

install: $(VENV)/.installed

dev: $(VENV)/.dev-installed chromium

# The compiled catalogue is committed (an install needs no compiling); after editing messages.po, run this and commit
# both (a test checks they agree).
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d salesweb/translations -D messages

# Re-extract the strings to translate and merge them into the catalogue.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -k lazy_ngettext:1,2 -o salesweb/translations/messages.pot .
	$(BIN)/pybabel update -i salesweb/translations/messages.pot -d salesweb/translations -D messages --no-fuzzy-matching

# Browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium fonts-noto-cjk; fi; }

run: install
	$(BIN)/salesweb migrate
	$(BIN)/salesweb demo
	PORT=$(PORT) $(BIN)/salesweb serve

test: dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The cold view (the first view after a write) of every main page and partial on the large and the xl demo data,
# each without and with ANALYZE statistics; the data is built once (instance/bench/, or PostgreSQL databases named
# after DATABASE_URL's) and reused. Prints the tables, writes instance/bench/results-<engine>.json, fails on a missed
# budget. BENCH_ARGS="--scale large --rounds 10" for a quicker run. Not part of `make test`.
bench: install
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

# Every statement of the bench's pages explained, without and with ANALYZE statistics: a large table read whole,
# or a page of a list sorted after reading, is reported (and fails). PLANS_ARGS="--scale xl" for the xl data.
plans: install
	$(BIN)/python bench/plans.py $(PLANS_ARGS)

# A simulated department (Locust, from the bench extra) against `salesweb serve --workers 2` on the same bench
# data: per page p50, p95 and errors, then the most requests per second; writes instance/bench/load-<engine>.json
# and exits non-zero when a budget of SPEC §4 is missed. SQLite, or PostgreSQL when DATABASE_URL names one.
load: $(VENV)/.bench-installed
	$(BIN)/python bench/load.py $(LOAD_ARGS)

# Refresh the vendored JavaScript from the npm registry (committed: a fresh clone needs no npm).
vendor:
	rm -rf .vendor-tmp && mkdir -p .vendor-tmp
	cd .vendor-tmp && npm pack --silent htmx.org@$(HTMX_VERSION) sortablejs@$(SORTABLE_VERSION) >/dev/null
	cd .vendor-tmp && for f in *.tgz; do mkdir -p "$${f%.tgz}" && tar -xzf "$$f" -C "$${f%.tgz}"; done
	cp .vendor-tmp/htmx.org-$(HTMX_VERSION)/package/dist/htmx.min.js static/vendor/htmx.min.js
	cp .vendor-tmp/htmx.org-$(HTMX_VERSION)/package/LICENSE static/vendor/htmx.LICENSE
	cp .vendor-tmp/sortablejs-$(SORTABLE_VERSION)/package/Sortable.min.js static/vendor/Sortable.min.js
	cp .vendor-tmp/sortablejs-$(SORTABLE_VERSION)/package/LICENSE static/vendor/Sortable.LICENSE
	printf 'htmx.org %s\nsortablejs %s\n' $(HTMX_VERSION) $(SORTABLE_VERSION) > static/vendor/VERSIONS
	rm -rf .vendor-tmp

clean:
	rm -rf $(VENV) .pytest_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
