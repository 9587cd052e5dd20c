# bridges: two commands for a newcomer.
#   make run   - venv, install, migrate, messages, demo data, serve on 127.0.0.1:8000 or PORT (no services needed)
#   make test  - venv, install, lint, migration check, the whole suite on PostgreSQL + Redis + a real worker

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

# `make run PORT=8080` serves on another port.
PORT ?= 8000

TEST_DATABASE_URL ?= postgres://127.0.0.1:5432/bridges_test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/14
TEST_CACHE_URL ?= redis://127.0.0.1:6379/15
# Two test processes (pytest-xdist), a test module stays on one: each has its own test database,
# Redis databases and Celery worker. The browser tests come last in each. `TEST_PROCESSES=0` runs in one.
TEST_PROCESSES ?= 2
XDIST_ARGS = $(if $(filter-out 0,$(TEST_PROCESSES)),-n $(TEST_PROCESSES) --dist loadscope --no-loadscope-reorder)

.PHONY: run test install install-dev lint messages catalogue system-deps test-system-deps apt worker beat vendor clean bench load

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# System packages: GNU gettext for compilemessages; Chromium for the browser tests.
system-deps:
	@command -v msgfmt >/dev/null || $(MAKE) --no-print-directory apt PKGS=gettext
test-system-deps: system-deps
	@test -x /usr/bin/chromium || $(MAKE) --no-print-directory apt PKGS=chromium

apt:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		{ dpkg --configure -a >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get -f install -y -qq || true; } && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PKGS); \
	else \
		echo "Please install the system package(s): $(PKGS) (e.g. sudo apt-get install $(PKGS))" >&2; exit 1; \
	fi

messages: system-deps install
	DEBUG=true $(PY) manage.py compilemessages --ignore=$(VENV) --verbosity 0

# Refresh the German and English catalogues after adding strings; locations name the file only,
# so that a catalogue changes where its strings change, not wherever a line moved.
catalogue: install
	DEBUG=true $(PY) manage.py makemessages -l de -l en -l ar --no-obsolete --add-location file --ignore=$(VENV) --ignore=tests

run: install messages
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py seed_demo
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true DATABASE_URL=sqlite://:memory: $(PY) manage.py makemigrations --check --dry-run

test: install-dev test-system-deps lint messages
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CACHE_URL=$(TEST_CACHE_URL) \
		$(VENV)/bin/pytest $(XDIST_ARGS) $(PYTEST_ARGS)

# The matching benchmark: prints its figures, last one JSON line (see matching/README.md).
bench: install-dev
	$(PY) -m benchmarks.matching_engine $(BENCH_ARGS)

# The load test: seed_scale, gunicorn + a Celery worker, locust; per page p50/p95/p99, errors and the
# ratio to the floor (/ping/), last one JSON line (see benchmarks/README.md). E.g.
#   make load LOAD_ARGS="--candidates 2000 --users 10 --run-time 60s --keep"
load: install-dev
	$(PY) -m benchmarks.load $(LOAD_ARGS)

# Services for running on PostgreSQL + Redis (see README and Procfile).
worker: install
	$(VENV)/bin/celery -A bridges worker --loglevel=INFO
beat: install
	$(VENV)/bin/celery -A bridges beat --loglevel=INFO

# Re-vendor the front-end assets from the npm registry (the files are committed); axe-core
# goes to the browser tests only.
BOOTSTRAP_VERSION := 5.3.8
HTMX_VERSION := 2.0.11
TOM_SELECT_VERSION := 2.6.2
AXE_VERSION := 4.14.1
vendor:
	rm -rf .vendor-tmp && mkdir .vendor-tmp
	cd .vendor-tmp && npm pack --silent bootstrap@$(BOOTSTRAP_VERSION) htmx.org@$(HTMX_VERSION) \
			tom-select@$(TOM_SELECT_VERSION) axe-core@$(AXE_VERSION) \
		&& for f in *.tgz; do mkdir "$${f%.tgz}" && tar xzf "$$f" -C "$${f%.tgz}"; done
	mkdir -p static/vendor/bootstrap/css static/vendor/bootstrap/js static/vendor/htmx static/vendor/tom-select
	cp .vendor-tmp/bootstrap-$(BOOTSTRAP_VERSION)/package/dist/css/bootstrap.min.css* \
		.vendor-tmp/bootstrap-$(BOOTSTRAP_VERSION)/package/dist/css/bootstrap.rtl.min.css* static/vendor/bootstrap/css/
	cp .vendor-tmp/bootstrap-$(BOOTSTRAP_VERSION)/package/dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/js/
	cp .vendor-tmp/bootstrap-$(BOOTSTRAP_VERSION)/package/LICENSE static/vendor/bootstrap/
	cp .vendor-tmp/htmx.org-$(HTMX_VERSION)/package/dist/htmx.min.js .vendor-tmp/htmx.org-$(HTMX_VERSION)/package/LICENSE static/vendor/htmx/
	cp .vendor-tmp/tom-select-$(TOM_SELECT_VERSION)/package/dist/js/tom-select.base.min.js* \
		.vendor-tmp/tom-select-$(TOM_SELECT_VERSION)/package/dist/css/tom-select.bootstrap5.min.css* \
		.vendor-tmp/tom-select-$(TOM_SELECT_VERSION)/package/LICENSE static/vendor/tom-select/
	cp .vendor-tmp/axe-core-$(AXE_VERSION)/package/axe.min.js .vendor-tmp/axe-core-$(AXE_VERSION)/package/LICENSE \
		.vendor-tmp/axe-core-$(AXE_VERSION)/package/LICENSE-3RD-PARTY.txt tests/e2e/vendor/
	rm -rf .vendor-tmp

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
	find . -name '*.mo' -not -path './$(VENV)/*' -delete
