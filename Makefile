# The README's two commands: `make train` (the main job) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: train test lint format bench clean ucr

$(VENV)/.run-deps: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.test-deps: $(VENV)/.run-deps
	$(PY) -m pip install -q -e '.[test]'
	touch $@

train: $(VENV)/.run-deps
	$(VENV)/bin/frnn train

test: $(VENV)/.test-deps
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/pytest

lint: $(VENV)/.test-deps
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

format: $(VENV)/.test-deps
	$(VENV)/bin/ruff format src tests benchmarks

ucr: $(VENV)/.run-deps
	OMP_NUM_THREADS=1 $(PY) benchmarks/ucr_accuracy.py

bench: $(VENV)/.run-deps
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) benchmarks/bench_vs_torch.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info

.PHONY: pictures
pictures: $(VENV)/.run-deps  # the README's pictures, under docs/
	$(VENV)/bin/frnn graph --steps 3 --out docs/graph.png
	$(VENV)/bin/frnn graph --steps 3 --backward --out docs/graph_backward.png
	$(VENV)/bin/frnn graph --steps 4 --many-to-one --targets --backward --out docs/graph_many_to_one.png
	$(VENV)/bin/frnn plot loss-stability --out docs/loss_stability.png
	$(VENV)/bin/frnn plot gradient-flow --out docs/gradient_flow.png
