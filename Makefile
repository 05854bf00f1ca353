# toolcensus: `make demo` and `make test` set everything up themselves.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: demo test lint bench chromium clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/toolcensus demo --out ./demo-out

# Headless Chromium renders the HTML report in one test (Debian package, needs root).
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
		echo "warning: could not install chromium; the report rendering test will fail"

test: $(STAMP) chromium
	$(VENV)/bin/pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check crawler analysis cluster tests benchmarks
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(VENV)/bin/python -m pip install -q --no-deps pipreqs==0.5.0 yarg==0.1.9 docopt==0.6.2
	@echo "see docs/benchmarks.md for each benchmark's command"

clean:
	rm -rf $(VENV) demo-out census .pytest_cache .mypy_cache .ruff_cache
