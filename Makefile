# make demo — install, migrate, load curriculum and demo data, serve on http://127.0.0.1:5000
# make test — install with test tools, run every test (SQLite; PostgreSQL too when LMS_TEST_DATABASE_URL is set)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := lms

.PHONY: setup demo test install install-dev translations messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(MAKE) --no-print-directory translations

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	$(MAKE) --no-print-directory translations

translations:
	$(BIN)/pybabel compile --use-fuzzy --statistics -d lms/translations

setup: install
	$(BIN)/flask db upgrade
	$(BIN)/flask lms load-units content/units
	$(BIN)/flask lms content import content
	$(BIN)/flask lms demo

demo: setup
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: install-dev
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) instance/*.sqlite3*

# Re-extract the Vietnamese source strings and merge them into the English catalog.
messages: $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 --no-location --sort-output --project=lms -o lms/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i lms/translations/messages.pot -d lms/translations
