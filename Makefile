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
LOCALES := ja en
CATALOGS := $(foreach l,$(LOCALES),frontend/locales/$(l)/LC_MESSAGES/messages.mo)
BABEL_KEYWORDS := -k N_ -k _ -k gettext -k KumoError -k BadRequest -k Unauthenticated -k Forbidden \
	-k NotFound -k Conflict -k TooManyRequests
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export AWS_DEFAULT_REGION ?= ap-northeast-1

.PHONY: run test lint unit integration e2e infra-test synth catalogs extract-messages bench browser clean sizes

## make run: start the whole platform locally with demo data on http://127.0.0.1:$(PORT)
run: $(STAMP) catalogs
	$(BIN)/kumo dev --port $(PORT) --moto-port $(MOTO_PORT) --search-port $(SEARCH_PORT) --state-dir $(STATE_DIR)

## make test: lint, then every test (unit, integration, e2e in Chromium, infra synth)
test: $(STAMP) catalogs browser lint
	$(BIN)/pytest -q tests

$(STAMP): requirements/*.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# Debian's chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium is missing: run 'sudo apt-get install chromium' (browser tests will be skipped)"; fi

catalogs: $(STAMP) $(CATALOGS)

frontend/locales/%/LC_MESSAGES/messages.mo: frontend/locales/%/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile --statistics -d frontend/locales -D messages -l $* 2>&1 | tail -1

## make extract-messages: refresh the catalogs after changing texts
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) -o frontend/locales/messages.pot \
		--no-location --omit-header --sort-output .
	for l in $(LOCALES); do $(BIN)/pybabel update -i frontend/locales/messages.pot -d frontend/locales \
		-D messages -l $$l --no-fuzzy-matching --omit-header; done

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

unit: $(STAMP) catalogs
	$(BIN)/pytest -q tests/unit
integration: $(STAMP) catalogs
	$(BIN)/pytest -q tests/integration
e2e: $(STAMP) catalogs browser
	$(BIN)/pytest -q tests/e2e
infra-test: $(STAMP)
	$(BIN)/pytest -q tests/infra

## make synth: write the CloudFormation template to build/cdk.out
synth: $(STAMP) catalogs
	$(BIN)/python -m infra.synth build/cdk.out

sizes: $(STAMP) catalogs
	$(BIN)/python -m layers.build --report

bench: $(STAMP) catalogs
	$(BIN)/python bench/cold_start.py

clean:
	rm -rf build cdk.out chalice.out .pytest_cache .mypy_cache .ruff_cache
