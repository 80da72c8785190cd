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

# The tests run in TEST_WORKERS parallel processes (pytest-xdist), each starting its own PostgreSQL, app server and
# browser; 3 on a 2-core machine: while one worker waits on its browser or server the others use the cores.
# --dist loadscope: the tests of one module run in one worker, so a module-scoped fixture (a private server, a
# national store, a deck) is built once. TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= 3
test: setup lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadscope

# Every benchmark in bench/ (bench_*.py), one after the other; each ends with `NAME: VALUE (target T) ok|ABOVE`.
bench: setup
	@status=0; for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || status=1; done; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts
