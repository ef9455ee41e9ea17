# The two commands: `make run` and `make test`. Everything else is a helper of theirs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DEMO_PASSWORD ?= demo-pass-2026
export DEMO_TOTP_SECRET ?= JBSWY3DPEHPK3PXP
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup assets migrate seed serve lint bench clean backup restore

## make run: set up everything, load demo data and serve on http://127.0.0.1:8000
run: export DJANGO_DEBUG ?= on
run: setup migrate seed
	@echo ""
	@echo "  IOP record on http://$(HOST):$(PORT)/  (password for every demo user: $(DEMO_PASSWORD))"
	@echo "    admin         program admin, superuser, all sites (two-factor: see below)"
	@echo "    programadmin  program admin, site 1 (Richmond) only (two-factor: see below)"
	@echo "    therapist     therapist, site 1 (Richmond)"
	@echo "    casemanager   case manager, site 1 (Richmond)"
	@echo "    therapist2    therapist, site 2 (Norfolk) only"
	@echo "    casemanager2  case manager, site 2 (Norfolk) only"
	@echo "  admin and programadmin also type the code of an authenticator app holding the"
	@echo "  secret $(DEMO_TOTP_SECRET), or: $(PY) -c \"from django_otp.oath import totp; import base64; print('%06d' % totp(base64.b32decode('$(DEMO_TOTP_SECRET)')))\""
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

## make test: lint, migration check and the whole pytest suite (SQLite unless DATABASE_URL is set)
test: export DJANGO_SECRET_KEY ?= test-only-secret-key-not-for-production
# No persistent connections under test: the browser tests' live-server thread must not keep
# the PostgreSQL test database open when it is dropped.
test: export DJANGO_CONN_MAX_AGE ?= 0
# In parallel (pytest-xdist): one database and one live server per worker; PYTEST_WORKERS=0 for one process.
test: PYTEST_WORKERS ?= auto
test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py collectstatic --noinput -v0
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

migrate: export DJANGO_DEBUG ?= on
migrate: setup
	$(PY) manage.py migrate --noinput -v0

seed: export DJANGO_DEBUG ?= on
seed: setup
	$(PY) manage.py seed_demo

## make bench: the benchmarks of docs/benchmarks.md (not part of make test)
bench: export DJANGO_SECRET_KEY ?= bench-only-secret-key
bench: setup
	$(PY) -m tests.bench.run

## make backup: custom-format pg_dump of DATABASE_URL into $(BACKUP) (docs/backup.md)
## make restore BACKUP=file: pg_restore into DATABASE_URL, which must be a fresh, empty database
ifndef BACKUP
BACKUP := backups/iop-$(shell date -u +%Y%m%dT%H%M%SZ).dump
endif
backup:
	@case "$(DATABASE_URL)" in postgres://*|postgresql://*) ;; *) echo "DATABASE_URL must name a PostgreSQL database" >&2; exit 2;; esac
	@mkdir -p "$(dir $(BACKUP))"
	pg_dump --format=custom --no-owner --no-privileges --dbname="$(DATABASE_URL)" --file="$(BACKUP)"
	@echo "backup written: $(BACKUP)"

restore:
	@case "$(DATABASE_URL)" in postgres://*|postgresql://*) ;; *) echo "DATABASE_URL must name a PostgreSQL database" >&2; exit 2;; esac
	@test -f "$(BACKUP)" || { echo "BACKUP=$(BACKUP): no such file (make restore BACKUP=backups/….dump)" >&2; exit 2; }
	@test "$$(psql "$(DATABASE_URL)" -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0 \
	  || { echo "the database of DATABASE_URL is not empty: restore into a fresh one (createdb)" >&2; exit 2; }
	pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$(DATABASE_URL)" "$(BACKUP)"
	@# pg_restore copies no planner statistics: without them every query is planned for empty tables.
	vacuumdb --analyze-only --quiet --dbname="$(DATABASE_URL)"
	@echo "restored $(BACKUP)"

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3
