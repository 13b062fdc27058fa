# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: vendor install demo test test-sqlite test-postgres soak lint bench clean browser jekyll screenshots

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# Compiled to bytecode once, at install: where PYTHONDONTWRITEBYTECODE is set (as on our CI
# machines) every process would otherwise compile Django, SciPy and the rest from source at
# each start (seconds per command, per test run, per bench step).
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	$(BIN)/python -m compileall -q -j 0 convener
	mkdir -p var
	touch $@

# Front-end packages from npm, copied into place at build time (nothing from a CDN).
var/vendor/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p var/vendor
	cp node_modules/axe-core/axe.min.js $@

# The pages' small scripts: pan and zoom of the org chart, the accessible person picker.
# Served from var/vendor/static (a STATICFILES_DIRS entry), never from a CDN. Without npm
# the pages still work (both are progressive enhancements), so only a warning.
VENDOR_STATIC := var/vendor/static/vendor
VENDOR_FILES := $(VENDOR_STATIC)/panzoom.min.js $(VENDOR_STATIC)/accessible-autocomplete.min.js \
	$(VENDOR_STATIC)/accessible-autocomplete.min.css $(VENDOR_STATIC)/accessible-autocomplete.min.js.map \
	$(VENDOR_STATIC)/accessible-autocomplete.min.css.map
vendor:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(VENDOR_FILES); \
	else echo "npm is missing: chart zoom and the person picker's suggestions are off"; fi
$(VENDOR_FILES) &: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR_STATIC)
	cp node_modules/@panzoom/panzoom/dist/panzoom.min.js $(VENDOR_STATIC)/
	cp node_modules/@panzoom/panzoom/MIT-License.txt $(VENDOR_STATIC)/panzoom.LICENSE
	cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js $(VENDOR_STATIC)/
	cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.css $(VENDOR_STATIC)/
	# the source maps the two files name: collectstatic's manifest refuses a missing one
	cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.*.map $(VENDOR_STATIC)/
	cp node_modules/accessible-autocomplete/LICENSE.txt $(VENDOR_STATIC)/accessible-autocomplete.LICENSE

# The end-to-end tests drive Debian's Chromium; install it when we may.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium is missing: the browser tests will be skipped (apt-get install chromium)"; fi; \
	fi

# The publication tests build a real Jekyll site with Debian's jekyll (the fixture site uses
# the jekyll-feed plugin, as many collaboration sites do).
jekyll:
	@if ! command -v jekyll >/dev/null || ! ruby -e 'require "jekyll-feed"' 2>/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq jekyll ruby-jekyll-feed >/dev/null; \
	  else echo "jekyll or ruby-jekyll-feed is missing: the Jekyll build tests will be skipped (apt-get install jekyll ruby-jekyll-feed)"; fi; \
	fi

install: $(VENV)/.synced vendor

demo: install
	CONVENER_DEBUG=1 $(BIN)/convener demo

# The suite runs on SQLite, then on PostgreSQL when CONVENER_TEST_DATABASE_URL is set.
test: install lint browser jekyll var/vendor/axe.min.js
	$(MAKE) test-sqlite
	@if [ -n "$$CONVENER_TEST_DATABASE_URL" ]; then $(MAKE) test-postgres; \
	else echo "CONVENER_TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

test-sqlite: install
	CONVENER_DEBUG=1 CONVENER_DATABASE_URL=sqlite:///var/test.sqlite3 $(BIN)/convener makemigrations --check --dry-run
	CONVENER_DATABASE_URL=sqlite:///var/test.sqlite3 $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install
	CONVENER_DATABASE_URL=$$CONVENER_TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

# A long run of the random sequences of tests/test_random_sequences.py (issue 13): 400
# sequences of up to 80 steps (SEQUENCES_EXAMPLES=n for another count) on SQLite, then on
# PostgreSQL when CONVENER_TEST_DATABASE_URL is set. The normal suite runs 15 of 30 steps.
soak: install
	SOAK=1 CONVENER_DATABASE_URL=sqlite:///var/test.sqlite3 $(BIN)/pytest -q -s tests/test_random_sequences.py
	@if [ -n "$$CONVENER_TEST_DATABASE_URL" ]; then \
	  SOAK=1 CONVENER_DATABASE_URL=$$CONVENER_TEST_DATABASE_URL $(BIN)/pytest -q -s tests/test_random_sequences.py; \
	else echo "CONVENER_TEST_DATABASE_URL not set: PostgreSQL soak skipped"; fi

lint: install
	$(BIN)/ruff check convener tests bench docs
	$(BIN)/ruff format --check convener tests bench docs

bench: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } || true
	$(BIN)/python bench/run.py

# The README's pictures of the main pages, from the demo in Debian's Chromium.
screenshots: install browser jekyll var/vendor/axe.min.js
	$(BIN)/python docs/screenshots.py
	CONVENER_DATABASE_URL=sqlite:///var/test.sqlite3 $(BIN)/pytest -q tests/browser/test_jekyll_site.py
	cp var/screenshots/jekyll/organization-1280-top.png docs/screenshots/jekyll-chart.png

clean:
	rm -rf $(VENV) $(TOOLS) var node_modules
