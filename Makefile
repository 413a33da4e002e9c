# Two commands for a fresh clone: `make report` (the whole job) and `make test` (every test).
# Both create the virtual environment first if it is missing or out of date.
#
# Python: 3.11, 3.12 or 3.13 (the versions the pins are installed and tested with; pyproject.toml's
# requires-python says the same). `make report PYTHON=python3.12` asks for one; without PYTHON a
# working .venv of a supported version is kept, else one is made with python3. A .venv whose Python
# is not the one asked for, is not supported or no longer runs is rebuilt, saying why.
SUPPORTED_PYTHONS := 3.11 3.12 3.13
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
version_of = $(shell $(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
VENV_PYTHON := $(call version_of,$(BIN)/python)
ifeq ($(origin PYTHON),undefined)
  PYTHON := python3
  WANTED_PYTHON := $(or $(filter $(SUPPORTED_PYTHONS),$(VENV_PYTHON)),$(call version_of,$(PYTHON)))
else
  WANTED_PYTHON := $(call version_of,$(PYTHON))
endif
# Why the existing .venv cannot be kept (empty when it can, or when there is none).
ifneq ($(wildcard $(VENV)),)
  ifeq ($(VENV_PYTHON),)
    VENV_STALE := .venv's Python no longer runs
  else ifneq ($(VENV_PYTHON),$(WANTED_PYTHON))
    VENV_STALE := .venv has Python $(VENV_PYTHON), but $(PYTHON) is Python $(or $(WANTED_PYTHON),(none))
  endif
endif

.PHONY: report test lab validate run codebook lint format benchmark clean FORCE

$(STAMP): requirements.txt pyproject.toml $(if $(VENV_STALE),FORCE)
	@if [ -z "$(WANTED_PYTHON)" ]; then \
	  echo "make: '$(PYTHON)' does not run. Install Python $(SUPPORTED_PYTHONS) or name one: make PYTHON=python3.12" >&2; exit 1; fi
	@case " $(SUPPORTED_PYTHONS) " in *" $(WANTED_PYTHON) "*) ;; *) \
	  echo "make: $(PYTHON) is Python $(WANTED_PYTHON); supported: $(SUPPORTED_PYTHONS). Name one: make PYTHON=python3.12" >&2; exit 1;; esac
	@if [ -n "$(VENV_STALE)" ]; then echo "make: $(VENV_STALE): rebuilding .venv"; rm -rf $(VENV); fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

FORCE:

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

## codebook: refresh the generated tables in data/README.md (the build never writes into data/)
codebook: $(STAMP)
	$(BIN)/python -m analysis codebook --write

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
