# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8501
# The Fifth Tribe Kaggle file (never committed), for make data-check only.
KAGGLE ?= ../shared/data/fifthtribe/tweets.csv

.PHONY: run serve test bench lint data data-check validate venv dev-deps chromium haproxy clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Stamp files: reinstall only when a requirements file changed.
$(VENV)/.stamp-runtime: requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.stamp-dev: requirements-dev.txt $(VENV)/.stamp-runtime
	$(PIP) install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.stamp-runtime
dev-deps: $(VENV)/.stamp-dev

# Debian's Chromium serves the browser tests and kaleido's static export.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "installing Debian's chromium (needs root)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# Debian's HAProxy is the reverse proxy of `make serve` (sticky sessions over several replicas).
haproxy:
	@if [ ! -x /usr/sbin/haproxy ]; then \
	  echo "installing Debian's haproxy (needs root)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; \
	fi

run: venv
	$(VENV)/bin/streamlit run app.py --server.port $(PORT)

# N app processes on loopback ports behind HAProxy on PORT (sticky by cookie); Ctrl-C stops all.
REPLICAS ?= 2
ADDRESS ?= 127.0.0.1
serve: venv haproxy
	$(PY) scripts/serve.py --replicas $(REPLICAS) --port $(PORT) --address $(ADDRESS)

test: dev-deps chromium haproxy
	$(PY) -m pytest -q

bench: dev-deps chromium haproxy
	$(PY) -m bench

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Rebuild every derived dataset in data/ from the raw inputs committed in data/raw.
data: venv
	$(PY) scripts/build_data.py

# Where the Fifth Tribe Kaggle file is at hand: the committed text-free derivative is what
# scripts/derive_fifthtribe.py makes of it.
data-check: venv
	@if [ -f "$(KAGGLE)" ]; then \
	  $(PY) scripts/derive_fifthtribe.py "$(KAGGLE)" --check; \
	else \
	  echo "data-check: no Kaggle file at $(KAGGLE); nothing checked (see data/raw/README.md)"; \
	fi

# Coverage study of the ITS intervals (the fast version runs in the tests).
validate: venv
	$(PY) -m explorer.models.validate

clean:
	rm -rf $(VENV) .pytest_cache
