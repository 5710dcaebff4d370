# smartsafe — the two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Two test processes: the suite is I/O-bound enough that both cores of a small machine pay off.
PYTEST_ARGS ?= -n 2
DEMO_ENV := SMARTSAFE_DEMO=1

.PHONY: run test install install-dev migrate demo lint messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: install, migrate SQLite, load the demo centre once, start web + worker + scheduler.
run: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py load_demo
	$(DEMO_ENV) PORT=$(PORT) $(BIN)/python manage.py serve --port $(PORT)

## make test: the whole suite on SQLite, or on DATABASE_URL when it is set.
test: install-dev
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { echo "The browser tests need Chromium: apt-get install chromium (CI's .ci/run does it)."; exit 1; }
	@command -v dovecot >/dev/null || test -x /usr/sbin/dovecot || \
	  { echo "The e-mail tests need dovecot: apt-get install dovecot-imapd (CI's .ci/run does it)."; exit 1; }
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check src tests bench tools

## Rebuild the Serbian Latin catalogue from the Cyrillic one and compile both.
messages: install-dev
	$(BIN)/python tools/translations.py

## make bench: intake benchmarks on SQLite, or on DATABASE_URL. The statistics benchmark (1 million
## contacts) needs PostgreSQL: DATABASE_URL=postgres://… $(BIN)/python bench/stats_summary.py
bench: install-dev
	$(BIN)/python bench/report_intake.py
	$(BIN)/python bench/webhook_intake.py

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
