# vaxpass — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: demo test check lint typecheck system-deps bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# System packages the tests use: SoftHSM2 (the HSM stand-in, through PKCS#11).
system-deps:
	@if ! command -v softhsm2-util >/dev/null || [ ! -e /usr/lib/softhsm/libsofthsm2.so ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing softhsm2"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq softhsm2 >/dev/null; \
	  else \
	    echo "softhsm2 is missing and this user cannot install it: PKCS#11 tests will skip"; \
	  fi; \
	fi

demo: $(STAMP)
	$(BIN)/vaxpass demo

check: lint typecheck

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy --strict src

test: $(STAMP) system-deps check
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

bench: $(STAMP) system-deps
	$(BIN)/python benchmarks/dcc_throughput.py
	$(BIN)/python benchmarks/signing_backends.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
