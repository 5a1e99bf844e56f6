# Two commands: `make run` starts the app, `make test` runs every test.
# Both first install what is missing: Debian/Ubuntu packages (scripts/install-system-deps)
# and the Python packages in .venv (scripts/setup-venv, which also mends a broken .venv).
# PY=python3.12 chooses the Python for .venv (3.11 or newer).
PY ?= python3
export PY
BIN := .venv/bin

.PHONY: run test lint typecheck bench portable system-deps clean

run:
	scripts/install-system-deps
	scripts/setup-venv run
	$(BIN)/safediary $(ARGS)

test:
	scripts/install-system-deps --test
	scripts/setup-venv test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint:
	scripts/setup-venv test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench:
	scripts/install-system-deps --test
	scripts/setup-venv test
	$(BIN)/python benchmarks/run_all.py

portable:
	scripts/install-system-deps --build
	scripts/setup-venv build
	$(BIN)/python packaging/build_portable.py

clean:
	rm -rf .venv build dist .pytest_cache .mypy_cache
