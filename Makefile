# Two commands set everything up on a fresh machine:
#   make app    create .venv, install the requirements, start the dashboard on the built-in data
#   make test   create .venv, install the test tools, run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: app test lint bench bench-browser loadtest venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

venv: $(VENV)/.runtime

app: $(VENV)/.runtime
	$(BIN)/streamlit run app.py --server.port $(PORT)

test: $(VENV)/.dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.runtime
	$(BIN)/python bench/run.py

bench-browser: $(VENV)/.dev
	$(BIN)/python bench/browser_bench.py $(BENCH_ARGS)

loadtest: $(VENV)/.dev
	$(BIN)/python bench/load_test.py $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache artifacts
