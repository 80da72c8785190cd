# One entry point for people and CI. `make run` sets up and starts the app; `make test` runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
export KSLN_DB ?= $(CURDIR)/data/ksln.duckdb

.PHONY: setup run test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: setup
	$(PY) -m ksln_metrics demo --if-empty --db "$(KSLN_DB)"
	$(PY) -m ksln_metrics users ensure-admin --db "$(KSLN_DB)"
	@echo "KSLN Monitor: buka http://localhost:$(PORT)"
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true

lint: setup
	$(PY) -m ruff check .

# The tests run in TEST_WORKERS parallel processes (pytest-xdist): most of them wait on a browser, a server or
# PostgreSQL, each worker starting its own. TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= 4
test: setup lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup

# Every benchmark in bench/ (bench_*.py), one after the other; each ends with `NAME: VALUE (target T) ok|ABOVE`.
bench: setup
	@status=0; for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || status=1; done; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts
