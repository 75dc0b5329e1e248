# jiekun: `make run` and `make test` set everything up on a machine with Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test bench demo-input wheel clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Every quarter folder in input/, oldest first, so half-year reports find their earlier quarter.
run: $(STAMP)
	@for q in $$(ls -d input/*/ | xargs -n1 basename | sort); do \
		$(BIN)/jiekun run --period $$q || exit $$?; echo; \
	done

test: $(STAMP)
	$(BIN)/python -m pytest -q

# make bench SIZES=district RUNS=1 for a quick look; the default is what the README quotes.
SIZES ?= district,half-year,city,province
RUNS  ?= 3
BENCH_STAMP := $(VENV)/.bench-stamp

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python bench/bench.py --sizes $(SIZES) --runs $(RUNS)

# Regenerate the shipped sample input from the demo generator.
demo-input: $(STAMP)
	$(BIN)/jiekun demo --output input --force

# The installable package for the office PCs, in dist/; build/ is cleared so that no stale file slips into it.
wheel:
	rm -rf build
	$(PYTHON) -m pip wheel --quiet --no-deps --wheel-dir dist .

clean:
	rm -rf $(VENV) output .pytest_cache .hypothesis build dist
