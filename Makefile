# smartsafe — the two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Two test processes: the suite is I/O-bound enough that both cores of a small machine pay off.
# The slowest tests are listed at the end, so a test that grows slow is seen before it times out.
PYTEST_ARGS ?= -n 2 --durations=15
DEMO_ENV := SMARTSAFE_DEMO=1

.PHONY: run test install install-dev migrate demo lint messages bench clean

$(BIN)/python:
	@echo "== creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "== installing Python packages (about a minute the first time)"
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	@echo "== installing Python packages with the test tools (about a minute the first time)"
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: install, migrate SQLite, load the demo centre once, start web + worker + scheduler.
run: install
	@echo "== preparing the database (var/smartsafe.sqlite3)"
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	@echo "== loading the demo centre (once; a minute the first time)"
	$(DEMO_ENV) $(BIN)/python manage.py load_demo
	@echo "== starting web, worker and scheduler on http://127.0.0.1:$(PORT)/ (Ctrl-C stops them)"
	$(DEMO_ENV) PORT=$(PORT) $(BIN)/python manage.py serve --port $(PORT)

## make test: the whole suite on SQLite, or on DATABASE_URL when it is set. The system packages
## the tests need (Chromium, dovecot, fonts, PostgreSQL's binaries) come from tools/provision.sh:
## installed when this user may, otherwise named, and nothing runs.
test: install-dev
	@tools/provision.sh
	@echo "== running the tests ($(if $(DATABASE_URL),PostgreSQL,SQLite); several minutes)"
	$(BIN)/pytest $(PYTEST_ARGS)

## make lint: ruff, and the import contracts of .importlinter (the layers of docs/architecture.md).
lint: install-dev
	$(BIN)/ruff check src tests bench tools
	PYTHONPATH=src $(BIN)/lint-imports

## Rebuild the Serbian Latin catalogue from the Cyrillic one and compile both.
messages: install-dev
	$(BIN)/python tools/translations.py

## make bench: intake benchmarks on SQLite, or on DATABASE_URL (intake_load.py: the real server under
## concurrent clients beside a bare DRF view). The statistics benchmark (1 million contacts) needs
## PostgreSQL: DATABASE_URL=postgres://… $(BIN)/python bench/stats_summary.py
bench: install-dev
	$(BIN)/python bench/intake_load.py
	$(BIN)/python bench/report_intake.py
	$(BIN)/python bench/webhook_intake.py
	$(BIN)/python bench/chat_delivery.py

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
