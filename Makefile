# Quick start:  make run   (virtual environment, install, run the built-in scenario)
#               make test  (install test tools, lint, type-check, run the whole suite)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check

.PHONY: run test e2e lint typecheck bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Re-install only when the project's metadata changes.
$(VENV)/.installed-rec: pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[rec]"
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed-rec

run: $(VENV)/.installed-rec
	$(VENV)/bin/detente run ukraine-2023

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check src tests benchmarks

typecheck: $(VENV)/.installed-dev
	$(VENV)/bin/mypy

# One worker per core, each taking a whole test file (its module fixtures are built once).
test: lint typecheck
	$(PY) -m pytest -q -n auto --dist loadfile

# Only the browser tests (headless Debian chromium: apt-get install chromium first).
e2e: $(VENV)/.installed-dev
	$(PY) -m pytest -q -m e2e

bench: $(VENV)/.installed-rec
	$(PY) benchmarks/bench_run.py
	$(PY) benchmarks/bench_report.py
	$(PY) benchmarks/bench_fast.py
	$(PY) benchmarks/bench_sobol.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
