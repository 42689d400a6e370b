# Kumo — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
MOTO_PORT ?= 5000
SEARCH_PORT ?= 9200
STATE_DIR ?= .kumo
WORKERS ?= 4
# xdist workers for `make test` (tests/conftest.py says how tests are dealt out); 0 runs them in one process.
TEST_WORKERS ?= 2
LOCALES := ja en
CATALOGS := $(foreach l,$(LOCALES),frontend/locales/$(l)/LC_MESSAGES/messages.mo)
# Browser libraries, pinned in frontend/package-lock.json, served from frontend/static/vendor/.
VENDOR := frontend/static/vendor
VENDOR_FILES := $(VENDOR)/uppy.min.js $(VENDOR)/uppy.min.css $(VENDOR)/uppy-ja_JP.min.js $(VENDOR)/sortable.min.js $(VENDOR)/crc32.js
BABEL_KEYWORDS := -k N_ -k _ -k gettext -k KumoError -k BadRequest -k Unauthenticated -k Forbidden \
	-k NotFound -k Conflict -k TooManyRequests -k ServerError -k LinkGone
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export AWS_DEFAULT_REGION ?= ap-northeast-1

.PHONY: routes aws-endpoints run test lint unit integration e2e infra-test synth catalogs vendor extract-messages bench bench-cost bench-surveys bench-notify browser clean sizes

## make run: start the whole platform locally with demo data on http://127.0.0.1:$(PORT)
run: $(STAMP) catalogs vendor
	POWERTOOLS_LOG_LEVEL=$${POWERTOOLS_LOG_LEVEL:-WARNING} $(BIN)/kumo dev --port $(PORT) --moto-port $(MOTO_PORT) --search-port $(SEARCH_PORT) --state-dir $(STATE_DIR) --workers $(WORKERS)

## make test: lint, then every test (unit, integration, e2e in Chromium, infra synth)
test: $(STAMP) catalogs vendor browser lint
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=25 tests --ignore=tests/infra
	$(BIN)/pytest -q -p no:xdist tests/infra

$(STAMP): requirements/*.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

## make routes: write chalicelib/route_table.json after adding or changing a route (a unit test checks it)
routes: $(STAMP)
	KUMO_STAGE=local $(BIN)/python -m chalicelib.blueprints --write

## make aws-endpoints: cut botocore's endpoint data again after upgrading botocore (a unit test checks it)
aws-endpoints: $(STAMP)
	$(BIN)/python -c "import pathlib, botocore; from chalicelib.core import aws_endpoints; aws_endpoints.write(pathlib.Path(botocore.__file__).parent / 'data' / 'endpoints.json')"

# Debian's chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium is missing: run 'sudo apt-get install chromium' (browser tests will be skipped)"; fi

catalogs: $(STAMP) $(CATALOGS)

# Only the npm registry is needed (npm ci, no install scripts); then plain copies, no bundler.
vendor: $(VENDOR_FILES)

$(VENDOR_FILES): frontend/package.json frontend/package-lock.json
	npm ci --prefix frontend --no-audit --no-fund --ignore-scripts --loglevel=error
	mkdir -p $(VENDOR)
	cp frontend/node_modules/uppy/dist/uppy.min.js frontend/node_modules/uppy/dist/uppy.min.css $(VENDOR)/
	cp frontend/node_modules/@uppy/locales/dist/ja_JP.min.js $(VENDOR)/uppy-ja_JP.min.js
	cp frontend/node_modules/sortablejs/Sortable.min.js $(VENDOR)/sortable.min.js
	cp frontend/node_modules/crc-32/crc32.js $(VENDOR)/crc32.js
	touch $(VENDOR_FILES)

frontend/locales/%/LC_MESSAGES/messages.mo: frontend/locales/%/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile --statistics -d frontend/locales -D messages -l $* 2>&1 | tail -1

## make extract-messages: refresh the catalogs after changing texts
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) -o frontend/locales/messages.pot \
		--no-location --omit-header --sort-output .
	for l in $(LOCALES); do $(BIN)/pybabel update -i frontend/locales/messages.pot -d frontend/locales \
		-D messages -l $$l --no-fuzzy-matching --ignore-obsolete; done

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

unit: $(STAMP) catalogs
	$(BIN)/pytest -q tests/unit
integration: $(STAMP) catalogs
	$(BIN)/pytest -q tests/integration
e2e: $(STAMP) catalogs vendor browser
	$(BIN)/pytest -q tests/e2e
infra-test: $(STAMP)
	$(BIN)/pytest -q tests/infra

## make synth: write the CloudFormation template to build/cdk.out
synth: $(STAMP) catalogs vendor
	$(BIN)/python -m infra.synth build/cdk.out

sizes: $(STAMP) catalogs vendor
	$(BIN)/python -m layers.build --report

## make bench: the benchmarks, each printing its figures (transfer in its quick sizes; BENCH_TRANSFER= for 10M,1G)
BENCH_TRANSFER ?= --quick
bench: $(STAMP) catalogs
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/transfer.py $(BENCH_TRANSFER)
	$(BIN)/python bench/search.py
	$(BIN)/python bench/cost.py
	$(BIN)/python bench/surveys.py

## make bench-cost: a staff day replayed on the local stack, priced for a month (Tokyo list prices)
bench-cost: $(STAMP) catalogs
	$(BIN)/python bench/cost.py

## make bench-notify: 10,000 events fanned out to 5,000 staff beside a bare batch write, and the digest (BENCH_NOTIFY=--quick: 200 events, 500 staff)
BENCH_NOTIFY ?=
bench-notify: $(STAMP) catalogs
	$(BIN)/python bench/notify.py $(BENCH_NOTIFY)

## make bench-surveys: survey exports (200 所属 × 50 table rows) beside XlsxWriter / openpyxl / csv alone
bench-surveys: $(STAMP)
	$(BIN)/python bench/surveys.py

clean:
	rm -rf build cdk.out chalice.out .pytest_cache .mypy_cache .ruff_cache
