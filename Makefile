# The README's two commands: `make train` (the main job) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
# ruff's paths: the package, its tests, the benchmarks, and the docs' Python (hooks, the
# screenshot check, the notebooks).
LINT := src tests benchmarks docs/*.py docs/notebooks
export NO_MKDOCS_2_WARNING := 1

.PHONY: train test lint format bench clean ucr docs docs-check notebooks exercises

$(VENV)/.run-deps: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.test-deps: $(VENV)/.run-deps
	$(PY) -m pip install -q -e '.[test,docs,notebooks,dask]'
	touch $@ $(VENV)/.docs-deps $(VENV)/.notebooks-deps

# The site alone (no test tools, no torch); the notebooks' own requirements.
$(VENV)/.docs-deps: $(VENV)/.run-deps
	$(PY) -m pip install -q -e '.[docs]'
	touch $@

$(VENV)/.notebooks-deps: $(VENV)/.run-deps
	$(PY) -m pip install -q -e '.[notebooks]'
	touch $@

train: $(VENV)/.run-deps
	$(VENV)/bin/frnn train

# ruff, every test (the slow ones too: plain pytest runs the fast lane), then the docs:
# docstring examples and every notebook executed (pytest --doctest-modules --nbmake), and the
# site built with broken links and missing references as errors (mkdocs build --strict, then
# every link of the built site checked).
# The tests and the notebooks run in JOBS processes (pytest-xdist): CI's machine has two
# cores; more processes than cores only add memory (each imports numba and torch).
JOBS ?= 2

test: $(VENV)/.test-deps
	$(VENV)/bin/ruff check $(LINT)
	$(VENV)/bin/ruff format --check $(LINT)
	$(VENV)/bin/pytest -m "slow or not slow" --hypothesis-profile=ci -n $(JOBS)
	$(MAKE) --no-print-directory notebooks docs

notebooks: $(VENV)/.notebooks-deps  # docstring examples of src/frnn, then every notebook
	OMP_NUM_THREADS=1 $(VENV)/bin/pytest -p no:cacheprovider --doctest-modules --nbmake \
		-n $(JOBS) src/frnn docs/notebooks

docs: $(VENV)/.docs-deps  # the site, into site/, every warning an error; then its links
	$(VENV)/bin/mkdocs build --strict
	$(PY) docs/check_links.py site

exercises:  # the student versions of the notebooks, solutions removed, into exercises/
	python3 docs/exercises.py docs/notebooks --out exercises

docs-check: docs  # the site as a reader sees it: headless Chromium, screenshots under site-check/
	$(PY) docs/check_site.py --out site-check

lint: $(VENV)/.test-deps
	$(VENV)/bin/ruff check $(LINT)
	$(VENV)/bin/ruff format --check $(LINT)

format: $(VENV)/.test-deps
	$(VENV)/bin/ruff format $(LINT)

ucr: $(VENV)/.run-deps
	OMP_NUM_THREADS=1 $(PY) benchmarks/ucr_accuracy.py

bench: $(VENV)/.run-deps
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) benchmarks/bench_vs_torch.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info site site-check .cache exercises

.PHONY: pictures
pictures: $(VENV)/.run-deps  # the README's pictures, under docs/
	$(VENV)/bin/frnn graph --steps 3 --out docs/graph.png
	$(VENV)/bin/frnn graph --steps 3 --backward --out docs/graph_backward.png
	$(VENV)/bin/frnn graph --steps 4 --many-to-one --targets --backward --out docs/graph_many_to_one.png
	$(VENV)/bin/frnn plot loss-stability --out docs/loss_stability.png
	$(VENV)/bin/frnn plot gradient-flow --out docs/gradient_flow.png

.PHONY: memory-picture
memory-picture: $(VENV)/.run-deps  # docs/memory_spectrum.png: three networks trained (~3 min, one core)
	OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 $(PY) benchmarks/memory_spectrum.py --out docs/memory_spectrum.png

.PHONY: forecast-picture
forecast-picture: $(VENV)/.run-deps  # docs/forecasting.png and its table: 40 reservoir fits (~15 s, one core)
	OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 $(PY) benchmarks/forecasting.py --out docs/forecasting.png
