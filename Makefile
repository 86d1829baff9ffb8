# GNU make. `make demo` and `make test` set everything up first (scripts/setup.sh), so on a
# fresh machine they are the only two commands needed.

VENV   := .venv
PYTHON := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: setup demo test lint bench

setup:
	@bash scripts/setup.sh

# one representative run (summary; out/demo/{history.parquet,chart.png,config.json}), then the
# flagship experiment, cooperation against competition (table; report in out/demo/policies/)
demo: setup
	$(VENV)/bin/cascade run --n 2000 --network small-world --rounds 50 --out out/demo
	$(VENV)/bin/cascade experiment policies --out out/demo/policies

# the whole suite; pytest's exit 5 ("no tests collected") is a failure here, like any other
test: setup
	@$(PYTHON) -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests (exit 5): failing" >&2; fi; \
	exit $$status

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

bench: setup
	$(VENV)/bin/cascade bench
