# The two commands of the README are the contract: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make test DATABASE_URL=postgres://…` runs the suite on PostgreSQL.
export DATABASE_URL
export LUTETIA_DATABASE_URL

.PHONY: install demo test lint format bench messages clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: install
	mkdir -p var
	$(BIN)/lutetia migrate --noinput
	$(BIN)/lutetia demo
	$(BIN)/lutetia runserver --noreload $(HOST):$(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Regenerate the French catalogue (lutetia/locale/fr) from the wrapped English strings, then compile
# it (needs GNU gettext's msgfmt). Translate new or fuzzy entries in the .po and commit the .po and .mo.
messages: install
	cd lutetia && ../$(BIN)/lutetia makemessages -l fr --no-obsolete --add-location=file \
		--ignore "*/migrations/*" --ignore "*/static/*" && ../$(BIN)/lutetia compilemessages -l fr

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
