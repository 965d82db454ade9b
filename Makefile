# One command to try it (make demo), one to test it (make test). Both set everything up first.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DB ?= demo/tgintel.sqlite

.PHONY: setup system-deps demo test lint bench lock clean

setup: $(VENV)/.installed

# C accelerators (tgintel/**/_c_*.c) are built by the editable install; editing one rebuilds it.
$(VENV)/.installed: pyproject.toml requirements.lock setup.py $(shell find tgintel -name '_c_*.c')
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements.lock -e '.[dev,scale]'
	@# bytecode up front, as pip compiles a regular install: an editable one run with PYTHONDONTWRITEBYTECODE
	@# would compile every module again on every command (~0.2 s of each `tgintel` start)
	$(BIN)/python -m compileall -q tgintel > /dev/null
	touch $@

# Debian packages the tests drive for real: Chromium (browser tests), PostgreSQL (team store), Java (Spark).
system-deps:
	@bash scripts/system-deps.sh

demo: setup
	@bash scripts/demo.sh "$(DB)"

lint: setup
	$(BIN)/ruff check tgintel tests bench

test: setup system-deps lint
	$(BIN)/python -m pytest -n 2 --timeout 900 -p no:cacheprovider
	@echo "== the areas with C twins again, on their pure-Python fallbacks (TGINTEL_PURE_PYTHON=1)"
	TGINTEL_PURE_PYTHON=1 $(BIN)/python -m pytest -n 2 --timeout 900 -p no:cacheprovider -q tests/classify tests/entities tests/ingest

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lock: setup
	$(BIN)/pip freeze --exclude-editable | sed '1i # Exact versions of every package (direct and transitive) that setup installs; regenerate with `make lock`.' > requirements.lock

clean:
	rm -rf $(VENV) demo .pytest_cache
