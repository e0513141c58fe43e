# Two commands set everything up on a fresh machine (and a third puts it under load):
#   make app    create .venv, install the requirements, start the dashboard on the built-in data
#   make test   create .venv, install the test tools, run the whole test suite
#   make loadtest  a class of 30 over Streamlit's protocol, then 8 browsers, against a server of their own
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: app test lint bench bench-browser loadtest replicas venv clean

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

# Both load tests, one after the other, each bounded in sessions and time, loopback only: 30 students over
# Streamlit's own protocol (bench/class_load.py), then 8 real browsers (bench/load_test.py, needs chromium).
loadtest: $(VENV)/.dev
	@status=0; \
	$(BIN)/python bench/class_load.py $(CLASS_ARGS) || status=1; \
	$(BIN)/python bench/load_test.py $(LOADTEST_ARGS) || status=1; \
	exit $$status

# Two replicas behind nginx on http://127.0.0.1:8080 with sticky sessions, until Ctrl-C (deploy/README.md).
replicas: $(VENV)/.runtime
	$(BIN)/python deploy/replicas.py $(REPLICAS_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache artifacts
