# MCUNet suite: every target does its own set-up on a fresh Debian machine.
#   make demo   run the main job end to end on the built-in default (emulated board)
#   make test   run the whole test suite
#   make lint   ruff
#   make bench  memory and latency benchmarks (JSON under benchmarks/results/)

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PACKAGES := packages/tinyengine-runtime packages/tinyengine-codegen packages/mcu-bench packages/tinynas
PYPROJECTS := $(foreach p,$(PACKAGES),$(p)/pyproject.toml)
TEST_WORKERS ?= 2

.PHONY: setup system-packages test demo lint bench clean

setup: system-packages $(STAMP)

system-packages:
	@scripts/ensure-system-packages.sh

$(STAMP): $(PYPROJECTS) requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -r requirements-dev.txt
	$(PY) -m pip install -q $(foreach p,$(PACKAGES),-e $(p))
	touch $(STAMP)

test: setup
	$(PY) -m pytest -n $(TEST_WORKERS) tests

demo: setup
	$(PY) scripts/demo_pipeline.py --fresh

lint: setup
	$(VENV)/bin/ruff check packages tests benchmarks scripts

bench: setup
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) build .pytest_cache
