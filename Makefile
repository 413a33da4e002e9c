# Two commands for a fresh clone: `make report` (the whole job) and `make test` (every test).
# Both create the virtual environment first if it is missing or out of date.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test lab validate run lint format lock benchmark clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

## report: validate the data, compute the key numbers, run the notebooks, draw the figures, write the report
report: $(STAMP)
	$(BIN)/python -m analysis build

## test: unit, property, data, notebook and end-to-end tests
test: $(STAMP)
	$(BIN)/python -m pytest

## lab: JupyterLab on the project's environment, opened on the notebooks
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks

validate: $(STAMP)
	$(BIN)/python -m analysis validate

run: $(STAMP)
	$(BIN)/python -m analysis run

lint: $(STAMP)
	$(BIN)/ruff check analysis tests benchmarks
	$(BIN)/ruff format --check analysis tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format analysis tests benchmarks
	$(BIN)/ruff check --fix analysis tests benchmarks

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_match.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
