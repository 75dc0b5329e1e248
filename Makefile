# jiekun: `make run` and `make test` set everything up on a machine with Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint bench demo-input wheel clean

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

# ruff (pyflakes, pycodestyle, import order), lines of at most 120 characters in pipeline/ and bench/ (ruff counts a
# Chinese character as two columns; tests keep long expected texts whole), and vulture for code nothing uses
# (tests/dead_code_whitelist.py lists what it cannot see used).
lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench
	@$(BIN)/python -c "import pathlib, sys; long = [f'{p}:{n}' for d in ('pipeline', 'bench') \
		for p in sorted(pathlib.Path(d).rglob('*.py')) for n, line in enumerate(p.read_text('utf-8').splitlines(), 1) \
		if len(line) > 120]; print(*long, sep='\n') if long else None; sys.exit(f'{len(long)} lines over 120 characters' if long else 0)"
	$(BIN)/vulture pipeline tests/dead_code_whitelist.py --min-confidence 60

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
