# quytrinh — two commands on a fresh machine with only Python and make:
#   make run    venv + install + migrate + demo data (if the database is empty) + web and scheduler
#   make test   venv + install + the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTEST_ARGS ?=

.PHONY: install run test test-load bench clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/flask --app app init-db
	$(BIN)/flask --app app demo --if-empty
	@echo "quytrinh: http://$(HOST):$(PORT)/  (demo accounts in README.md; Ctrl-C stops web and scheduler)"
	$(BIN)/flask --app app scheduler & sched=$$!; \
	  trap 'kill $$sched 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/waitress-serve --listen=$(HOST):$(PORT) --threads=8 --call app:create_app

test: $(STAMP) chromium
	$(BIN)/pytest -q -n 2 -m "not load" $(PYTEST_ARGS)

# Two web processes and two schedulers on PostgreSQL under 60 s of concurrent API load (needs PostgreSQL).
test-load: $(STAMP)
	$(BIN)/pytest -q -m load tests/ops $(PYTEST_ARGS)

# The browser tests drive Debian's chromium; as root with apt-get we install it, otherwise say so.
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && echo "installing chromium for the browser tests" && apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "warning: chromium is missing, the browser tests will fail: apt-get install chromium"

bench: $(STAMP)
	$(BIN)/python bench/transition.py
	$(BIN)/python bench/deadline_scan.py
	$(BIN)/python bench/case_list.py
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/forms.py
	@echo "national scale (PostgreSQL, by hand, minutes): $(BIN)/python bench/national.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres [--scale 0.1]"

clean:
	rm -rf $(VENV) *.egg-info
